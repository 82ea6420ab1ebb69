//! The policy: which changes need whose approval.
//!
//! Rules are data: the built-in ones in `rules/*.hcl` (compiled in), a
//! repository's own in `.plangate.hcl`. A repository may add rules and tighten
//! built-in ones freely; loosening a built-in (lower severity or approvals, a
//! different match or approver list, disabling it) needs `override = true`, and
//! `check` reports every override.

pub mod exception;
mod read;

use std::fmt;

use globset::GlobMatcher;
use serde::Serialize;

use crate::attribution::AuthoredBy;
use crate::model::Action;

pub use exception::Exception;
pub use read::{BUILTIN_RULES, read_policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Who may approve: a configured team, a GitHub login, or a GitHub team.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Approver {
    Team(String),
    Login(String),
    GitHubTeam { org: String, slug: String },
}

impl fmt::Display for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Approver::Team(t) => write!(f, "team:{t}"),
            Approver::Login(l) => f.write_str(l),
            Approver::GitHubTeam { org, slug } => write!(f, "@{org}/{slug}"),
        }
    }
}

impl Serialize for Approver {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A glob and the text it was written as.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    /// `None` for a glob without metacharacters, which matches only itself:
    /// most resource types in groups are such, and comparing them as strings
    /// spares compiling a regex each (about 7 KB and 0.1 ms apiece).
    matcher: Option<GlobMatcher>,
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, globset::Error> {
        let matcher = if text.contains(['*', '?', '[', ']', '{', '}', '\\']) {
            let glob = globset::GlobBuilder::new(text)
                .literal_separator(false)
                .build()?;
            Some(glob.compile_matcher())
        } else {
            None
        };
        Ok(Pattern {
            text: text.to_owned(),
            matcher,
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(s),
            None => self.text == s,
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// What a rule is about: planned changes, or files of the repository.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Changes {
        /// Empty: any action.
        actions: Vec<Action>,
        /// Resource types (globs); empty: any.
        resource_types: Vec<Pattern>,
        /// The resource groups the types came from, for display.
        resource_groups: Vec<String>,
        addresses: Vec<Pattern>,
        plans: Vec<Pattern>,
    },
    Files {
        /// `<config>` stands for the configuration file in use.
        files: Vec<Pattern>,
        /// The file's text (at the head or the base) must contain this.
        containing: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub subject: Subject,
    /// Empty: anyone. `agent` also matches `unknown` when unknown counts as agent.
    pub authored_by: Vec<AuthoredBy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Require {
    pub approvals: u32,
    /// Empty: any human who may approve.
    pub from: Vec<Approver>,
}

/// Where something was defined: a file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl Origin {
    /// One of the rules compiled into plangate (`rules/*.hcl` of its source),
    /// not a file of the repository being checked.
    pub fn is_builtin(&self) -> bool {
        read::BUILTIN_RULES
            .iter()
            .any(|(path, _)| *path == self.file)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_builtin() {
            write!(f, "plangate's built-in {}:{}", self.file, self.line)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub description: String,
    pub why: String,
    pub example: String,
    pub severity: Severity,
    pub matcher: Match,
    pub require: Option<Require>,
    pub origin: Origin,
    /// A built-in rule this one replaced with `override = true`, and how it loosens it.
    pub overrides: Option<Override>,
}

impl Rule {
    /// Approvals a finding of this rule needs (0 for warnings and info).
    pub fn approvals(&self) -> u32 {
        self.require.as_ref().map_or(0, |r| r.approvals)
    }
}

/// A built-in rule loosened on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub rule: String,
    pub builtin: Origin,
    pub by: Origin,
    /// What it loosens, in words ("approvals 2 → 1", "disabled").
    pub what: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub name: String,
    pub members: Vec<String>,
    pub origin: Origin,
}

/// A GitHub login and the e-mail addresses its owner commits with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub login: String,
    pub emails: Vec<String>,
    /// GitHub account ids of the login (they survive a rename).
    pub ids: Vec<u64>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceGroup {
    pub name: String,
    pub description: String,
    pub types: Vec<Pattern>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub rules: Vec<Rule>,
    /// Built-in rules disabled with `override = true` (kept to report them).
    pub disabled: Vec<Override>,
    pub teams: Vec<Team>,
    pub persons: Vec<Person>,
    pub groups: Vec<ResourceGroup>,
    /// Things worth knowing that are not errors (a team no rule uses).
    pub warnings: Vec<String>,
    /// `exception` blocks: a rule waived for some resources, until a date.
    pub exceptions: Vec<exception::Exception>,
}

impl Policy {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.name == name)
    }

    /// Every override: loosened and disabled built-ins.
    pub fn overrides(&self) -> Vec<&Override> {
        self.rules
            .iter()
            .filter_map(|r| r.overrides.as_ref())
            .chain(&self.disabled)
            .collect()
    }

    /// The exception that waives `rule` for `change`, if one does.
    pub fn exception_for(
        &self,
        rule: &str,
        change: &crate::model::Change,
    ) -> Option<&exception::Exception> {
        self.exceptions.iter().find(|e| e.waives(rule, change))
    }

    /// The login whose `person` entry lists this e-mail address.
    pub fn login_of_email(&self, email: &str) -> Option<&str> {
        self.person_of_email(email).map(|p| p.login.as_str())
    }

    /// The `person` entry that lists this e-mail address.
    pub fn person_of_email(&self, email: &str) -> Option<&Person> {
        let email = email.to_lowercase();
        self.persons.iter().find(|p| p.emails.contains(&email))
    }
}

#[cfg(test)]
mod tests;
