//! Which commits wrote each destructive change.
//!
//! A commit is an author of a change when it changed anything in the change's
//! dependency closure ([`closure`] for Terraform, [`cfn`] for CloudFormation).
//! The closure is computed completely, or widened to a conservative fallback
//! that the evidence names: attribution counts more commits, never fewer.
//! The plan's own reason is the check: when no commit changed anything that can
//! explain it (what `replace_paths` names, a `replace_triggered_by` target, a
//! count, a `ChangeSource`), every commit that changed infrastructure files
//! counts too; when there is none, authorship is `unknown`.
//!
//! [`attribute`] is pure over the history, the configuration's files and a
//! reader of files at any revision ([`Trees`], for evaluating `count` and
//! `for_each`); [`gather`] is the git edge that reads them.

pub mod cdk;
pub mod cfn;
pub mod closure;
mod decide;
pub mod eval;
pub mod lexical;
pub mod parameters;
pub mod settings;
pub mod targets;
pub mod template;
pub mod terraform;
pub mod terragrunt;
pub mod touches;

use std::sync::Arc;

use serde::Serialize;

use crate::classify::Class;
use crate::git::Person;
pub use decide::{Evidence, PlanRoot, Trees, attribute, gather, plan_root};
pub use targets::Snapshot;

/// A 1-based, inclusive range of lines in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Lines {
    pub start: usize,
    pub end: usize,
}

/// Where a change's resource is declared: a file, its lines, at a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub lines: Lines,
    /// The revision the lines are in: the head, or the base when the change
    /// deleted the declaration.
    pub rev: String,
}

/// Who wrote a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthoredBy {
    /// At least one attributed commit is agent-written.
    Agent,
    /// Only non-AI automation.
    Bot,
    Human,
    /// No commit could be tied to it.
    Unknown,
}

impl AuthoredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthoredBy::Agent => "agent",
            AuthoredBy::Bot => "bot",
            AuthoredBy::Human => "human",
            AuthoredBy::Unknown => "unknown",
        }
    }
}

/// How the commits were tied to the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// They changed a declaration it depends on.
    Declaration,
    /// The closure could not explain the change, or could not be computed:
    /// every commit that changed infrastructure files counts too.
    InfrastructureFiles,
    /// No commit changed infrastructure files.
    Nothing,
}

/// One commit that wrote a change, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributedCommit {
    pub sha: String,
    pub class: Class,
    pub agent: Option<String>,
    /// Who made it and why it is `class`: the same for every change it wrote,
    /// so shared, and printed once per report rather than once per finding.
    #[serde(skip)]
    pub who: Arc<CommitFacts>,
    /// What it changed that the change depends on.
    pub wrote: Vec<String>,
}

/// The people of one commit and the evidence for its class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitFacts {
    pub author: Person,
    pub committer: Person,
    /// People named in its `Co-authored-by` lines.
    pub co_authors: Vec<Person>,
    /// Why the commit is `class` (from classification).
    pub evidence: Vec<String>,
    /// The class its own marks give, before a pull request's signals
    /// ([`crate::classify::Classified::own`]).
    #[serde(skip)]
    pub own_class: Class,
}

impl CommitFacts {
    pub fn of(a: &crate::history::Authored) -> CommitFacts {
        CommitFacts {
            author: a.commit.author.clone(),
            committer: a.commit.committer.clone(),
            co_authors: crate::classify::co_authors(&a.commit),
            evidence: a.by.evidence.clone(),
            own_class: a.by.own,
        }
    }
}

/// Who wrote one destructive change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Authorship {
    pub authored_by: AuthoredBy,
    pub basis: Basis,
    pub commits: Vec<AttributedCommit>,
    pub location: Option<SourceLocation>,
    /// Why the attribution is not specific, when it is not.
    pub note: Option<String>,
}

/// Who wrote something, from the commits that did: the least trusted author
/// decides (agent, then bot, then human); no commit at all is `unknown`.
pub fn authored_by(commits: &[AttributedCommit]) -> AuthoredBy {
    if commits.iter().any(|c| c.class == Class::Agent) {
        AuthoredBy::Agent
    } else if commits.iter().any(|c| c.class == Class::Bot) {
        AuthoredBy::Bot
    } else if commits.iter().any(|c| c.class == Class::Human) {
        AuthoredBy::Human
    } else {
        AuthoredBy::Unknown
    }
}
