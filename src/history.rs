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

/// The most commits [`read`] reads from one range. A longer range is a wrong
/// base far more often than a real change, and `check` attributes a change it
/// cannot tie to a declaration to every commit of the range, so its memory
/// grows with commits × such changes.
pub const MAX_COMMITS: usize = 10_000;

/// Resolve the range and classify each of its commits.
pub fn read(git: &Git, request: &RangeRequest, catalog: &Catalog) -> Result<History, GitError> {
    read_at_most(git, request, catalog, MAX_COMMITS)
}

/// [`read`], refusing a range of more than `max_commits` commits.
pub fn read_at_most(
    git: &Git,
    request: &RangeRequest,
    catalog: &Catalog,
    max_commits: usize,
) -> Result<History, GitError> {
    let range = git.resolve(request)?;
    let commits = git
        .commits(
            &range,
            max_commits,
            catalog.settings.unverified == classify::Counted::Agent,
        )?
        .into_iter()
        .map(|commit| {
            let by = classify::classify(&commit, catalog);
            Authored { commit, by }
        })
        .collect();
    Ok(History { range, commits })
}
