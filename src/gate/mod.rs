//! The gate: rules applied to attributed changes (and to the gate's own files),
//! approvals judged, a report and one exit code.
//!
//! [`evaluate`] and [`decide`] are pure; [`run`] is the edge that reads plans,
//! history, configuration and approvals.

pub mod items;
pub mod record;
pub mod rejudge;
pub mod run;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::approvals::{self, Approvable, Approval, ApprovalError, Reviews, Teams};
use crate::attribution::{AttributedCommit, AuthoredBy, Authorship, Basis, SourceLocation};
use crate::classify::{Catalog, Counted};
use crate::git::Range;
use crate::model::{Action, Change, Plan};
use crate::policy::{Override, Policy, Require, Rule, Severity, Subject};

/// The token in a file rule's `files` that stands for the configuration in use.
pub const CONFIG_TOKEN: &str = "<config>";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Needs approvals it does not have.
    Blocked,
    /// Has the approvals it needs.
    Approved,
    Warning,
    Info,
    /// Waived by an `exception` of the configuration: shown, never blocks.
    Excepted,
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Change `change` of plan `plan` (indices into the reading).
    Change { plan: usize, change: usize },
    /// A file of the repository that the range changed.
    File,
    /// An item of a record, re-judged without its plan ([`rejudge`]).
    Recorded,
}

/// A file the range changed, with who changed it.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    pub path: String,
    pub action: Action,
    /// Its text at the head (or, deleted, at the base), for `containing`.
    pub text: String,
    pub authorship: Authorship,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// The plan file (`None` for a file finding).
    pub plan: Option<String>,
    pub address: String,
    pub resource_type: String,
    pub action: Action,
    pub reasons: Vec<String>,
    /// The attributes the plan says force a replacement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forced_by: Vec<String>,
    /// The plan file's path relative to the repository, when it is inside it
    /// (what SARIF and annotations may point at).
    #[serde(skip)]
    pub plan_in_repo: Option<String>,
    pub authored_by: AuthoredBy,
    pub commits: Vec<AttributedCommit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    pub basis: Basis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub require: Option<Require>,
    pub approval: Option<Approval>,
    pub status: Status,
    /// Its identity in the destructive set, when it needs approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<items::Item>,
    /// The `exception` that waives it (listed in [`Report::exceptions`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(skip)]
    pub target: Target,
}

/// Does the authorship match the rule's filter? `unknown` counts as `agent`
/// unless the configuration says otherwise. A rule written for humans or
/// bots also applies to a commit that a pull request's signal made an
/// agent's: the signal adds the agent's rules, it never takes a rule away.
fn author_matches(filter: &[AuthoredBy], who: Option<&Authorship>, unknown: Counted) -> bool {
    let by = who.map_or(AuthoredBy::Unknown, |a| a.authored_by);
    let own = who
        .into_iter()
        .flat_map(|a| &a.commits)
        .map(|c| match c.who.own_class {
            crate::classify::Class::Agent => AuthoredBy::Agent,
            crate::classify::Class::Human => AuthoredBy::Human,
            crate::classify::Class::Bot => AuthoredBy::Bot,
        });
    filter.is_empty()
        || filter.contains(&by)
        || own.into_iter().any(|c| filter.contains(&c))
        || (by == AuthoredBy::Unknown
            && unknown == Counted::Agent
            && filter.contains(&AuthoredBy::Agent))
}

/// Does a rule's subject match this change (authorship aside)? Plan paths are
/// matched as given and as relative to the repository.
pub fn change_matches(rule: &Rule, plan_paths: &[&str], change: &Change) -> bool {
    let Subject::Changes {
        actions,
        resource_types,
        addresses,
        plans,
        ..
    } = &rule.matcher.subject
    else {
        return false;
    };
    (actions.is_empty() || actions.contains(&change.action))
        && (resource_types.is_empty()
            || resource_types
                .iter()
                .any(|p| p.is_match(&change.resource_type)))
        && (addresses.is_empty() || addresses.iter().any(|p| p.is_match(&change.address)))
        && (plans.is_empty()
            || plans
                .iter()
                .any(|p| plan_paths.iter().any(|path| p.is_match(path))))
}

/// Changes that some rule is about, which attribution must look at.
pub fn wanted(policy: &Policy, plan_paths: &[&str], change: &Change) -> bool {
    policy
        .rules
        .iter()
        .any(|r| change_matches(r, plan_paths, change))
}

fn file_matches(rule: &Rule, file: &ChangedFile, config_path: &str) -> bool {
    let Subject::Files { files, containing } = &rule.matcher.subject else {
        return false;
    };
    let named = files.iter().any(|p| {
        if p.text == CONFIG_TOKEN {
            file.path == config_path
        } else {
            p.is_match(&file.path)
        }
    });
    named
        && containing
            .as_ref()
            .is_none_or(|c| file.text.contains(c.as_str()))
}

/// Apply every rule to every change and changed file. Each change's
/// authorship moves into its findings (a finding holds every commit that
/// wrote its change, so copying them for each would double the work).
pub fn evaluate(
    policy: &Policy,
    plans: &[Plan],
    plan_paths: &[Option<String>],
    mut authorship: Vec<BTreeMap<usize, Authorship>>,
    files: &[ChangedFile],
    config_path: &str,
    catalog: &Catalog,
) -> Vec<Finding> {
    let unknown = catalog.settings.unknown;
    let mut findings = Vec::new();
    for (pi, plan) in plans.iter().enumerate() {
        let mut paths = vec![plan.path.as_str()];
        if let Some(Some(rel)) = plan_paths.get(pi) {
            paths.push(rel);
        }
        for (ci, change) in plan.changes.iter().enumerate() {
            let mut who = authorship.get_mut(pi).and_then(|m| m.remove(&ci));
            let rules: Vec<&Rule> = policy
                .rules
                .iter()
                .filter(|rule| {
                    change_matches(rule, &paths, change)
                        && author_matches(&rule.matcher.authored_by, who.as_ref(), unknown)
                })
                .collect();
            for (n, rule) in rules.iter().enumerate() {
                let who = match n + 1 == rules.len() {
                    true => who.take(),
                    false => who.clone(),
                };
                let mut f = finding(
                    rule,
                    Some(plan.path.clone()),
                    change.address.clone(),
                    change.resource_type.clone(),
                    change.action,
                    change.reasons.iter().map(ToString::to_string).collect(),
                    who,
                    Target::Change {
                        plan: pi,
                        change: ci,
                    },
                );
                f.forced_by = change.forced_by.clone();
                f.plan_in_repo = plan_paths.get(pi).cloned().flatten();
                if let Some(e) = policy.exception_for(&rule.id, change) {
                    // Waived: it needs no approval, and is shown as waived.
                    f.status = Status::Excepted;
                    f.require = None;
                    f.exception = Some(e.name.clone());
                }
                findings.push(f);
            }
        }
    }
    for file in files {
        for rule in &policy.rules {
            if file_matches(rule, file, config_path)
                && author_matches(&rule.matcher.authored_by, Some(&file.authorship), unknown)
            {
                findings.push(finding(
                    rule,
                    None,
                    file.path.clone(),
                    "file".into(),
                    file.action,
                    Vec::new(),
                    Some(file.authorship.clone()),
                    Target::File,
                ));
            }
        }
    }
    findings
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rule: &Rule,
    plan: Option<String>,
    address: String,
    resource_type: String,
    action: Action,
    reasons: Vec<String>,
    who: Option<Authorship>,
    target: Target,
) -> Finding {
    let status = match rule.severity {
        Severity::Error => Status::Blocked,
        Severity::Warning => Status::Warning,
        Severity::Info => Status::Info,
    };
    let (authored_by, basis, commits, location, note) = match who {
        Some(a) => (a.authored_by, a.basis, a.commits, a.location, a.note),
        None => (AuthoredBy::Unknown, Basis::Nothing, Vec::new(), None, None),
    };
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        plan,
        address,
        resource_type,
        action,
        reasons,
        forced_by: Vec::new(),
        plan_in_repo: None,
        authored_by,
        basis,
        commits,
        location,
        note,
        require: rule.require.clone(),
        approval: None,
        status,
        item: None,
        exception: None,
        target,
    }
}

/// Where approvals come from.
pub enum Approvals<'a> {
    /// `--preview`: report what each finding needs, judge nothing.
    Preview,
    /// No source: every finding that needs approval blocks.
    None,
    Reviews {
        reviews: &'a Reviews,
        teams: &'a mut dyn Teams,
    },
}

/// Judge the approvals of every finding that needs some.
pub fn decide(
    findings: &mut [Finding],
    approvals: Approvals<'_>,
    counted: &Approvable,
    policy: &Policy,
    catalog: &Catalog,
) -> Result<(), ApprovalError> {
    let Approvals::Reviews { reviews, teams } = approvals else {
        // Nothing to judge: record what each finding needs, with nobody yet.
        for f in findings.iter_mut() {
            if let Some(require) = &f.require {
                f.approval = Some(Approval {
                    required: require.approvals,
                    approved_by: Vec::new(),
                    ignored: Vec::new(),
                    carried: Vec::new(),
                    satisfied: false,
                });
            }
        }
        return Ok(());
    };
    for f in findings.iter_mut() {
        let Some(require) = &f.require else { continue };
        let approval = approvals::judge(
            require, &f.commits, reviews, counted, policy, catalog, teams,
        )?;
        f.status = if approval.satisfied {
            Status::Approved
        } else {
            Status::Blocked
        };
        f.approval = Some(approval);
    }
    Ok(())
}

/// The whole result of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub result: Verdict,
    pub range: Range,
    pub plans: Vec<PlanSummary>,
    pub findings: Vec<Finding>,
    /// The findings that need approval, as one set ([`items`]).
    pub destructive_set: items::DestructiveSet,
    /// Each commit the findings are attributed to, once: who made it and the
    /// evidence for its class (a finding's commits give the sha, the class and
    /// what the commit wrote of that change).
    pub commits: Vec<CommitEntry>,
    /// The changes that destroy, replace or forget something and that no
    /// rule gates: shown, so that a reviewer sees every one the counts count.
    pub ungated: Vec<Ungated>,
    /// Built-in rules the configuration loosened on purpose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// The configuration's exceptions, each with how many findings it waived.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionUse>,
    /// Where approvals came from.
    pub approvals: ApprovalSource,
    /// Sentences worth showing (notes of the plans, the configuration's warnings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Where the configuration was read from.
    pub config: String,
}

/// A destructive change no rule matched ("also destroyed or replaced, not gated").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ungated {
    pub plan: String,
    pub address: String,
    pub resource_type: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
}

/// Every destructive change of `plans` that no finding is about.
pub fn ungated(plans: &[Plan], findings: &[Finding]) -> Vec<Ungated> {
    let gated: std::collections::HashSet<(usize, usize)> = findings
        .iter()
        .filter_map(|f| match f.target {
            Target::Change { plan, change } => Some((plan, change)),
            _ => None,
        })
        .collect();
    let gated = &gated;
    plans
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.changes
                .iter()
                .enumerate()
                .filter(move |(ci, c)| c.action.is_destructive() && !gated.contains(&(pi, *ci)))
                .map(move |(_, c)| Ungated {
                    plan: p.path.clone(),
                    address: c.address.clone(),
                    resource_type: c.resource_type.clone(),
                    action: c.action,
                    deposed: c.deposed.clone(),
                })
        })
        .collect()
}

/// An exception of the configuration, as a report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionUse {
    #[serde(flatten)]
    pub exception: crate::policy::Exception,
    /// How many findings of this run it waived.
    pub waived: usize,
}

/// Every exception of `policy`, with the findings each waived.
pub fn exception_uses(policy: &Policy, findings: &[Finding]) -> Vec<ExceptionUse> {
    policy
        .exceptions
        .iter()
        .map(|e| ExceptionUse {
            exception: e.clone(),
            waived: findings
                .iter()
                .filter(|f| f.exception.as_deref() == Some(e.name.as_str()))
                .count(),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ApprovalSource {
    Preview,
    None,
    #[serde(rename = "github")]
    GitHub {
        pull_request: u64,
    },
    File {
        path: String,
        pull_request: u64,
    },
    /// A GitLab merge request pipeline: the merge request's approvals.
    #[serde(rename = "gitlab")]
    GitLab {
        merge_request: u64,
    },
    /// `--apply`: the approvals of the pull request that merged the commit
    /// (`None`: none did), over the set recorded on its head.
    Apply {
        pull_request: Option<u64>,
        head: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    pub path: String,
    pub format: crate::model::Format,
    pub changes: usize,
}

impl Report {
    /// The contract's exit code: 0 every finding satisfied (or, previewing,
    /// decided), 1 at least one blocks. "Could not decide" (2) never gets a
    /// report: it is an error before one exists.
    pub fn exit_code(&self, preview: bool) -> u8 {
        match (self.result, preview) {
            (Verdict::Fail, false) => 1,
            _ => 0,
        }
    }

    /// A preview judges no approvals: "blocked" there means "will need approval".
    pub fn preview(&self) -> bool {
        self.approvals == ApprovalSource::Preview
    }

    pub fn blocked(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Blocked)
    }
}

/// One commit of [`Report::commits`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitEntry {
    pub sha: String,
    pub class: crate::classify::Class,
    pub agent: Option<String>,
    #[serde(flatten)]
    pub who: crate::attribution::CommitFacts,
}

/// The commits `findings` are attributed to, each once, in the order first named.
pub fn commit_table(findings: &[Finding]) -> Vec<CommitEntry> {
    let mut seen = std::collections::HashSet::new();
    findings
        .iter()
        .flat_map(|f| &f.commits)
        .filter(|c| seen.insert(c.sha.as_str()))
        .map(|c| CommitEntry {
            sha: c.sha.clone(),
            class: c.class,
            agent: c.agent.clone(),
            who: (*c.who).clone(),
        })
        .collect()
}

pub fn verdict(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.status == Status::Blocked) {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}
