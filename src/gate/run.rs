//! `plangate check` from end to end: the edge that reads plans, history,
//! configuration and approvals, and hands them to the pure stages.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    ApprovalSource, Approvals, CONFIG_TOKEN, ChangedFile, Finding, PlanSummary, Report, Status,
};
use super::{items, record};
use crate::Error;
use crate::approvals::{self, ApprovalError, NoTeams, github::GitHub, gitlab::GitLab};
use crate::attribution::{self, Authorship, Basis, Evidence, Snapshot};
use crate::classify::pull::{self, PullFacts};
use crate::config::{self, Config};
use crate::git::{Git, RangeRequest};
use crate::history::{self, History};
use crate::input::{self, Reading};
use crate::model::{Action, Format};
use crate::policy::Subject;
use crate::provenance;

/// Where approvals should come from.
#[derive(Debug, Clone)]
pub enum ApprovalOption {
    /// `--preview`.
    Preview,
    /// `--approvals FILE`, with `--event FILE` (default `$GITHUB_EVENT_PATH`).
    File {
        reviews: String,
        event: Option<String>,
    },
    /// The GitHub API when running in Actions on a pull request; else none.
    Auto,
    /// `--apply`: the approvals of the merged pull request of the head, for
    /// the items its head's record holds.
    Apply,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<String>,
    /// `--template`: CloudFormation templates the change sets were made from.
    pub templates: Vec<String>,
    pub base: Option<String>,
    pub head: Option<String>,
    pub config: config::Location,
    pub approvals: ApprovalOption,
    /// The process environment (GitHub Actions and pre-commit variables).
    pub env: HashMap<String, String>,
    /// The repository's directory (or one inside it).
    pub dir: PathBuf,
    /// `--from-record`: judge the head's recorded destructive set, no plans.
    pub from_record: bool,
    /// `--change-set-template [STACK=]FILE`: `get-template` output of the
    /// change sets, compared with the head's templates.
    pub change_set_templates: Vec<String>,
}

/// What `check` produced, with what the renderers need to show snippets.
pub struct Checked {
    pub report: Report,
    /// The policy the report was judged by (for rule texts).
    pub policy: crate::policy::Policy,
    pub reading: Reading,
    pub head: Snapshot,
    pub base: Snapshot,
    pub root: PathBuf,
}

impl Checked {
    /// The text of a file at a revision of the range, for snippets.
    pub fn text_at(&self, file: &str, rev: &str) -> Option<&str> {
        [&self.head, &self.base]
            .into_iter()
            .find(|s| s.rev == rev)
            .and_then(|s| s.files.get(file))
            .map(String::as_str)
    }
}

pub fn run(
    options: &Options,
    progress: &mut dyn FnMut(input::Progress<'_>),
) -> Result<Checked, Error> {
    if options.from_record {
        return from_record(options);
    }
    // The plans and the repository do not depend on each other until
    // attribution: read them on both cores. The plans' errors come first, as
    // they would read one after the other.
    let (reading, repository) = std::thread::scope(|s| {
        let repository = s.spawn(|| Repository::read(options, true));
        let reading = input::read_plans_with(&options.paths, progress);
        // A panic is a bug; resume it rather than hide it behind an error.
        let repository = repository
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (reading, repository)
    });
    let reading = reading?;
    for plan in &reading.plans {
        if let Some(gap) = plan.gaps.first() {
            return Err(Error::Incomplete {
                path: plan.path.clone(),
                gap: gap.to_string(),
            });
        }
    }
    let Repository {
        git,
        config,
        event,
        mut history,
        root,
        config_path,
        gathered,
    } = repository?;
    let pull_notes = apply_pull_signals(options, event.as_ref(), &config, &mut history)?;
    let head_note = event_head_note(event.as_ref(), &history.range.head);
    let plan_paths: Vec<Option<String>> = reading
        .plans
        .iter()
        .map(|p| relative(&root, &p.path))
        .collect();
    let watched = |p: &str| watched_file(&config, &config_path, p);
    let templates = reading
        .plans
        .iter()
        .any(|p| p.format == Format::CloudFormation);
    let (diffs, head, base) = match gathered {
        Some((guess, gathered)) if guess == templates => gathered,
        _ => attribution::gather(&git, &history, &config.attribution, templates, &watched)?,
    };
    // Judging a plan against a history it was not made from would attribute
    // and approve changes it does not hold: refuse it before anything else.
    let mut provenance_notes = Vec::new();
    for (plan, rel) in reading.plans.iter().zip(&plan_paths) {
        if plan.format != Format::Terraform {
            continue;
        }
        let root = attribution::plan_root(&head, &base, plan, rel.as_deref(), &config.attribution);
        provenance_notes.extend(provenance::check(plan, &root, &head)?);
    }
    provenance_notes.extend(change_set_templates(
        &options.change_set_templates,
        &reading.plans,
        &plan_paths,
        &config,
        &git,
        &history.range.head,
    )?);
    let revisions = git.revisions();
    let trees = RevisionTrees(&revisions);
    let evidence = Evidence {
        history: &history,
        diffs: &diffs,
        head: &head,
        base: &base,
        settings: &config.attribution,
        trees: Some(&trees),
    };
    let wanted = |pi: usize, change: &crate::model::Change| {
        let mut paths = vec![reading.plans[pi].path.as_str()];
        if let Some(Some(rel)) = plan_paths.get(pi) {
            paths.push(rel);
        }
        super::wanted(&config.policy, &paths, change)
    };
    let authorship = attribution::attribute(&reading.plans, &plan_paths, &evidence, &wanted);
    // A file that could not be read is not a file that is absent: exit 2.
    if let Some(e) = revisions.failure() {
        return Err(e.into());
    }
    let files = changed_files(&history, &diffs, &watched);
    let mut findings = super::evaluate(
        &config.policy,
        &reading.plans,
        &plan_paths,
        authorship,
        &files,
        &config_path,
        &config.catalog,
    );
    let destructive_set = items::identify(&mut findings, &|f| {
        item_facts(f, &reading.plans, &head, &files)
    });
    let needs_approval = findings.iter().any(|f| f.require.is_some());
    let context = context(&config, &history);
    let (source, push_notes) = judge(
        &options.approvals,
        &options.env,
        event.as_ref(),
        needs_approval,
        &mut findings,
        &destructive_set,
        Some(&context),
        &git,
        &history,
        &config,
    )?;
    let mut notes: Vec<String> = reading
        .plans
        .iter()
        .flat_map(|p| p.notes.iter().map(move |n| format!("{}: {n}", p.path)))
        .collect();
    notes.extend(head_note);
    notes.extend(provenance_notes);
    notes.extend(reading.duplicates.iter().map(|d| {
        format!(
            "{} is the same plan as {} (the same JSON document): read once, as {}",
            d.path, d.same_as, d.same_as
        )
    }));
    notes.extend(config.policy.warnings.iter().cloned());
    notes.extend(pull_notes);
    notes.extend(push_notes);
    if source == ApprovalSource::None && findings.iter().any(|f| f.status == Status::Blocked) {
        notes.push(
            "no approval source (not a pull request in GitHub Actions, no --approvals FILE): \
             every finding that needs approval blocks; --preview shows what they need"
                .into(),
        );
    }
    let report = Report {
        version: 1,
        result: super::verdict(&findings),
        range: history.range.clone(),
        plans: reading
            .plans
            .iter()
            .map(|p| PlanSummary {
                path: p.path.clone(),
                format: p.format,
                changes: p.changes.len(),
            })
            .collect(),
        commits: super::commit_table(&findings),
        ungated: super::ungated(&reading.plans, &findings),
        exceptions: super::exception_uses(&config.policy, &findings),
        findings,
        destructive_set,
        overrides: config.policy.overrides().into_iter().cloned().collect(),
        approvals: source,
        notes,
        config: config
            .source
            .clone()
            .unwrap_or_else(|| "built-in rules only".into()),
    };
    Ok(Checked {
        report,
        policy: config.policy,
        reading,
        head,
        base,
        root,
    })
}

/// `--change-set-template [STACK=]FILE`: each change set's template, as
/// CloudFormation kept it, compared with the head's. Change sets given
/// without one are named in a note: they are not compared.
fn change_set_templates(
    given: &[String],
    plans: &[crate::model::Plan],
    plan_paths: &[Option<String>],
    config: &Config,
    git: &Git,
    head: &str,
) -> Result<Vec<String>, Error> {
    let change_sets: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].format == Format::CloudFormation)
        .collect();
    let stack_of = |i: usize| {
        plans[i]
            .changes
            .iter()
            .find(|c| c.declared.path.is_empty())
            .and_then(|c| c.declared.stack.clone())
    };
    let refuse = |why: String| provenance::ProvenanceError::Unknown {
        path: given.join(", "),
        head: head.chars().take(12).collect(),
        why,
        help: "give `--change-set-template STACK=FILE` for each change set (its StackName), or \
               `--change-set-template FILE` with one change set"
            .into(),
    };
    let mut compared = std::collections::BTreeSet::new();
    for arg in given {
        let (stack, file) = match arg.split_once('=') {
            Some((stack, file)) => (Some(stack), file),
            None => (None, arg.as_str()),
        };
        let plan = match stack {
            Some(stack) => change_sets
                .iter()
                .copied()
                .find(|&i| stack_of(i).as_deref() == Some(stack))
                .ok_or_else(|| refuse(format!("no change set given is of the stack `{stack}`")))?,
            None => match change_sets.as_slice() {
                [one] => *one,
                [] => return Err(refuse("no CloudFormation change set was given".into()).into()),
                _ => {
                    return Err(refuse(format!(
                        "{} change sets were given, and {file} does not say which it is of",
                        change_sets.len()
                    ))
                    .into());
                }
            },
        };
        let name = stack_of(plan);
        let template = name
            .as_deref()
            .and_then(|n| config.attribution.stack(n))
            .map(|s| s.template.clone())
            .or_else(|| match config.attribution.templates.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            })
            .ok_or_else(|| {
                refuse(format!(
                    "which of the head's templates the stack `{}` is deployed from is not said",
                    name.as_deref().unwrap_or("(unnamed)")
                ))
            })?;
        let submitted = std::fs::read_to_string(file)
            .map_err(|e| refuse(format!("{file} cannot be read: {e}")))?;
        let text = git.file_at(head, &template)?;
        let plan_name = plan_paths[plan]
            .clone()
            .unwrap_or_else(|| plans[plan].path.clone());
        provenance::template::check(
            &plan_name,
            file,
            &submitted,
            &provenance::template::HeadTemplate {
                path: &template,
                text: text.as_deref(),
                rev: head,
            },
        )?;
        compared.insert(plan);
    }
    Ok(change_sets
        .iter()
        .filter(|i| !compared.contains(i))
        .map(|&i| {
            format!(
                "{}: not compared with the head's template (give --change-set-template with the \
                 output of `aws cloudformation get-template --change-set-name …` to check that \
                 the change set was made from the head)",
                plans[i].path
            )
        })
        .collect())
}

/// What is known of a finding's declaration at the head (its block, or for
/// a file finding the file), and its deposed key.
fn item_facts(
    f: &Finding,
    plans: &[crate::model::Plan],
    head: &Snapshot,
    files: &[ChangedFile],
) -> items::Facts {
    use items::Declaration;
    let gone = matches!(f.action, Action::Delete | Action::Forget);
    match f.target {
        super::Target::Change { plan, change } => {
            let text = f
                .location
                .as_ref()
                .filter(|l| l.rev == head.rev)
                .and_then(|at| {
                    let text = head.files.get(&at.file)?;
                    items::lines_of(text, at.lines.start, at.lines.end)
                });
            items::Facts {
                declaration: match text {
                    Some(text) => Declaration::Text(text),
                    None if gone => Declaration::Absent,
                    None => Declaration::NotFound,
                },
                deposed: plans
                    .get(plan)
                    .and_then(|p| p.changes.get(change))
                    .and_then(|c| c.deposed.clone()),
            }
        }
        super::Target::File => items::Facts {
            declaration: if f.action == Action::Delete {
                Declaration::Absent
            } else {
                files
                    .iter()
                    .find(|c| c.path == f.address)
                    .map_or(Declaration::NotFound, |c| Declaration::Text(c.text.clone()))
            },
            deposed: None,
        },
        // Re-judged findings keep their recorded ids.
        super::Target::Recorded => items::Facts {
            declaration: Declaration::NotFound,
            deposed: None,
        },
    }
}

/// What `check` reads from the repository before it knows the plans.
struct Repository {
    git: Git,
    config: Config,
    event: Option<Value>,
    history: History,
    root: PathBuf,
    /// The configuration file as the history names it ("" when outside the repository).
    config_path: String,
    /// The files attribution reads, gathered on a guess of whether any plan is
    /// a CloudFormation change set (which widens what is read): the guess and
    /// what it gathered. A wrong guess is gathered again. `None` when not asked.
    gathered: Option<(bool, Gathered)>,
}

type Gathered = (Vec<crate::git::CommitDiff>, Snapshot, Snapshot);

impl Repository {
    fn read(options: &Options, gather: bool) -> Result<Repository, Error> {
        let git = Git::open(&options.dir)?;
        let mut config = config::load(&options.config, Some(&git))?;
        config.attribution.templates = options.templates.clone();
        let event = event(&options.env)?;
        let request = RangeRequest::new(
            options.base.as_deref(),
            options.head.as_deref(),
            &options.env,
            event.as_ref(),
        )?;
        let history = history::read(&git, &request, &config.catalog)?;
        let root = git.root().to_path_buf();
        // As the history names it: `--config ./.plangate.hcl` or an absolute path
        // is still the file whose edits `<config>` rules watch. A file outside the
        // repository has no edits in it ("" matches no path).
        let config_path =
            config::repository_name(&options.config, &root, &options.dir).unwrap_or_default();
        // `--template` names CloudFormation templates; without it, most plans are Terraform's.
        let guess = !options.templates.is_empty();
        let watched = |p: &str| watched_file(&config, &config_path, p);
        let gathered = match gather {
            true => Some((
                guess,
                attribution::gather(&git, &history, &config.attribution, guess, &watched)?,
            )),
            false => None,
        };
        Ok(Repository {
            git,
            config,
            event,
            history,
            root,
            config_path,
            gathered,
        })
    }
}

/// Files at any revision, for attribution's evaluation of `count` / `for_each`.
struct RevisionTrees<'a>(&'a crate::git::Revisions);

impl attribution::Trees for RevisionTrees<'_> {
    fn text(&self, rev: &str, path: &str) -> Option<String> {
        self.0.text(rev, path)
    }
    fn list(&self, rev: &str, dir: &str) -> Vec<String> {
        self.0.list(rev, dir)
    }
}

/// The GitHub event payload, in Actions.
fn event(env: &HashMap<String, String>) -> Result<Option<Value>, Error> {
    let in_actions = env.get("GITHUB_ACTIONS").map(String::as_str) == Some("true");
    let Some(path) = env
        .get("GITHUB_EVENT_PATH")
        .filter(|p| in_actions && !p.is_empty())
    else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| crate::git::GitError::Event {
        path: path.clone(),
        why: e.to_string(),
    })?;
    Ok(Some(serde_json::from_str(&text).map_err(|e| {
        crate::git::GitError::Event {
            path: path.clone(),
            why: e.to_string(),
        }
    })?))
}

/// The pull request's agent signals applied to the history, and the note
/// that says so when one made every commit an agent's.
/// A pull request's reviews are given on its head: when the commit checked is
/// another (`--head`, or a checkout of the merge commit with range flags), none
/// of them can count for it, and the report says why rather than leaving every
/// approval silently stale.
fn event_head_note(event: Option<&Value>, head: &str) -> Option<String> {
    let pr = event?.get("pull_request")?;
    let event_head = pr.pointer("/head/sha")?.as_str()?;
    if event_head.eq_ignore_ascii_case(head) {
        return None;
    }
    let number = pr.get("number").and_then(Value::as_u64).unwrap_or(0);
    Some(format!(
        "warning: the event's pull request #{number} has head {event_head}, but the commit \
         checked is {head}: reviews are given on the pull request's head, so none counts here. \
         Check the pull request's head (actions/checkout with `ref: ${{{{ \
         github.event.pull_request.head.sha }}}}`, and no --head)"
    ))
}

fn apply_pull_signals(
    options: &Options,
    event: Option<&Value>,
    config: &Config,
    history: &mut History,
) -> Result<Vec<String>, Error> {
    let head = history.range.head.clone();
    let Some(pr) = pull_facts(&options.approvals, &options.env, event, config, &head)? else {
        return Ok(Vec::new());
    };
    let signals = history.apply_pull_request(&pr, &config.catalog);
    Ok(if signals.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{}: every commit of the range counts as agent-written",
            signals.join("; ")
        )]
    })
}

/// The pull request's facts for its agent signals (`agents { pull_request_* }`):
/// from the event payload (`--event FILE` with `--approvals`, else Actions'
/// `GITHUB_EVENT_PATH`), and from `GET /repos/{o}/{r}/pulls/{n}` when the
/// payload lacks them and the API is how approvals are read. No pull request
/// (a push, a local run): none. A pull request whose facts cannot be read is
/// an error, never "no signal".
fn pull_facts(
    option: &ApprovalOption,
    env: &HashMap<String, String>,
    event: Option<&Value>,
    config: &Config,
    head: &str,
) -> Result<Option<PullFacts>, Error> {
    let settings = &config.catalog.settings;
    if !pull::enabled(settings) {
        return Ok(None);
    }
    let refuse = |source_name: &str, field: &str| ApprovalError::PullRequestFacts {
        source_name: source_name.to_owned(),
        field: field.to_owned(),
    };
    match option {
        // The merged pull request's signals, as they were when it merged.
        ApprovalOption::Apply => {
            let github = GitHub::from_env(env)?;
            let pulls = github.pulls_of_commit(head)?;
            let Some(pull) = merged_pull(&pulls, head)? else {
                return Ok(None);
            };
            match PullFacts::read(&pull.value, settings) {
                Ok(facts) => Ok(Some(facts)),
                Err(_) => {
                    let (path, pr) = github.pull_request(pull.number)?;
                    Ok(Some(
                        PullFacts::read(&pr, settings).map_err(|field| refuse(&path, field))?,
                    ))
                }
            }
        }
        ApprovalOption::File { event: path, .. } => {
            let path = path.clone().or_else(|| {
                env.get("GITHUB_EVENT_PATH")
                    .cloned()
                    .filter(|p| !p.is_empty())
            });
            // Without an event, reading the approvals fails and says so.
            let Some(path) = path else { return Ok(None) };
            let text = std::fs::read_to_string(&path).map_err(|e| ApprovalError::Event {
                path: path.clone(),
                why: e.to_string(),
            })?;
            let value: Value = serde_json::from_str(&text).map_err(|e| ApprovalError::Event {
                path: path.clone(),
                why: e.to_string(),
            })?;
            let Some(pr) = value.get("pull_request") else {
                return Ok(None);
            };
            Ok(Some(
                PullFacts::read(pr, settings).map_err(|field| refuse(&path, field))?,
            ))
        }
        ApprovalOption::Auto | ApprovalOption::Preview if gitlab_merge_request(env).is_some() => {
            let iid = gitlab_merge_request(env).unwrap_or_default();
            let (path, mr) = GitLab::from_env(env)?.merge_request(iid)?;
            Ok(Some(
                approvals::gitlab::pull_facts(&mr).map_err(|field| refuse(&path, field))?,
            ))
        }
        ApprovalOption::Auto | ApprovalOption::Preview => {
            let Some(pr) = event.and_then(|e| e.get("pull_request")) else {
                return Ok(None);
            };
            let source_name = env
                .get("GITHUB_EVENT_PATH")
                .cloned()
                .unwrap_or_else(|| "the event payload".into());
            match PullFacts::read(pr, settings) {
                Ok(facts) => Ok(Some(facts)),
                Err(field) => {
                    let Some(number) = pr.get("number").and_then(Value::as_u64) else {
                        return Err(refuse(&source_name, field).into());
                    };
                    let github = GitHub::from_env(env)?;
                    let (path, pr) = github.pull_request(number)?;
                    Ok(Some(
                        PullFacts::read(&pr, settings).map_err(|field| refuse(&path, field))?,
                    ))
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)] // the run's facts, passed once from `run`
fn judge(
    option: &ApprovalOption,
    env: &HashMap<String, String>,
    event: Option<&Value>,
    needs_approval: bool,
    findings: &mut [Finding],
    set: &items::DestructiveSet,
    record_with: Option<&record::Context>,
    git: &Git,
    history: &History,
    config: &Config,
) -> Result<(ApprovalSource, Vec<String>), Error> {
    let head = history.range.head.as_str();
    let only_head = approvals::Approvable::head(head);
    let policy = &config.policy;
    let catalog = &config.catalog;
    match option {
        ApprovalOption::Preview => {
            super::decide(findings, Approvals::Preview, &only_head, policy, catalog)?;
            Ok((ApprovalSource::Preview, Vec::new()))
        }
        ApprovalOption::File {
            reviews,
            event: event_path,
        } => {
            let event_path = event_path.clone().or_else(|| {
                env.get("GITHUB_EVENT_PATH")
                    .cloned()
                    .filter(|p| !p.is_empty())
            });
            let (mut read, pushes) = approvals::file::read(reviews, event_path.as_deref())?;
            let number = read.pull_request.as_ref().map_or(0, |p| p.number);
            let notes = match pushes {
                Some(pushes) => {
                    // The pushes are placed only for the head branch: without its
                    // name none would be, and every approval would need more.
                    let head_ref = read
                        .pull_request
                        .as_ref()
                        .and_then(|p| p.head_ref.clone())
                        .ok_or_else(|| approvals::ApprovalError::HeadBranch {
                            number,
                            field: "head.ref".into(),
                        })?;
                    let git_ref = format!("refs/heads/{head_ref}");
                    let pushers = place_pushes(&git_ref, &pushes, history);
                    let notes = pusher_notes(&pushers);
                    read.pushers = Some(pushers);
                    notes
                }
                None if needs_approval => vec![format!(
                    "{reviews} has no `pushes`: who pushed the commits was not checked (a pusher \
                     of a commit, or the last pusher of an agent's head, may have approved)"
                )],
                None => Vec::new(),
            };
            super::decide(
                findings,
                Approvals::Reviews {
                    reviews: &read,
                    teams: &mut NoTeams,
                },
                &only_head,
                policy,
                catalog,
            )?;
            Ok((
                ApprovalSource::File {
                    path: reviews.clone(),
                    pull_request: number,
                },
                notes,
            ))
        }
        ApprovalOption::Apply => apply(env, findings, set, git, history, config),
        ApprovalOption::Auto if gitlab_merge_request(env).is_some() => {
            let iid = gitlab_merge_request(env).unwrap_or_default();
            let source = ApprovalSource::GitLab { merge_request: iid };
            if !needs_approval {
                return Ok((source, Vec::new()));
            }
            let mut gitlab = GitLab::from_env(env)?;
            let reviews = gitlab.reviews(iid)?;
            let mut notes = vec![
                "GitLab: who pushed each commit is not read (GitLab's API does not tie a push \
                 to a merge request's versions), so a pusher of an attributed commit is not \
                 told apart from other approvers"
                    .to_owned(),
            ];
            if let Some(mr) = reviews.pull_request.as_ref()
                && !mr.head_sha.eq_ignore_ascii_case(head)
            {
                notes.push(format!(
                    "warning: merge request !{iid} has head {}, but the commit checked is {head} \
                     (a merged-results pipeline checks out the merge): approvals are given on \
                     the merge request's head, so none counts here. Plan the head: `git \
                     checkout $CI_MERGE_REQUEST_SOURCE_BRANCH_SHA` before `terraform plan`",
                    mr.head_sha
                ));
            }
            super::decide(
                findings,
                Approvals::Reviews {
                    reviews: &reviews,
                    teams: &mut gitlab,
                },
                &only_head,
                policy,
                catalog,
            )?;
            Ok((source, notes))
        }
        ApprovalOption::Auto => {
            let number = event
                .and_then(|e| e.pointer("/pull_request/number"))
                .and_then(Value::as_u64);
            let Some(number) = number else {
                super::decide(findings, Approvals::None, &only_head, policy, catalog)?;
                return Ok((ApprovalSource::None, Vec::new()));
            };
            let source = ApprovalSource::GitHub {
                pull_request: number,
            };
            let github = GitHub::from_env(env);
            let mut notes = Vec::new();
            if let Some(context) = record_with
                && config.approvals.writes_records()
            {
                notes.extend(write_record(github.as_ref(), findings, set, head, context));
            }
            if !needs_approval {
                return Ok((source, notes));
            }
            let mut github = github?;
            let mut reviews = github.reviews(number)?;
            if let Some(pr) = &reviews.pull_request {
                let (git_ref, pushes) = github.pushes(pr)?;
                let pushers = place_pushes(&git_ref, &pushes, history);
                notes.extend(pusher_notes(&pushers));
                reviews.pushers = Some(pushers);
            }
            let approvable = match config.approvals.carry_over {
                true => carry(
                    &github, git, &reviews, findings, set, head, config, &mut notes,
                )?,
                false => only_head,
            };
            super::decide(
                findings,
                Approvals::Reviews {
                    reviews: &reviews,
                    teams: &mut github,
                },
                &approvable,
                policy,
                catalog,
            )?;
            let carried = findings
                .iter()
                .filter_map(|f| f.approval.as_ref())
                .map(|a| a.carried.len())
                .sum::<usize>();
            if carried > 0 {
                notes.push(format!(
                    "approvals {{ carry_over = \"same-destructive-set\" }}: {carried} approval(s) \
                     of earlier commits counted, each named with its commit"
                ));
            }
            Ok((source, notes))
        }
    }
}

/// The merge request of a GitLab merge request pipeline.
fn gitlab_merge_request(env: &HashMap<String, String>) -> Option<u64> {
    if env.get("GITLAB_CI").map(String::as_str) != Some("true") {
        return None;
    }
    env.get("CI_MERGE_REQUEST_IID")?.parse().ok()
}

/// `check --apply`: the plan's items judged against the approvals of the pull
/// request that merged the head. An item that the pull request's head's
/// record does not hold was shown to no reviewer and blocks whatever the
/// approvals; with no merged pull request (a direct push) every item blocks.
fn apply(
    env: &HashMap<String, String>,
    findings: &mut [Finding],
    set: &items::DestructiveSet,
    git: &Git,
    history: &History,
    config: &Config,
) -> Result<(ApprovalSource, Vec<String>), Error> {
    let head = history.range.head.as_str();
    let policy = &config.policy;
    let catalog = &config.catalog;
    let mut github = GitHub::from_env(env)?;
    let pulls = github.pulls_of_commit(head)?;
    let pull = merged_pull(&pulls, head)?;
    let only_head = approvals::Approvable::head(head);
    let Some(pull) = pull else {
        super::decide(findings, Approvals::None, &only_head, policy, catalog)?;
        let named: Vec<String> = findings
            .iter()
            .filter(|f| f.status == Status::Blocked)
            .map(|f| format!("{} {}", f.action.as_str(), f.address))
            .collect();
        let mut notes = vec![format!(
            "{} came to the branch by no merged pull request (a direct push): what it destroys \
             or replaces was approved by no one",
            short(head)
        )];
        if !named.is_empty() {
            notes[0].push_str(&format!(" ({})", named.join(", ")));
        }
        return Ok((
            ApprovalSource::Apply {
                pull_request: None,
                head: None,
            },
            notes,
        ));
    };
    let approved_head = pull.head_sha.as_str();
    let source = ApprovalSource::Apply {
        pull_request: Some(pull.number),
        head: Some(approved_head.to_owned()),
    };
    let mut notes = Vec::new();
    let app = config.approvals.record_app.as_str();
    let (records, unreadable) = read_records(&github, approved_head, app, &mut notes)?;
    if let Some(why) = &unreadable {
        notes.push(format!(
            "the head {} of pull request #{}: {why}; nothing is taken as shown to its reviewers",
            short(approved_head),
            pull.number
        ));
    }
    let records = if unreadable.is_some() {
        Vec::new()
    } else {
        records
    };
    let mut reviews = github.reviews(pull.number)?;
    if let Some(pr) = &reviews.pull_request {
        let (git_ref, pushes) = github.pushes(pr)?;
        let commits: Vec<(&str, &[String])> = history
            .commits
            .iter()
            .map(|a| (a.commit.sha.as_str(), a.commit.parents.as_slice()))
            .collect();
        let pushers = approvals::pushes::place(&git_ref, &pushes, &commits, approved_head);
        notes.extend(pusher_notes(&pushers));
        reviews.pushers = Some(pushers);
    }
    let approvable = match config.approvals.carry_over {
        true => carry(
            &github,
            git,
            &reviews,
            findings,
            set,
            approved_head,
            config,
            &mut notes,
        )?,
        false => approvals::Approvable::head(approved_head),
    };
    super::decide(
        findings,
        Approvals::Reviews {
            reviews: &reviews,
            teams: &mut github,
        },
        &approvable,
        policy,
        catalog,
    )?;
    let unseen = unseen(findings, set, &records);
    for &i in &unseen {
        let f = &mut findings[i];
        f.status = Status::Blocked;
        if let Some(a) = &mut f.approval {
            a.satisfied = false;
        }
        let why = format!(
            "not in the destructive set recorded on the head {} of pull request #{}: no reviewer \
             was shown it (a concurrent merge, drift, a changed variable); approve it in a pull \
             request, or plan again",
            short(approved_head),
            pull.number
        );
        f.note = Some(match f.note.take() {
            Some(note) => format!("{note}; {why}"),
            None => why,
        });
    }
    if records.is_empty() && unreadable.is_none() {
        notes.push(format!(
            "plangate has no record of the head {} of pull request #{} by {app}: no item counts \
             as shown to its reviewers (the pull request's runs record it with approvals {{ \
             record = true }} and `checks: write`)",
            short(approved_head),
            pull.number
        ));
    }
    if !unseen.is_empty() {
        notes.push(format!(
            "{} item(s) of the plan were not in what pull request #{} recorded, so no approval \
             covers them",
            unseen.len(),
            pull.number
        ));
    }
    Ok((source, notes))
}

/// The pull request that merged `head`: the merged one whose merge commit it
/// is, or else the only merged one that holds it; `None` when none was merged
/// (a direct push). Several that could be it cannot be told apart: exit 2.
pub(crate) fn merged_pull<'a>(
    pulls: &'a [approvals::github::PullOfCommit],
    head: &str,
) -> Result<Option<&'a approvals::github::PullOfCommit>, Error> {
    let merged: Vec<_> = pulls.iter().filter(|p| p.merged).collect();
    let merging: Vec<_> = merged
        .iter()
        .copied()
        .filter(|p| p.merge_commit_sha.as_deref() == Some(head))
        .collect();
    match (merging.as_slice(), merged.as_slice()) {
        ([one], _) | ([], [one]) => Ok(Some(*one)),
        ([], []) => Ok(None),
        _ => {
            let numbers: Vec<String> = merged.iter().map(|p| format!("#{}", p.number)).collect();
            Err(Error::Apply {
                why: format!(
                    "{} was merged by several pull requests ({}), and which one's approvals \
                     apply cannot be told",
                    short(head),
                    numbers.join(", ")
                ),
            })
        }
    }
}

/// The findings (indices) that need approval and that no record holds: each
/// id counts as many times as the record holding it most often has it. A
/// record that kept only its digest holds the set only when the digest is
/// the set's.
fn unseen(
    findings: &[Finding],
    set: &items::DestructiveSet,
    records: &[record::Record],
) -> Vec<usize> {
    if records
        .iter()
        .any(|r| r.ids.is_none() && r.digest == set.digest)
    {
        return Vec::new();
    }
    let mut held: HashMap<&str, usize> = HashMap::new();
    for r in records {
        let mut here: HashMap<&str, usize> = HashMap::new();
        for id in r.ids.iter().flatten() {
            *here.entry(id.as_str()).or_default() += 1;
        }
        for (id, n) in here {
            let most = held.entry(id).or_default();
            *most = (*most).max(n);
        }
    }
    let mut out = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(item) = &f.item else { continue };
        match held.get_mut(item.id.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(i),
        }
    }
    out
}

/// Record the head's destructive set as a check run on it, for later runs to
/// carry approvals over. A record that cannot be written makes nothing pass
/// (without it, approvals of this commit carry nowhere), so it is a note.
fn write_record(
    github: Result<&GitHub, &ApprovalError>,
    findings: &[Finding],
    set: &items::DestructiveSet,
    head: &str,
    context: &record::Context,
) -> Option<String> {
    let record = record::of(findings, set, head, context);
    let written = github.map_err(ToString::to_string).and_then(|g| {
        g.create_check_run(
            head,
            record::CHECK_NAME,
            &record::summary(&record),
            &record::text(&record),
        )
        .map_err(|e| {
            let help = miette::Diagnostic::help(&e)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            format!("{e}{help}")
        })
    });
    written.err().map(|why| {
        format!(
            "the destructive set of {} was not recorded, so approvals of it will not carry over: {why}",
            short(head)
        )
    })
}

/// The records of `commit` made by `app`, and why one of them cannot be
/// read, if one cannot. Records made by any other app are named in `notes`.
fn read_records(
    github: &GitHub,
    commit: &str,
    app: &str,
    notes: &mut Vec<String>,
) -> Result<(Vec<record::Record>, Option<String>), Error> {
    let mut records = Vec::new();
    let mut unreadable = None;
    for run in github.check_runs(commit, record::CHECK_NAME)? {
        let url = run.url.as_deref().unwrap_or("no URL");
        if run.app.as_deref() != Some(app) {
            notes.push(format!(
                "a record of {} made by {} was ignored: only records made by {app} count ({url})",
                short(commit),
                run.app.as_deref().unwrap_or("an unnamed app")
            ));
            continue;
        }
        let parsed = match (&run.text, run.head_sha == commit) {
            (_, false) => Err(format!(
                "it is on {}, not on this commit",
                short(&run.head_sha)
            )),
            (None, _) => Err("it has no text".into()),
            (Some(text), true) => record::parse(text, commit),
        };
        match parsed {
            Ok(r) => records.push(r),
            Err(why) => {
                unreadable = Some(format!("its record by {app} cannot be read: {why} ({url})"))
            }
        }
    }
    Ok((records, unreadable))
}

/// What this run's findings are found with, for its record.
fn context(config: &Config, history: &History) -> record::Context {
    record::Context {
        config: config.digest.clone(),
        classes: record::classes(
            history
                .commits
                .iter()
                .map(|a| (a.commit.sha.as_str(), a.by.class, a.by.agent())),
        ),
    }
}

/// `check --from-record`: the head's recorded findings judged against the
/// pull request's reviews as they are now, without the plans.
fn from_record(options: &Options) -> Result<Checked, Error> {
    let refuse = |why: String| Error::Record { why };
    let Repository {
        git,
        config,
        event,
        mut history,
        root,
        ..
    } = Repository::read(options, false)?;
    if matches!(options.approvals, ApprovalOption::File { .. }) {
        return Err(refuse(
            "--from-record reads the record from GitHub, and --approvals FILE judges offline"
                .into(),
        ));
    }
    if !config.approvals.writes_records() {
        return Err(refuse(format!(
            "{} does not record destructive sets (approvals {{ record = true }}), so there is \
             no record to judge",
            config
                .source
                .as_deref()
                .unwrap_or("the built-in configuration")
        )));
    }
    let on_pull_request = event
        .as_ref()
        .and_then(|e| e.pointer("/pull_request/number"))
        .is_some();
    if !on_pull_request {
        return Err(refuse(
            "it is not running in GitHub Actions on a pull request, where records are".into(),
        ));
    }
    let mut notes = apply_pull_signals(options, event.as_ref(), &config, &mut history)?;
    let head = history.range.head.clone();
    let app = config.approvals.record_app.as_str();
    let github = GitHub::from_env(&options.env)?;
    let (records, unreadable) = read_records(&github, &head, app, &mut notes)?;
    if let Some(why) = unreadable {
        return Err(refuse(format!("the head {}: {why}", short(&head))));
    }
    let (mut findings, set) = super::rejudge::findings(
        &records,
        &context(&config, &history),
        &history,
        &config.policy,
    )
    .map_err(|why| refuse(format!("the head {}: {why}", short(&head))))?;
    notes.push(format!(
        "judged from plangate's record{} of {} by {app} ({} item(s) that need approval); no plan \
         was read",
        if records.len() == 1 { "" } else { "s" },
        short(&head),
        set.items
    ));
    let needs_approval = !findings.is_empty();
    let (source, push_notes) = judge(
        &options.approvals,
        &options.env,
        event.as_ref(),
        needs_approval,
        &mut findings,
        &set,
        None,
        &git,
        &history,
        &config,
    )?;
    notes.extend(config.policy.warnings.iter().cloned());
    notes.extend(push_notes);
    let empty = |rev: &str| Snapshot {
        rev: rev.to_owned(),
        files: Default::default(),
        links: Default::default(),
    };
    let report = Report {
        version: 1,
        result: super::verdict(&findings),
        range: history.range.clone(),
        plans: Vec::new(),
        commits: super::commit_table(&findings),
        ungated: Vec::new(),
        exceptions: super::exception_uses(&config.policy, &findings),
        findings,
        destructive_set: set,
        overrides: config.policy.overrides().into_iter().cloned().collect(),
        approvals: source,
        notes,
        config: config
            .source
            .clone()
            .unwrap_or_else(|| "built-in rules only".into()),
    };
    Ok(Checked {
        report,
        base: empty(&history.range.base),
        head: empty(&head),
        policy: config.policy,
        reading: Reading::default(),
        root,
    })
}

/// Which earlier commits' approvals carry to the head: those with a record
/// from the expected app, every one of which holds the head's whole set.
/// Records from any other app, or that cannot be read, are reported.
#[allow(clippy::too_many_arguments)] // the run's facts, passed once from `judge`
fn carry(
    github: &GitHub,
    git: &Git,
    reviews: &approvals::Reviews,
    findings: &[Finding],
    set: &items::DestructiveSet,
    head: &str,
    config: &Config,
    notes: &mut Vec<String>,
) -> Result<approvals::Approvable, Error> {
    let app = config.approvals.record_app.as_str();
    let mut out = approvals::Approvable::head(head);
    let approved: std::collections::BTreeSet<&str> = reviews
        .reviews
        .iter()
        .filter(|r| r.state == "APPROVED")
        .filter_map(|r| r.commit_id.as_deref())
        .filter(|c| *c != head)
        .collect();
    for commit in approved {
        let refuse = |out: &mut approvals::Approvable, why: String| {
            out.refused.insert(commit.to_owned(), why);
        };
        if !(commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())) {
            refuse(
                &mut out,
                "GitHub did not give it as a full commit id".into(),
            );
            continue;
        }
        let (records, unreadable) = read_records(github, commit, app, notes)?;
        if let Some(why) = unreadable {
            refuse(&mut out, why);
            continue;
        }
        if let Err(why) = record::covers(&records, findings, set) {
            refuse(&mut out, why);
            continue;
        }
        if git.commit_id(commit)?.is_none() {
            refuse(
                &mut out,
                "it is not in this clone's history, so what came after it cannot be told \
                 (fetch the pull request's history: actions/checkout with fetch-depth: 0)"
                    .into(),
            );
            continue;
        }
        let since = git.commits_between(commit, head)?.into_iter().collect();
        out.carry.push(approvals::CarryFrom {
            commit: commit.to_owned(),
            since,
        });
    }
    Ok(out)
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// The activity's pushes placed on the range's history.
fn place_pushes(
    git_ref: &str,
    pushes: &[approvals::Push],
    history: &History,
) -> approvals::Pushers {
    let commits: Vec<(&str, &[String])> = history
        .commits
        .iter()
        .map(|a| (a.commit.sha.as_str(), a.commit.parents.as_slice()))
        .collect();
    approvals::pushes::place(git_ref, pushes, &commits, &history.range.head)
}

/// What the report says about pushers plangate could not place.
fn pusher_notes(p: &approvals::Pushers) -> Vec<String> {
    let short = |s: &str| s.chars().take(7).collect::<String>();
    let mut notes = Vec::new();
    if !p.unknown.is_empty() {
        let list: Vec<String> = p.unknown.iter().map(|s| short(s)).collect();
        notes.push(format!(
            "no push in the activity of {} introduced {}: who pushed them is unknown, so a \
             finding attributed to one needs one more approval for each (any approver could be \
             its pusher)",
            p.git_ref,
            list.join(", ")
        ));
    }
    if p.last == approvals::LastPusher::Unknown {
        notes.push(format!(
            "no push in the activity of {} left it at the head: who pushed it last is unknown, \
             so a finding on an agent-written change needs one more approval (any approver \
             could be the last pusher)",
            p.git_ref
        ));
    }
    for (who, after) in &p.unplaced {
        notes.push(format!(
            "{} pushed {} to {}, which is not in the range's history: their approval does not \
             count for a finding attributed to the range's commits, which that push may have held",
            who.name(),
            short(after),
            p.git_ref
        ));
    }
    notes
}

/// Files the gate watches: what its file rules name.
fn watched_file(config: &Config, config_path: &str, path: &str) -> bool {
    config
        .policy
        .rules
        .iter()
        .any(|r| match &r.matcher.subject {
            Subject::Files { files, .. } => files.iter().any(|p| {
                if p.text == CONFIG_TOKEN {
                    path == config_path
                } else {
                    p.is_match(path)
                }
            }),
            Subject::Changes { .. } => false,
        })
}

/// One watched file as the range's commits changed it.
struct FileHistory<'a> {
    commits: Vec<&'a crate::history::Authored>,
    /// Its latest text (or, deleted, its last).
    text: Option<String>,
    existed_before: bool,
    exists_after: bool,
}

/// The watched files the range changed, each with the commits that changed it.
fn changed_files(
    history: &History,
    diffs: &[crate::git::CommitDiff],
    watched: &dyn Fn(&str) -> bool,
) -> Vec<ChangedFile> {
    let mut by_path: BTreeMap<String, FileHistory<'_>> = BTreeMap::new();
    // By id, not searched per commit: that is quadratic in a long range.
    let diffs: HashMap<&str, &crate::git::CommitDiff> =
        diffs.iter().map(|d| (d.sha.as_str(), d)).collect();
    for authored in &history.commits {
        let Some(diff) = diffs.get(authored.commit.sha.as_str()) else {
            continue;
        };
        for f in diff.files.iter().filter(|f| watched(&f.path)) {
            let entry = by_path
                .entry(f.path.clone())
                .or_insert_with(|| FileHistory {
                    commits: Vec::new(),
                    text: None,
                    existed_before: f.parents.first().is_some_and(Option::is_some),
                    exists_after: false,
                });
            entry.commits.push(authored);
            entry.exists_after = f.new.is_some();
            if let Some(text) = f
                .new
                .clone()
                .or_else(|| f.parents.first().cloned().flatten())
            {
                entry.text = Some(text);
            }
        }
    }
    by_path
        .into_iter()
        .map(|(path, file)| {
            let attributed: Vec<_> = file
                .commits
                .iter()
                .map(|a| attribution::AttributedCommit {
                    sha: a.commit.sha.clone(),
                    class: a.by.class,
                    agent: a.by.agent().map(str::to_owned),
                    who: std::sync::Arc::new(attribution::CommitFacts::of(a)),
                    wrote: vec![format!("changed {path}")],
                })
                .collect();
            let authored_by = attribution::authored_by(&attributed);
            ChangedFile {
                action: match (file.existed_before, file.exists_after) {
                    (false, _) => Action::Create,
                    (true, false) => Action::Delete,
                    (true, true) => Action::Update,
                },
                text: file.text.unwrap_or_default(),
                authorship: Authorship {
                    authored_by,
                    basis: Basis::Declaration,
                    commits: attributed,
                    location: None,
                    note: None,
                },
                path,
            }
        })
        .collect()
}

/// A plan's path relative to the repository's root, when it is inside it.
fn relative(root: &Path, path: &str) -> Option<String> {
    let absolute = std::fs::canonicalize(path).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    absolute
        .strip_prefix(&root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}
