//! The commits of a run's range, read from git and classified.

use crate::classify::pull::{self, PullFacts};
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

impl History {
    /// Apply a pull request's agent signals: an agent-made pull request makes
    /// every commit of the range agent-written, with the pull request's
    /// evidence in each commit's. Returns the signals found.
    pub fn apply_pull_request(&mut self, pr: &PullFacts, catalog: &Catalog) -> Vec<String> {
        let found = pull::signals(pr, catalog);
        for authored in &mut self.commits {
            let by = std::mem::replace(
                &mut authored.by,
                Classified {
                    class: classify::Class::Human,
                    name: None,
                    evidence: Vec::new(),
                    own: classify::Class::Human,
                },
            );
            authored.by = pull::apply(by, &found);
        }
        found.into_iter().map(|e| e.text).collect()
    }
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
