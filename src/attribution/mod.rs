//! Which commits wrote each destructive change.
//!
//! A commit wrote a change when it touched a declaration the change depends on
//! ([`targets`]): the resource's block, a module call on its path, a `moved` /
//! `removed` / `import` block naming it, a variable, local or `.tfvars` value it
//! uses; for CloudFormation the logical resource, the nested stacks leading to
//! its template, its parameters. When no commit touched any of those, the change
//! is attributed to every commit that changed infrastructure files, and the
//! evidence says so; when there is none, authorship is `unknown`.
//!
//! [`attribute`] is pure over the history and the configuration's files;
//! [`gather`] is the git edge that reads them.

pub mod eval;
pub mod targets;
pub mod template;
pub mod terraform;
pub mod touches;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::Class;
use crate::config::Attribution as Settings;
use crate::git::{CommitDiff, Git, GitError, Person};
use crate::history::History;
use crate::model::{Format, Plan};
pub use targets::Snapshot;
use targets::{Addressed, Dependencies, Repo};
use terraform::Decl;
use touches::{Site, Touch};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// They changed a declaration it depends on.
    Declaration,
    /// Nothing specific was found: every commit that changed infrastructure files.
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
    pub author: Person,
    pub committer: Person,
    /// People named in its `Co-authored-by` lines.
    pub co_authors: Vec<Person>,
    /// Why the commit is `class` (from classification).
    pub evidence: Vec<String>,
    /// What it changed that the change depends on.
    pub wrote: Vec<String>,
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

/// What [`attribute`] reads: the range's history, what each commit changed,
/// and the configuration's files at the head and the base.
pub struct Evidence<'a> {
    pub history: &'a History,
    pub diffs: &'a [CommitDiff],
    pub head: &'a Snapshot,
    pub base: &'a Snapshot,
    pub settings: &'a Settings,
}

/// Authorship of the changes `wanted` selects (by plan index and change), per
/// plan, keyed by change index. `plan_paths` gives each plan file's path
/// relative to the repository's root, when the plan is inside it.
pub fn attribute(
    plans: &[Plan],
    plan_paths: &[Option<String>],
    evidence: &Evidence<'_>,
    wanted: &dyn Fn(usize, &crate::model::Change) -> bool,
) -> Vec<BTreeMap<usize, Authorship>> {
    // By id, not searched per commit: that is quadratic in a long range.
    let diffs: std::collections::HashMap<&str, &CommitDiff> =
        evidence.diffs.iter().map(|d| (d.sha.as_str(), d)).collect();
    let touched: Vec<(Vec<Touch>, Vec<String>)> = evidence
        .history
        .commits
        .iter()
        .map(|a| {
            let diff = diffs.get(a.commit.sha.as_str());
            let files = diff.map(|d| d.files.as_slice()).unwrap_or_default();
            let infra = files
                .iter()
                .filter(|f| evidence.settings.is_infrastructure(&f.path))
                .map(|f| f.path.clone())
                .collect();
            (files.iter().flat_map(touches::touches).collect(), infra)
        })
        .collect();
    let mut repo = Repo::new(evidence.head, evidence.base);
    let tf_dirs = targets::terraform_dirs(&repo);
    plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            let rel = plan_paths.get(i).and_then(Option::as_deref);
            let roots = match plan.format {
                Format::Terraform => targets::terraform_roots(
                    &mut repo,
                    &plan.changes,
                    rel.and_then(|p| evidence.settings.terraform_root(p)),
                    rel.map(touches::dir_of).as_deref(),
                ),
                Format::CloudFormation => Vec::new(),
            };
            plan.changes
                .iter()
                .enumerate()
                .filter(|(_, c)| wanted(i, c))
                .map(|(ci, change)| {
                    let deps = match plan.format {
                        Format::Terraform => targets::terraform(&mut repo, &roots, change),
                        Format::CloudFormation => targets::cloudformation(&mut repo, change),
                    };
                    let scope = Scope {
                        roots: &roots,
                        tf_dirs: &tf_dirs,
                    };
                    (ci, decide(&deps, &scope, evidence.history, &touched))
                })
                .collect()
        })
        .collect()
}

struct Scope<'a> {
    roots: &'a [String],
    tf_dirs: &'a std::collections::BTreeSet<String>,
}

fn decide(
    deps: &Dependencies,
    scope: &Scope<'_>,
    history: &History,
    touched: &[(Vec<Touch>, Vec<String>)],
) -> Authorship {
    let mut commits = Vec::new();
    for (authored, (touches, _)) in history.commits.iter().zip(touched) {
        let wrote: Vec<String> = touches
            .iter()
            .filter_map(|t| wrote(t, deps, scope))
            .collect();
        if !wrote.is_empty() {
            commits.push(attributed(authored, dedup(wrote)));
        }
    }
    let (basis, note) = if !commits.is_empty() {
        (Basis::Declaration, None)
    } else {
        for (authored, (_, infra)) in history.commits.iter().zip(touched) {
            if !infra.is_empty() {
                let files = infra.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
                let more = if infra.len() > 5 { ", …" } else { "" };
                commits.push(attributed(
                    authored,
                    vec![format!("changed infrastructure files: {files}{more}")],
                ));
            }
        }
        let why = deps
            .unresolved
            .clone()
            .unwrap_or_else(|| "no commit in the range changed its declaration".into());
        if commits.is_empty() {
            (
                Basis::Nothing,
                Some(format!(
                    "{why}, and no commit in the range changed infrastructure files"
                )),
            )
        } else {
            (
                Basis::InfrastructureFiles,
                Some(format!(
                    "{why}; attributed to every commit that changed infrastructure files"
                )),
            )
        }
    };
    Authorship {
        authored_by: authored_by(&commits),
        basis,
        commits,
        location: deps.location.clone(),
        note,
    }
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

fn attributed(a: &crate::history::Authored, wrote: Vec<String>) -> AttributedCommit {
    AttributedCommit {
        sha: a.commit.sha.clone(),
        class: a.by.class,
        agent: a.by.agent().map(str::to_owned),
        author: a.commit.author.clone(),
        committer: a.commit.committer.clone(),
        co_authors: crate::classify::co_authors(&a.commit),
        evidence: a.by.evidence.clone(),
        wrote,
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}

/// What a touch did to something the change depends on, if anything.
fn wrote(touch: &Touch, deps: &Dependencies, scope: &Scope<'_>) -> Option<String> {
    let verb = touch.verb.as_str();
    let file = &touch.file;
    if let Some(target) = deps
        .targets
        .iter()
        .find(|t| same_site(&t.site, touch, scope))
    {
        return Some(format!(
            "{verb} {} in {file} ({})",
            describe(&touch.site),
            target.why
        ));
    }
    match &touch.site {
        Site::Tf { dir, decl } => {
            let written = match decl {
                Decl::Moved { from, to } => vec![from, to],
                Decl::Removed { from } => vec![from],
                Decl::Import { to } => vec![to],
                _ => return None,
            };
            let names = |a: &Addressed| a.dir == *dir && written.iter().any(|w| a.named_by(w));
            deps.addressed
                .iter()
                .any(names)
                .then(|| format!("{verb} {} in {file}, which names it", decl.describe()))
        }
        Site::TfUnreadable { dir } => {
            let in_scope = deps.addressed.iter().any(|a| a.dir == *dir)
                || deps
                    .targets
                    .iter()
                    .any(|t| matches!(&t.site, Site::Tf { dir: d, .. } if d == dir));
            in_scope.then(|| {
                format!(
                    "changed {file}, which plangate could not read (in the module that declares it)"
                )
            })
        }
        _ => None,
    }
}

fn same_site(target: &Site, touch: &Touch, scope: &Scope<'_>) -> bool {
    match (target, &touch.site) {
        (Site::Tfvar { name: a }, Site::Tfvar { name: b }) => {
            a == b && targets::tfvars_applies(&touch.file, scope.roots, scope.tf_dirs)
        }
        (a, b) => a == b,
    }
}

fn describe(site: &Site) -> String {
    match site {
        Site::Tf { decl, .. } => decl.describe(),
        Site::TfUnreadable { dir } => format!("a file of {dir}"),
        Site::Tfvar { name } => format!("the value of `{name}`"),
        Site::CfnResource { id, .. } => format!("resource `{id}`"),
        Site::CfnParameter { name, .. } => format!("parameter `{name}`"),
    }
}

/// Read from git what [`attribute`] needs: what each commit of the range
/// changed, and the configuration's files at the head and at the merge base.
/// `also` selects further files whose changes the caller wants (the gate's own
/// files, for file rules).
pub fn gather(
    git: &Git,
    history: &History,
    settings: &Settings,
    templates: bool,
    also: &dyn Fn(&str) -> bool,
) -> Result<(Vec<CommitDiff>, Snapshot, Snapshot), GitError> {
    let config_file = |p: &str| {
        touches::is_terraform(p)
            || touches::is_tfvars(p)
            || (templates && touches::may_be_template(p))
    };
    let keep = |p: &str| config_file(p) || settings.is_infrastructure(p) || also(p);
    let commits: Vec<_> = history.commits.iter().map(|a| a.commit.clone()).collect();
    let diffs = git.diffs(&commits, &keep)?;
    let snapshot = |rev: &str| -> Result<Snapshot, GitError> {
        Ok(Snapshot {
            rev: rev.to_owned(),
            files: git.files_at(rev, &config_file)?.into_iter().collect(),
        })
    };
    let head = snapshot(&history.range.head)?;
    let base = snapshot(&history.range.merge_base)?;
    Ok((diffs, head, base))
}
