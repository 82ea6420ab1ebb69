//! `plangate guard` from end to end: the edge that reads the hook's payload,
//! the configuration and any plan an apply would use, and returns what to
//! write and the exit code (the binary writes them). Every failure of its own
//! is the agent's blocking answer, with the reason.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::decide::{self, PlanFindings};
use super::hook::{self, Agent, Reply};
use super::{change_set, commands};
use crate::attribution::{AuthoredBy, Authorship, Basis};
use crate::config::{self, Config, GuardAnswer, GuardApprovals};
use crate::git::Git;

pub struct Options {
    /// `--agent`; `None`: told from the payload.
    pub agent: Option<Agent>,
    pub config: config::Location,
    /// The process's directory, for a payload that names none.
    pub dir: PathBuf,
    /// The process environment: the GitHub API's address, repository and
    /// token when `guard { approvals = "github" }`. The agent's commands
    /// cannot change the hook's environment.
    pub env: HashMap<String, String>,
}

const FIX: &str = "The guard blocks whenever it cannot decide; fix what it says (or ask a person \
    to run the command), then try again.";

/// Decide one hook call.
pub fn run(payload: &str, options: &Options) -> Reply {
    let call = match hook::read(payload, options.agent) {
        Ok(call) => call,
        Err(why) => {
            return hook::reply(
                options.agent,
                GuardAnswer::Deny,
                &format!("plangate guard cannot read the hook's input: {why}. {FIX}"),
            );
        }
    };
    let Some(command) = call.command.as_deref() else {
        return hook::reply(Some(call.agent), GuardAnswer::Allow, "");
    };
    let cwd = call
        .cwd
        .as_deref()
        .map_or_else(|| options.dir.clone(), PathBuf::from);
    let (config, root) = match configuration(&options.config, &cwd) {
        Ok(found) => found,
        Err(why) => {
            return hook::reply(
                Some(call.agent),
                GuardAnswer::Deny,
                &format!(
                    "plangate guard cannot read its configuration: {why}. {FIX}\n(held: {command})"
                ),
            );
        }
    };
    // Directories are judged relative to the repository's root.
    let relative = root
        .as_ref()
        .and_then(|r| cwd.strip_prefix(r).ok())
        .map(|p| {
            let s = p.to_string_lossy().replace('\\', "/");
            if s.is_empty() { ".".to_owned() } else { s }
        })
        .unwrap_or_else(|| cwd.to_string_lossy().into_owned());
    let base = root.clone().unwrap_or_else(|| PathBuf::from("/"));
    let decision = decide::decide(
        command,
        &relative,
        &config.guard,
        commands::builtin(),
        &mut |target| match target {
            decide::Target::Plan { path, .. } => {
                let held = judge_plan(&base.join(path), &config)?;
                match (&root, config.guard.approvals) {
                    (Some(root), GuardApprovals::GitHub) if !held.is_empty() => {
                        judge_approved(&base.join(path), root, options)
                    }
                    _ => Ok(held),
                }
            }
            decide::Target::ChangeSet(target) => {
                let plans = change_set::describe(target, &cwd)?;
                Ok(needs_approval(&plans, &config))
            }
        },
    );
    hook::reply(
        Some(call.agent),
        decision.answer,
        &decision.message(command),
    )
}

/// The configuration for a command run in `cwd`, and the repository's root
/// (`None` outside a repository: the built-in rules, unless --config names a file).
fn configuration(
    location: &config::Location,
    cwd: &Path,
) -> Result<(Config, Option<PathBuf>), String> {
    match Git::open(cwd) {
        Ok(git) => {
            let root = git.root().to_path_buf();
            let config = config::load(location, Some(&git)).map_err(|e| flat(&e))?;
            refuse_loosening_from_the_work_tree(location, &root, &config)?;
            Ok((config, Some(root)))
        }
        Err(_) if location.rev.is_some() => Err(format!(
            "{} is not in a git repository, so --config-ref cannot be read",
            cwd.display()
        )),
        Err(_) => {
            let config = match &location.path {
                Some(_) => config::load(location, None).map_err(|e| flat(&e))?,
                None => config::builtin().map_err(|e| flat(&e))?,
            };
            Ok((config, None))
        }
    }
}

/// The agent can write the work tree, `.plangate.hcl` included: a policy
/// read from there may tighten the guard, not loosen it. Loosening (asking
/// instead of denying, narrowing what is held or where, a built-in rule
/// overridden) counts only from a revision (`--config-ref`) or a file outside
/// the repository, which the hook's command names.
fn refuse_loosening_from_the_work_tree(
    location: &config::Location,
    root: &Path,
    config: &Config,
) -> Result<(), String> {
    if location.rev.is_some() {
        return Ok(());
    }
    let outside = location.path.as_ref().is_some_and(|p| {
        std::fs::canonicalize(p)
            .ok()
            .zip(std::fs::canonicalize(root).ok())
            .is_some_and(|(p, r)| !p.starts_with(r))
    });
    if outside {
        return Ok(());
    }
    let g = &config.guard;
    let mut loosened = Vec::new();
    if g.held != GuardAnswer::Deny {
        loosened.push("`held`");
    }
    if g.unresolved != GuardAnswer::Deny {
        loosened.push("`unresolved`");
    }
    if !g.commands.is_empty() {
        loosened.push("`commands`");
    }
    if !g.directories.is_empty() {
        loosened.push("`directories`");
    }
    if g.approvals != GuardApprovals::None {
        loosened.push("`approvals`");
    }
    if !config.policy.overrides().is_empty() {
        loosened.push("an `override` of a built-in rule");
    }
    if !config.policy.exceptions.is_empty() {
        loosened.push("an `exception`");
    }
    if loosened.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} loosens the guard ({}), and it is in the work tree, which the agent can write: give \
         the hook `--config-ref REV` (a revision the agent cannot change, such as origin/main) \
         or `--config FILE` outside the repository",
        config.source.as_deref().unwrap_or(".plangate.hcl"),
        loosened.join(", ")
    ))
}

/// What applying the saved plan at `path` needs approval for, by the policy,
/// every change counted as the agent's (it is the agent that would apply it).
fn judge_plan(path: &Path, config: &Config) -> Result<PlanFindings, String> {
    // As terraform opens it: links and `..` resolved on the file system.
    let path = std::fs::canonicalize(path)
        .map_err(|e| format!("{} cannot be opened ({e})", path.display()))?;
    // A plan is a regular file: a directory would be walked, a FIFO or a
    // device would block, and /proc's files never end.
    let special = ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| path.starts_with(p));
    let regular = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
    if special || !regular {
        return Err(format!(
            "{} is not a regular file, so it is not a saved plan",
            path.display()
        ));
    }
    let shown = path.display().to_string();
    let reading = crate::input::read_plans(std::slice::from_ref(&shown)).map_err(|e| flat(&e))?;
    if reading.plans.is_empty() {
        return Err(format!("{shown} is not a plan plangate reads"));
    }
    for plan in &reading.plans {
        if let Some(gap) = plan.gaps.first() {
            return Err(format!("{}: {gap}", plan.path));
        }
    }
    Ok(needs_approval(&reading.plans, config))
}

/// What of `plans` needs approval by the policy, every change counted as the
/// agent's (it is the agent that would apply it): one line per finding.
fn needs_approval(plans: &[crate::model::Plan], config: &Config) -> PlanFindings {
    let agent = Authorship {
        authored_by: AuthoredBy::Agent,
        basis: Basis::Nothing,
        commits: Vec::new(),
        location: None,
        note: None,
    };
    let authorship: Vec<BTreeMap<usize, Authorship>> = plans
        .iter()
        .map(|p| (0..p.changes.len()).map(|i| (i, agent.clone())).collect())
        .collect();
    let paths = vec![None; plans.len()];
    let findings = crate::gate::evaluate(
        &config.policy,
        plans,
        &paths,
        authorship,
        &[],
        "",
        &config.catalog,
    );
    findings
        .iter()
        .filter_map(|f| {
            let require = f.require.as_ref()?;
            let from = if require.from.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = require.from.iter().map(ToString::to_string).collect();
                format!(" from {}", names.join(", "))
            };
            Some(format!(
                "{} {} ({}: {} approval(s){from})",
                f.action.as_str(),
                f.address,
                f.rule,
                require.approvals
            ))
        })
        .collect()
}

/// `guard { approvals = "github" }`: a plan that needs approval, judged as
/// `plangate check --apply` judges it at the checked-out commit. It is
/// allowed only when the pull request that merged that commit recorded each
/// of its destructive items on its head and its reviews approve them; what
/// still blocks is what the agent is told.
///
/// The commits the findings are attributed to (whose authors cannot approve)
/// run from where the merged pull request's base and the commit meet: the
/// whole pull request, or more, never only its last commit (a rebase merge
/// leaves several commits on a first-parent line).
fn judge_approved(path: &Path, root: &Path, options: &Options) -> Result<PlanFindings, String> {
    let git = Git::open(root).map_err(|e| flat(&e))?;
    let head = git
        .commit_id("HEAD")
        .map_err(|e| flat(&e))?
        .ok_or("the repository has no commit checked out, so no pull request approved it")?;
    // The API's errors speak of a workflow; the guard's API comes from the
    // hook's environment.
    let api = |e: crate::approvals::ApprovalError| {
        format!(
            "{}. For the guard, the agent's environment gives the API: GITHUB_TOKEN (a token \
             that reads the repository's pull requests and check runs), GITHUB_REPOSITORY \
             (owner/name) and, for GitHub Enterprise, GITHUB_API_URL",
            flat(&e)
        )
    };
    let github = crate::approvals::github::GitHub::from_env(&options.env).map_err(api)?;
    let pulls = github.pulls_of_commit(&head).map_err(api)?;
    let Some(pull) = crate::gate::run::merged_pull(&pulls, &head).map_err(|e| flat(&e))? else {
        return Ok(vec![format!(
            "the checked-out commit {} came to its branch by no merged pull request, so no \
             review approved what the plan destroys or replaces (guard {{ approvals = \
             \"github\" }} allows only an apply at a merged pull request's commit)",
            &head[..head.len().min(12)]
        )]);
    };
    let pull_base = pull
        .value
        .pointer("/base/sha")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| format!("pull request #{} has no `base.sha`", pull.number))?;
    let base = git
        .merge_base(pull_base, &head)
        .map_err(|e| flat(&e))?
        .ok_or_else(|| {
            format!(
                "pull request #{}'s base {pull_base} shares no history with {head}: fetch the \
                 default branch's history (`git fetch origin`)",
                pull.number
            )
        })?;
    let checked = crate::gate::run::run(
        &crate::gate::run::Options {
            paths: vec![path.display().to_string()],
            templates: Vec::new(),
            base: Some(base),
            head: Some(head),
            config: options.config.clone(),
            approvals: crate::gate::run::ApprovalOption::Apply,
            env: options.env.clone(),
            dir: root.to_path_buf(),
            from_record: false,
            change_set_templates: Vec::new(),
        },
        &mut |_| {},
    )
    .map_err(|e| flat(&e))?;
    let report = &checked.report;
    if report.result == crate::gate::Verdict::Pass {
        return Ok(Vec::new());
    }
    let mut held: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.status == crate::gate::Status::Blocked)
        .map(|f| {
            let mut line = format!("{} {} ({})", f.action.as_str(), f.address, f.rule);
            if let Some(a) = &f.approval {
                line.push_str(&format!(
                    ": {} of {} approval(s) of pull request #{} count",
                    a.approved_by.len(),
                    a.required,
                    pull.number
                ));
            }
            if let Some(note) = &f.note {
                line.push_str(&format!("; {note}"));
            }
            line
        })
        .collect();
    held.extend(report.notes.iter().cloned());
    if held.is_empty() {
        held.push(format!(
            "`plangate check --apply` on this plan does not pass at pull request #{}",
            pull.number
        ));
    }
    Ok(held)
}

/// A diagnostic as one line, its help included.
pub(super) fn flat(e: &dyn miette::Diagnostic) -> String {
    let mut s = e.to_string();
    if let Some(help) = e.help() {
        s.push_str(&format!(" ({help})"));
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
