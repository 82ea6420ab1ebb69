//! Git history as plain data, and the `git` subprocess edge that reads it.
//!
//! plangate runs the real `git` rather than reimplementing it: git's own trailer
//! parser (`%(trailers)`), signature checks (`%G?`), notes and combined diffs are
//! exactly what the user's git would say.

mod cli;
mod diff;
mod error;
mod range;

pub use cli::{Git, Revisions};
// Public only for the fuzz targets (fuzz/commit_identity), not an API.
#[doc(hidden)]
pub use cli::parse_commit;
pub use diff::FileDiff;
pub use error::GitError;
pub use range::{Range, RangeRequest, RangeSource};

/// A name and e-mail address, as git records an author or committer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// What git says of a commit's signature (`%G?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signature {
    /// A good signature from a key git trusts (`G`).
    Good,
    /// Signed, but not verifiably good here (`U`, `X`, `Y`, `R`, `E`, `B`).
    Unverified,
    /// No signature (`N`).
    None,
    /// Not asked: checking runs gpg once per signed commit (seconds on a long
    /// range of GitHub-signed commits), so it is done only when a setting
    /// reads it (`agents { unverified = "agent" }`).
    NotChecked,
}

impl Signature {
    pub fn from_code(code: &str) -> Signature {
        match code {
            "G" => Signature::Good,
            "N" | "" => Signature::None,
            "-" => Signature::NotChecked,
            _ => Signature::Unverified,
        }
    }
}

/// One commit of the range, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub sha: String,
    pub parents: Vec<String>,
    pub author: Person,
    pub committer: Person,
    /// The full message: subject, body and trailers.
    pub message: String,
    /// Trailers as git parses them (last paragraph, `Key: value`, unfolded).
    pub trailers: Vec<(String, String)>,
    pub signature: Signature,
    /// The commit's git-ai authorship note (`refs/notes/ai`), when there is one.
    pub ai_note: Option<String>,
}

impl Commit {
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }

    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// What one commit changed, with the text of each file before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitDiff {
    pub sha: String,
    /// The files attribution reads, with their texts.
    pub files: Vec<FileDiff>,
    /// Every path the commit changed (for a merge: that differs from every
    /// parent), read or not: a file read by `file()` can be any file.
    pub paths: Vec<String>,
    /// For a merge: the paths it changed against its first parent. A merge that
    /// resolves a file to the other side's version drops what the mainline had,
    /// though it differs from no parent; when attribution widens, it counts.
    pub first_parent_paths: Vec<String>,
}
