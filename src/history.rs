//! The commits of a run's range, read from git and classified.

use crate::classify::{self, Catalog, Classified};
use crate::git::{Commit, Git, GitError, Range, RangeRequest};

/// One commit and who wrote it.
#[derive(Debug, Clone)]
pub struct Authored {
    pub commit: Commit,
    pub by: Classified,
}

#[derive(Debug, Clone)]
pub struct History {
    pub range: Range,
    /// Oldest first.
    pub commits: Vec<Authored>,
}

/// Resolve the range and classify each of its commits.
pub fn read(git: &Git, request: &RangeRequest, catalog: &Catalog) -> Result<History, GitError> {
    let range = git.resolve(request)?;
    let commits = git
        .commits(&range)?
        .into_iter()
        .map(|commit| {
            let by = classify::classify(&commit, catalog);
            Authored { commit, by }
        })
        .collect();
    Ok(History { range, commits })
}
