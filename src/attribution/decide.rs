//! From closures to authors: which commits of the range touched what each
//! change depends on, whether that explains the plan's reason, and the
//! widening when it does not.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cfn::{self, StackSource};
use super::closure::{self, Closure, InstanceKey, Keyed, Matcher, RootInputs, VarFiles};
use super::eval;
use super::settings::Settings;
use super::targets::{self, Repo, Snapshot};
use super::terragrunt;
use super::touches::{self, Site, Touch, dir_of};
use super::{AttributedCommit, Authorship, Basis, authored_by};
use crate::git::{CommitDiff, Git, GitError};
use crate::history::{Authored, History};
use crate::model::{Action, Change, Format, Plan};

/// Files at any revision of the repository, for evaluating `count` and
/// `for_each` where a commit changed what decides them.
/// `Sync`: evaluations at different revisions run on threads of their own.
pub trait Trees: Sync {
    fn text(&self, rev: &str, path: &str) -> Option<String>;
    /// The paths of the files directly in `dir` at `rev`.
    fn list(&self, rev: &str, dir: &str) -> Vec<String>;
}

/// What [`attribute`] reads: the range's history, what each commit changed,
/// the configuration's files at the head and the base, and files at any
/// revision.
pub struct Evidence<'a> {
    pub history: &'a History,
    pub diffs: &'a [CommitDiff],
    pub head: &'a Snapshot,
    pub base: &'a Snapshot,
    pub settings: &'a Settings,
    pub trees: Option<&'a dyn Trees>,
}

/// What one commit changed, indexed.
struct Changed<'h> {
    authored: &'h Authored,
    touches: Vec<Touch>,
    paths: Vec<String>,
    /// Its people and class evidence, shared by every change it wrote.
    who: std::sync::Arc<super::CommitFacts>,
    /// For a merge, what it changed against its first parent (see
    /// [`CommitDiff::first_parent_paths`]), counted only when widening.
    mainline: Vec<String>,
    /// Infrastructure files it changed.
    infra: Vec<String>,
    /// Files that run terraform (any file, not configuration, that names
    /// terraform, OpenTofu, Terragrunt or their variables).
    invocations: Vec<Invocation>,
}

/// A changed file that runs terraform.
struct Invocation {
    path: String,
    /// The lines the commit added or removed.
    changed: String,
    /// Its text before and after.
    text: String,
}

/// Authorship of the changes `wanted` selects (by plan index and change), per
/// plan, keyed by change index. `plan_paths` gives each plan file's path
/// relative to the repository's root, when the plan is inside it.
pub fn attribute(
    plans: &[Plan],
    plan_paths: &[Option<String>],
    evidence: &Evidence<'_>,
    wanted: &dyn Fn(usize, &Change) -> bool,
) -> Vec<BTreeMap<usize, Authorship>> {
    let diffs: HashMap<&str, &CommitDiff> =
        evidence.diffs.iter().map(|d| (d.sha.as_str(), d)).collect();
    let settings = evidence.settings;
    // Templates and parameter files are read only when a change set is judged.
    let cfn = plans.iter().any(|p| p.format == Format::CloudFormation);
    let changed: Vec<Changed<'_>> = evidence
        .history
        .commits
        .iter()
        .map(|a| {
            let diff = diffs.get(a.commit.sha.as_str());
            let files = diff.map(|d| d.files.as_slice()).unwrap_or_default();
            let paths = diff.map(|d| d.paths.clone()).unwrap_or_default();
            let infra = paths
                .iter()
                .filter(|p| settings.is_infrastructure(p))
                .cloned()
                .collect();
            let invocations = files
                .iter()
                .filter(|f| !is_configuration(&f.path) && !is_prose(&f.path))
                .filter_map(|f| {
                    let versions = || f.parents.iter().flatten().chain(f.new.as_ref());
                    if !versions().any(|t| runs_terraform(t)) {
                        return None;
                    }
                    let text = versions()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join("\n");
                    Some(Invocation {
                        path: f.path.clone(),
                        changed: changed_lines(f),
                        text,
                    })
                })
                .collect();
            Changed {
                who: std::sync::Arc::new(super::CommitFacts::of(a)),
                authored: a,
                touches: touches::commit_touches(files, cfn),
                mainline: diff
                    .map(|d| d.first_parent_paths.clone())
                    .unwrap_or_default(),
                paths,
                infra,
                invocations,
            }
        })
        .collect();
    let index = Index::new(&changed);
    let mut repo = Repo::new(evidence.head, evidence.base);
    let tf_dirs = targets::terraform_dirs(&repo);
    let mut evaluated: HashMap<(String, String), Result<eval::Instances, eval::Unevaluable>> =
        HashMap::new();
    let mut ahead = Ahead::new();
    let spent = AtomicUsize::new(0);
    plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            let rel = plan_paths.get(i).and_then(Option::as_deref);
            // The instances the plan keeps, by resource: what an evaluation at
            // the head must agree with before it may clear any commit.
            let mut kept: HashMap<String, Vec<InstanceKey>> = HashMap::new();
            for c in &plan.changes {
                if !matches!(c.action, Action::Delete | Action::Forget)
                    && let Some(k) = closure::resource_key(&c.address)
                {
                    kept.entry(without_key(&c.address)).or_default().push(k);
                }
            }
            let setup = match plan.format {
                Format::Terraform => {
                    Some(terraform_setup(&mut repo, plan, rel, settings, &tf_dirs))
                }
                Format::CloudFormation => None,
            };
            plan.changes
                .iter()
                .enumerate()
                .filter(|(_, c)| wanted(i, c))
                .map(|(ci, change)| {
                    let closure = match (&setup, plan.format) {
                        (Some(s), _) => s.closure(&mut repo, change),
                        _ => {
                            let source = stack_source(settings, &repo, change);
                            cfn::cloudformation(&mut repo, change, &source)
                        }
                    };
                    let mut decider = Decider {
                        settings,
                        closure: &closure,
                        changed: &changed,
                        index: &index,
                        trees: evidence.trees,
                        evaluated: &mut evaluated,
                        ahead: &mut ahead,
                        spent: &spent,
                        head: &evidence.head.rev,
                        base: &evidence.base.rev,
                        kept: kept
                            .get(&without_key(&change.address))
                            .map(Vec::as_slice)
                            .unwrap_or_default(),
                    };
                    (ci, decider.decide())
                })
                .collect()
        })
        .collect()
}

/// Configuration, not a file that runs terraform: its changes are read
/// declaration by declaration.
fn is_configuration(path: &str) -> bool {
    touches::is_terraform(path)
        || touches::is_tfvars(path)
        || path.ends_with(".tf.json")
        || path.ends_with(".terraform.lock.hcl")
}

/// The lines a commit added or removed in a file, against any parent.
fn changed_lines(f: &crate::git::FileDiff) -> String {
    let new: HashSet<&str> = f.new.as_deref().unwrap_or("").lines().collect();
    let mut out = String::new();
    for parent in &f.parents {
        let old: HashSet<&str> = parent.as_deref().unwrap_or("").lines().collect();
        for l in new.symmetric_difference(&old) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// Which commits touched each site and each path.
struct Index {
    sites: HashMap<Site, Vec<(usize, usize)>>,
    paths: Vec<(String, Vec<usize>)>,
    tfvars: HashMap<String, Vec<(usize, usize)>>,
    params: HashMap<String, Vec<(usize, usize)>>,
}

impl Index {
    fn new(changed: &[Changed<'_>]) -> Index {
        let mut sites: HashMap<Site, Vec<(usize, usize)>> = HashMap::new();
        let mut tfvars: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut params: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut paths: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (ci, c) in changed.iter().enumerate() {
            for (ti, t) in c.touches.iter().enumerate() {
                match &t.site {
                    Site::Tfvar { name, .. } => {
                        tfvars.entry(name.clone()).or_default().push((ci, ti))
                    }
                    Site::CfnParamValue { name, .. } => {
                        params.entry(name.clone()).or_default().push((ci, ti))
                    }
                    _ => {}
                }
                sites.entry(t.site.clone()).or_default().push((ci, ti));
            }
            for p in &c.paths {
                paths.entry(p.clone()).or_default().push(ci);
            }
        }
        Index {
            sites,
            paths: paths.into_iter().collect(),
            tfvars,
            params,
        }
    }
}

struct Decider<'d, 'h> {
    settings: &'d Settings,
    closure: &'d Closure,
    changed: &'d [Changed<'h>],
    index: &'d Index,
    trees: Option<&'d dyn Trees>,
    evaluated: &'d mut HashMap<(String, String), Result<eval::Instances, eval::Unevaluable>>,
    ahead: &'d mut Ahead,
    /// Bytes of file text evaluations have read in this run (see [`EVAL_BUDGET`]).
    spent: &'d AtomicUsize,
    head: &'d str,
    base: &'d str,
    /// The other instances of the same resource that the plan keeps.
    kept: &'d [InstanceKey],
}

/// What one commit wrote of a change's closure.
#[derive(Default)]
struct Wrote {
    lines: Vec<String>,
    cause: bool,
    /// Every link it touched is keyed (it matters only through instance keys).
    only_keyed: bool,
}

impl Wrote {
    fn add(&mut self, line: String, cause: bool, keyed: bool) {
        if self.lines.is_empty() {
            self.only_keyed = true;
        }
        if !self.lines.contains(&line) {
            self.lines.push(line);
        }
        self.cause |= cause;
        self.only_keyed &= keyed;
    }
}

impl Decider<'_, '_> {
    fn infra(&self, path: &str) -> bool {
        self.settings.is_infrastructure(path)
    }

    fn decide(&mut self) -> Authorship {
        let closure = self.closure;
        let mut wrote: BTreeMap<usize, Wrote> = BTreeMap::new();
        for link in &closure.links {
            // `keyed`: what the evaluator sees (a var file it does not read
            // must not let it clear a commit).
            let mut add_as = |ci: usize, line: String, keyed: bool| {
                wrote.entry(ci).or_default().add(line, link.cause, keyed);
            };
            let keyed = link.keyed;
            let mut add = |ci: usize, line: String| add_as(ci, line, keyed);
            match &link.matcher {
                Matcher::Site(site) => {
                    for &(ci, ti) in self.index.sites.get(site).into_iter().flatten() {
                        let t = &self.changed[ci].touches[ti];
                        add(ci, touched(t, &link.why));
                    }
                }
                Matcher::Presence(site) => {
                    for &(ci, ti) in self.index.sites.get(site).into_iter().flatten() {
                        let t = &self.changed[ci].touches[ti];
                        if t.verb != touches::Verb::Changed {
                            add(ci, touched(t, &link.why));
                        }
                    }
                }
                Matcher::ParamValue { name } => {
                    for &(ci, ti) in self.index.params.get(name).into_iter().flatten() {
                        let t = &self.changed[ci].touches[ti];
                        add(ci, touched(t, &link.why));
                    }
                }
                Matcher::Tfvar { name, files } => {
                    let root = closure.keyed.as_ref().map(|k| k.root.as_str());
                    for &(ci, ti) in self.index.tfvars.get(name).into_iter().flatten() {
                        let t = &self.changed[ci].touches[ti];
                        if files.reads(&t.file) {
                            let seen = root.is_some_and(|r| files.evaluated(&t.file, r));
                            add_as(ci, touched(t, &link.why), keyed && seen);
                        }
                    }
                }
                Matcher::Path { path, dir, non_tf } => {
                    let prefix = format!("{path}/");
                    for (p, commits) in &self.index.paths {
                        let hit = if *dir {
                            // `p == path`: a submodule, changed as one entry.
                            (path.is_empty() || p.starts_with(&prefix) || p == path)
                                && !(*non_tf && touches::is_terraform(p))
                                && !is_prose(p)
                        } else {
                            p == path
                        };
                        if hit {
                            for &ci in commits {
                                add(ci, format!("changed {p} ({})", link.why));
                            }
                        }
                    }
                }
                Matcher::Glob { glob, .. } => {
                    for (p, commits) in &self.index.paths {
                        if glob.is_match(p) {
                            for &ci in commits {
                                add(ci, format!("changed {p} ({})", link.why));
                            }
                        }
                    }
                }
                Matcher::Mention { word } => {
                    for (ci, c) in self.changed.iter().enumerate() {
                        for inv in &c.invocations {
                            if mentions(inv, word) {
                                add(
                                    ci,
                                    format!(
                                        "changed {}, where terraform runs ({})",
                                        inv.path, link.why
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
        self.addressed_and_unreadable(&mut wrote);
        // A commit that touched only what decides instance keys is an author
        // only if it removed this instance's key.
        let mut notes: Vec<String> = closure.notes.clone();
        if let Some(keyed) = &closure.keyed {
            let trusted = self.agrees_with_plan(keyed);
            let candidates: Vec<usize> = wrote
                .iter()
                .filter(|(_, w)| w.only_keyed)
                .map(|(ci, _)| *ci)
                .collect();
            for ci in candidates {
                let removed = trusted.clone().and_then(|_| self.removed_key(ci, keyed));
                match removed {
                    Ok(true) => {}
                    Ok(false) => {
                        wrote.remove(&ci);
                    }
                    Err(why) => {
                        let note = format!(
                            "which commits removed its key could not be evaluated ({why}): every \
                             commit that changed what decides it counts"
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                }
            }
        }
        let explained = closure.explain.is_none() || wrote.values().any(|w| w.cause);
        let mut widen: Vec<String> = closure.widen.clone();
        if !explained && let Some(what) = &closure.explain {
            widen.push(format!(
                "no commit in the range changed {what}, so the configuration plangate follows \
                 does not explain it"
            ));
        }
        let mut commits: Vec<(usize, Vec<String>)> =
            wrote.into_iter().map(|(ci, w)| (ci, w.lines)).collect();
        let mut widened = false;
        if !widen.is_empty() {
            // The modules it reaches: a file beside their .tf files may be read
            // in a way plangate did not follow.
            let dirs = closure.module_dirs();
            for (ci, c) in self.changed.iter().enumerate() {
                if commits.iter().any(|(x, _)| *x == ci) {
                    continue;
                }
                let beside: Vec<&str> = c
                    .paths
                    .iter()
                    .filter(|p| {
                        !c.infra.contains(p) && !is_prose(p) && dirs.contains(dir_of(p).as_str())
                    })
                    .map(String::as_str)
                    .collect();
                let mut lines = Vec::new();
                if !c.infra.is_empty() {
                    lines.push(format!("changed infrastructure files: {}", some(&c.infra)));
                }
                let merged: Vec<&str> = c
                    .mainline
                    .iter()
                    .filter(|p| {
                        !c.paths.contains(p) && (self.infra(p) || dirs.contains(dir_of(p).as_str()))
                    })
                    .map(String::as_str)
                    .collect();
                if !merged.is_empty() {
                    lines.push(format!(
                        "a merge that changed, against its first parent, {}",
                        some(&merged)
                    ));
                }
                let runners: Vec<&str> = c
                    .invocations
                    .iter()
                    .map(|i| i.path.as_str())
                    .filter(|p| !c.infra.iter().any(|x| x == p))
                    .collect();
                if !runners.is_empty() {
                    lines.push(format!(
                        "changed files that run terraform: {}",
                        some(&runners)
                    ));
                }
                if !beside.is_empty() {
                    lines.push(format!(
                        "changed files of a module it depends on: {}",
                        some(&beside)
                    ));
                }
                if !lines.is_empty() {
                    commits.push((ci, lines));
                    widened = true;
                }
            }
            commits.sort_by_key(|(ci, _)| *ci);
        }
        let attributed: Vec<AttributedCommit> = commits
            .into_iter()
            .map(|(ci, lines)| attributed(&self.changed[ci], lines))
            .collect();
        let basis = if attributed.is_empty() {
            Basis::Nothing
        } else if widened || (!widen.is_empty() && !explained) {
            Basis::InfrastructureFiles
        } else {
            Basis::Declaration
        };
        let mut note_parts: Vec<String> = Vec::new();
        if !widen.is_empty() {
            let why = widen.join("; ");
            note_parts.push(if attributed.is_empty() {
                format!("{why}, and no commit in the range changed infrastructure files")
            } else {
                format!(
                    "{why}; attributed to every commit that changed infrastructure files, or \
                     files of the modules it depends on, as well"
                )
            });
        } else if attributed.is_empty() {
            note_parts.push(
                "no commit in the range changed its declaration or anything it depends on, and \
                 none changed infrastructure files"
                    .into(),
            );
        }
        note_parts.extend(notes);
        Authorship {
            authored_by: authored_by(&attributed),
            basis,
            commits: attributed,
            location: closure.location.clone(),
            note: (!note_parts.is_empty()).then(|| note_parts.join("; ")),
        }
    }

    /// `moved` / `removed` / `import` blocks naming the change, and files that
    /// could not be read at all in a module the closure reaches.
    fn addressed_and_unreadable(&self, wrote: &mut BTreeMap<usize, Wrote>) {
        let closure = self.closure;
        let dirs = closure.module_dirs();
        for (ci, c) in self.changed.iter().enumerate() {
            for t in &c.touches {
                let line = match &t.site {
                    Site::Tf { dir, decl } => {
                        let written = match decl {
                            super::terraform::Decl::Moved { from, to } => vec![from, to],
                            super::terraform::Decl::Removed { from } => vec![from],
                            super::terraform::Decl::Import { to } => vec![to],
                            _ => continue,
                        };
                        let names = closure
                            .addressed
                            .iter()
                            .any(|a| a.dir == *dir && written.iter().any(|w| a.named_by(w)));
                        if !names {
                            continue;
                        }
                        format!(
                            "{} {} in {}, which names it",
                            t.verb.as_str(),
                            decl.describe(),
                            t.file
                        )
                    }
                    Site::TfUnreadable { file } if dirs.contains(dir_of(file).as_str()) => format!(
                        "changed {file}, which plangate could not read (in a module it depends on)"
                    ),
                    _ => continue,
                };
                let w = wrote.entry(ci).or_default();
                w.add(line, true, false);
            }
        }
    }

    /// An evaluation that does not reproduce the plan at the head reads values
    /// plangate cannot see (a `-var`, Terragrunt inputs): it may clear no one.
    fn agrees_with_plan(&mut self, keyed: &Keyed) -> Result<(), String> {
        let Some(trees) = self.trees else {
            return Err("no revision reader".into());
        };
        let head = self.head.to_owned();
        let base = self.base.to_owned();
        // The base is needed whenever the head agrees, which is the common
        // case: evaluate both at once.
        self.prepare(trees, &[&head, &base], keyed);
        let at_head = self.instances(trees, &head, keyed)?;
        let kept_ok = !keyed.own || self.kept.iter().all(|k| has(&at_head, k));
        if has(&at_head, &keyed.key) || !kept_ok {
            return Err(
                "evaluated at the head, its instances differ from the plan's, so it reads values \
                 set outside the repository"
                    .into(),
            );
        }
        // The deleted instance exists: at the base, where the range starts, an
        // evaluation that reads values as Terraform does has it.
        let at_base = self.instances(trees, &base, keyed)?;
        if !has(&at_base, &keyed.key) {
            return Err(
                "evaluated at the base, the deleted instance does not exist, so the evaluation \
                 does not read its values as Terraform does"
                    .into(),
            );
        }
        Ok(())
    }

    /// Did commit `ci` remove the instance's key (present in a parent, absent after)?
    fn removed_key(&mut self, ci: usize, keyed: &Keyed) -> Result<bool, String> {
        let Some(trees) = self.trees else {
            return Err("no revision reader".into());
        };
        let commit = &self.changed[ci].authored.commit;
        let after = self.instances(trees, &commit.sha, keyed)?;
        if has(&after, &keyed.key) {
            return Ok(false);
        }
        for parent in &commit.parents {
            let before = self.instances(trees, parent, keyed)?;
            if has(&before, &keyed.key) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn instances(
        &mut self,
        trees: &dyn Trees,
        rev: &str,
        keyed: &Keyed,
    ) -> Result<eval::Instances, String> {
        let key = (rev.to_owned(), evaluation_id(keyed));
        if let Some(r) = self.evaluated.get(&key) {
            return r.clone().map_err(|e| e.0);
        }
        over_budget(self.spent)?;
        let result = match self.ahead.remove(&key) {
            // Made ahead: its reads count now, when it is used, as they
            // would have had it been made now.
            Some((result, read)) => {
                self.spent.fetch_add(read, Ordering::Relaxed);
                result
            }
            None => unbudgeted(trees, rev, keyed, self.spent),
        };
        self.evaluated.insert(key, result.clone());
        result.map_err(|e| e.0)
    }

    /// Evaluates `keyed` at those of `revs` not evaluated yet, each on a
    /// thread of its own. The first is used at once, the others are kept
    /// until [`Decider::instances`] asks for them, and only then do their
    /// reads count against the budget: the same revisions are evaluated, and
    /// the same commits cleared, as when each is evaluated when asked.
    fn prepare(&mut self, trees: &dyn Trees, revs: &[&str], keyed: &Keyed) {
        let id = evaluation_id(keyed);
        let mut todo: Vec<&str> = revs
            .iter()
            .copied()
            .filter(|rev| !self.evaluated.contains_key(&(rev.to_string(), id.clone())))
            .collect();
        todo.dedup();
        if todo.len() < 2 || over_budget(self.spent).is_err() {
            return;
        }
        let results: Vec<_> = std::thread::scope(|s| {
            let running: Vec<_> = todo
                .iter()
                .map(|rev| {
                    s.spawn(move || {
                        let read = AtomicUsize::new(0);
                        let result = unbudgeted(trees, rev, keyed, &read);
                        (result, read.into_inner())
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for (i, (rev, (result, read))) in todo.into_iter().zip(results).enumerate() {
            let key = (rev.to_owned(), id.clone());
            if i == 0 {
                self.spent.fetch_add(read, Ordering::Relaxed);
                self.evaluated.insert(key, result);
            } else {
                self.ahead.insert(key, (result, read));
            }
        }
    }
}

/// Evaluation results made ahead of being asked for, with the bytes each read.
type Ahead = HashMap<(String, String), (Result<eval::Instances, eval::Unevaluable>, usize)>;

/// `Err` once the run has read its budget.
fn over_budget(spent: &AtomicUsize) -> Result<(), String> {
    if spent.load(Ordering::Relaxed) > EVAL_BUDGET {
        return Err(format!(
            "plangate stops evaluating once it has read {} MiB of files at earlier commits",
            EVAL_BUDGET >> 20
        ));
    }
    Ok(())
}

/// What an evaluation's result is cached under, with its revision.
fn evaluation_id(keyed: &Keyed) -> String {
    format!(
        "{}|{}|{:?}|{:?}",
        keyed.root, keyed.dir, keyed.calls, keyed.block
    )
}

fn unbudgeted(
    trees: &dyn Trees,
    rev: &str,
    keyed: &Keyed,
    spent: &AtomicUsize,
) -> Result<eval::Instances, eval::Unevaluable> {
    let tree = AtRev { trees, rev, spent };
    let scope = eval::Scope {
        root: &keyed.root,
        calls: &keyed.calls,
        var_files: &keyed.var_files,
        env_inputs: &[],
    };
    eval::instances(&tree, &scope, &keyed.dir, &keyed.block)
}

/// Template files by their conventional names (`templatefile` reads them; a
/// template can read further files).
fn is_template_file(path: &str) -> bool {
    [".tftpl", ".tpl", ".tmpl"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// Files plainly not text (by their extension), whose contents are not read.
fn is_binary_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "ico"
            | "webp"
            | "bmp"
            | "pdf"
            | "zip"
            | "gz"
            | "tgz"
            | "bz2"
            | "xz"
            | "7z"
            | "tar"
            | "jar"
            | "war"
            | "class"
            | "exe"
            | "dll"
            | "so"
            | "dylib"
            | "a"
            | "o"
            | "bin"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
            | "eot"
            | "mp3"
            | "mp4"
            | "mov"
            | "avi"
            | "wasm"
            | "pyc"
            | "parquet"
            | "db"
            | "sqlite"
    )
}

/// Documentation and repository housekeeping: files a configuration does not
/// read (a module's README is not its input).
fn is_prose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc"]
        .iter()
        .any(|e| name.ends_with(e))
        || name.starts_with("license")
        || name.starts_with("changelog")
        || matches!(
            name.as_str(),
            ".gitignore" | ".gitattributes" | ".editorconfig" | "codeowners"
        )
}

/// A few of many paths, for a message.
fn some<S: AsRef<str>>(paths: &[S]) -> String {
    let shown: Vec<&str> = paths.iter().take(5).map(AsRef::as_ref).collect();
    let more = if paths.len() > 5 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// An address without its last instance key (`x.y["a"]` → `x.y`).
fn without_key(address: &str) -> String {
    match address.strip_suffix(']').and_then(|a| a.rfind('[')) {
        Some(open) => address[..open].to_owned(),
        None => address.to_owned(),
    }
}

fn has(instances: &eval::Instances, key: &InstanceKey) -> bool {
    match (instances, key) {
        (eval::Instances::Count(n), InstanceKey::Index(i)) => i < n,
        (eval::Instances::Keys(keys), InstanceKey::Name(k)) => keys.contains(k),
        // A key of the other kind (or none): this instance does not exist.
        _ => false,
    }
}

/// The most file text the evaluations of one run read: evaluating is what
/// makes attribution exact, but a big generated file read at every commit
/// would make it slow. Counted in bytes, not time, so that the same inputs are
/// always attributed the same way; past it, commits are kept, never cleared.
const EVAL_BUDGET: usize = 4 << 20;

struct AtRev<'t> {
    trees: &'t dyn Trees,
    rev: &'t str,
    spent: &'t AtomicUsize,
}

impl eval::Tree for AtRev<'_> {
    fn text(&self, path: &str) -> Option<String> {
        let text = self.trees.text(self.rev, path);
        let read = text.as_ref().map_or(0, String::len);
        self.spent.fetch_add(read, Ordering::Relaxed);
        text
    }
    fn list(&self, dir: &str) -> Vec<String> {
        self.trees.list(self.rev, dir)
    }
}

/// Does a changed line name `word` (as a whole word, or as `TF_VAR_word`), or
/// pass var files or arguments wholesale?
fn mentions(inv: &Invocation, word: &str) -> bool {
    let lines = &inv.changed;
    if lines.contains("-var-file") || lines.contains("TF_CLI_ARGS") || lines.contains("var_file") {
        return true;
    }
    let words = |t: &str| {
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // A file that sets `TF_VAR_word` anywhere sets it through whatever it
    // changed (an `env:` value it reads, a default).
    let var = format!("TF_VAR_{word}");
    words(&inv.text).contains(&var) || words(lines).iter().any(|w| w == word)
}

/// Does a file run terraform (or set what it reads)?
fn runs_terraform(text: &str) -> bool {
    ["terraform", "tofu", "terragrunt", "TF_VAR_", "TF_CLI_ARGS"]
        .iter()
        .any(|w| text.contains(w))
}

fn touched(t: &Touch, why: &str) -> String {
    format!(
        "{} {} in {} ({why})",
        t.verb.as_str(),
        t.site.describe(),
        t.file
    )
}

fn attributed(c: &Changed<'_>, wrote: Vec<String>) -> AttributedCommit {
    let a = c.authored;
    AttributedCommit {
        sha: a.commit.sha.clone(),
        class: a.by.class,
        agent: a.by.agent().map(str::to_owned),
        who: c.who.clone(),
        wrote,
    }
}

/// Where a Terraform plan's root module is in the repository, as attribution
/// finds it (for `check`'s provenance: [`crate::provenance`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanRoot {
    /// The candidate directories (several when the configuration's content
    /// cannot choose; none when no directory declares what the plan changes).
    Dirs(Vec<String>),
    /// A Terragrunt stack's plan (its `terragrunt.hcl`): made from a copy of
    /// its module, with the files Terragrunt generates.
    Terragrunt { file: String },
}

/// The root module of a Terraform plan: as attribution reads it (a `plan`
/// block's `root`, `attribution.terraform_roots`, a Terragrunt stack, the
/// plan's own directory, else the directories that declare what it changes).
pub fn plan_root(
    head: &Snapshot,
    base: &Snapshot,
    plan: &Plan,
    rel: Option<&str>,
    settings: &Settings,
) -> PlanRoot {
    let mut repo = Repo::new(head, base);
    let tf_dirs = targets::terraform_dirs(&repo);
    let plan_dir = rel.map(dir_of);
    let stack = plan_dir.as_deref().and_then(|dir| {
        let text = |p: &str| head.files.get(p).or_else(|| base.files.get(p)).cloned();
        terragrunt::stack(&text, dir)
    });
    if let Some(s) = stack {
        return PlanRoot::Terragrunt { file: s.file };
    }
    PlanRoot::Dirs(terraform_setup(&mut repo, plan, rel, settings, &tf_dirs).roots)
}

/// How a Terraform plan's configuration is found: its roots and inputs.
struct TerraformSetup {
    roots: Vec<String>,
    inputs: RootInputs,
    /// A Terragrunt stack whose module is outside the repository: only its
    /// own files can change here.
    remote: Option<(String, Vec<String>)>,
}

impl TerraformSetup {
    fn closure(&self, repo: &mut Repo<'_>, change: &Change) -> Closure {
        if let Some((source, files)) = &self.remote {
            let mut c = Closure::default();
            for f in files {
                c.links.push(closure::Link {
                    matcher: Matcher::Path {
                        path: f.clone(),
                        dir: false,
                        non_tf: false,
                    },
                    why: format!(
                        "its Terragrunt stack, whose module comes from outside the repository ({source})"
                    ),
                    cause: true,
                    keyed: false,
                });
            }
            c.explain = Some("its Terragrunt stack's files".into());
            return c;
        }
        closure::terraform(repo, &self.roots, &self.inputs, change)
    }
}

fn terraform_setup(
    repo: &mut Repo<'_>,
    plan: &Plan,
    rel: Option<&str>,
    settings: &Settings,
    tf_dirs: &std::collections::BTreeSet<String>,
) -> TerraformSetup {
    let configured = rel.and_then(|p| settings.plan(p));
    let plan_dir = rel.map(dir_of);
    // A Terragrunt stack where the plan was made.
    let stack = plan_dir.as_deref().and_then(|dir| {
        let text = |p: &str| {
            repo.head
                .files
                .get(p)
                .or_else(|| repo.base.files.get(p))
                .cloned()
        };
        terragrunt::stack(&text, dir)
    });
    let mut roots: Vec<String> = Vec::new();
    let mut var_files: Vec<String> = configured.map(|c| c.var_files.clone()).unwrap_or_default();
    let mut terragrunt_files = Vec::new();
    let mut exact = configured.is_some_and(|c| !c.var_files.is_empty());
    let mut auto: Vec<String> = Vec::new();
    if let Some(s) = &stack {
        match &s.source {
            terragrunt::Source::Local(dir) => roots.push(dir.clone()),
            terragrunt::Source::Remote(url) => {
                let mut files = s.files.clone();
                files.extend(s.var_files.iter().cloned());
                return TerraformSetup {
                    roots: Vec::new(),
                    inputs: RootInputs {
                        var_files: VarFiles::Exact {
                            files: Vec::new(),
                            auto: Vec::new(),
                        },
                        named: Vec::new(),
                        terragrunt: Vec::new(),
                    },
                    remote: Some((url.clone(), files)),
                };
            }
            terragrunt::Source::Unknown(_) => {}
        }
        var_files.extend(s.var_files.iter().cloned());
        terragrunt_files = s.files.clone();
        exact = s.unresolved.is_empty();
        auto.push(dir_of(&s.file));
    }
    if let Some(root) = configured.and_then(|c| c.root.clone()).or_else(|| {
        rel.and_then(|p| settings.terraform_root(p))
            .map(str::to_owned)
    }) {
        roots = vec![root];
    }
    if roots.is_empty() {
        roots = targets::terraform_roots(repo, &plan.changes, None, plan_dir.as_deref());
    }
    auto.extend(roots.iter().cloned());
    let var_files = if exact {
        VarFiles::Exact {
            files: var_files,
            auto,
        }
    } else {
        VarFiles::Heuristic {
            roots: roots.clone(),
            terraform_dirs: tf_dirs.clone(),
        }
    };
    let named = var_file_arguments(repo, &roots);
    TerraformSetup {
        roots,
        inputs: RootInputs {
            var_files,
            named,
            terragrunt: terragrunt_files,
        },
        remote: None,
    }
}

/// The files that files running terraform (workflows, at the head or the base)
/// pass with `-var-file`, resolved from each root and from the repository's root.
fn var_file_arguments(repo: &Repo<'_>, roots: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for snapshot in [repo.head, repo.base] {
        for (path, text) in &snapshot.files {
            if is_configuration(path) || !runs_terraform(text) {
                continue;
            }
            let mut rest = text.as_str();
            while let Some(at) = rest.find("-var-file") {
                rest = &rest[at + "-var-file".len()..];
                let value: String = rest
                    .trim_start_matches(['=', ' '])
                    .trim_start_matches(['"', '\''])
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ')' | ';'))
                    .collect();
                if value.is_empty() || value.contains('$') {
                    continue;
                }
                for base in roots.iter().map(String::as_str).chain([""]) {
                    if let Some(p) = targets::join(base, &value)
                        && !out.contains(&p)
                    {
                        out.push(p);
                    }
                }
            }
        }
    }
    out
}

/// The template (and parameters) a change set's stack is deployed from.
fn stack_source(settings: &Settings, repo: &Repo<'_>, change: &Change) -> StackSource {
    if let Some(name) = &change.declared.stack
        && let Some(s) = settings.stack(name)
    {
        return StackSource {
            template: Some(s.template.clone()),
            parameters: s.parameters.clone(),
            origin: format!("the configuration's `stack \"{name}\"`"),
        };
    }
    if let [only] = settings.templates.as_slice() {
        return StackSource {
            template: Some(only.clone()),
            parameters: None,
            origin: "--template".into(),
        };
    }
    // A CDK cloud assembly in the repository names each stack's template.
    if let Some(name) = &change.declared.stack {
        for snapshot in [repo.head, repo.base] {
            let paths: Vec<&str> = snapshot.files.keys().map(String::as_str).collect();
            let text = |p: &str| snapshot.files.get(p).cloned();
            match super::cdk::template_of(&paths, &text, name) {
                super::cdk::Found::Template { template, manifest } => {
                    return StackSource {
                        template: Some(template),
                        parameters: None,
                        origin: format!("the CDK cloud assembly's {manifest}"),
                    };
                }
                // Several assemblies disagree: no choice is made (every
                // template that declares the id counts, as without one).
                super::cdk::Found::Ambiguous(_) => break,
                // The head has none: the stack may have left the app.
                super::cdk::Found::Nothing => {}
            }
        }
    }
    StackSource::default()
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
            || p.ends_with(".tf.json")
            || touches::is_tfvars(p)
            || touches::is_terragrunt(p)
            || p.rsplit('/').next() == Some("cdk.json")
            || is_template_file(p)
            || (templates && touches::may_be_template(p))
            || settings
                .stacks
                .iter()
                .any(|s| s.parameters.as_deref() == Some(p))
    };
    let keep = |p: &str| config_file(p) || settings.is_infrastructure(p) || also(p);
    // Any other text file can run terraform (a Makefile, a script): read the
    // small ones that are not plainly binary.
    let small = |p: &str| !is_binary_name(p) && !is_prose(p);
    let commits: Vec<_> = history.commits.iter().map(|a| a.commit.clone()).collect();
    let diffs = git.diffs(&commits, &keep, &small)?;
    // Configuration, and the files that run terraform (for the var files they pass).
    let snapshot_file = |p: &str| config_file(p) || settings.is_infrastructure(p);
    let snapshot = |rev: &str| -> Result<Snapshot, GitError> {
        let mut files: BTreeMap<String, String> =
            git.files_at(rev, &snapshot_file)?.into_iter().collect();
        // A link is read as what it points at: git stores its target's path.
        let mut links = BTreeMap::new();
        for (link, target) in git.links_at(rev)? {
            if let Some(resolved) = targets::join(&dir_of(&link), target.trim()) {
                links.insert(link, resolved);
            }
        }
        for (link, target) in &links {
            if let Some(text) = files.get(target).cloned()
                && files.contains_key(link)
            {
                files.insert(link.clone(), text);
            }
        }
        Ok(Snapshot {
            rev: rev.to_owned(),
            files,
            links,
        })
    };
    let head = snapshot(&history.range.head)?;
    let base = snapshot(&history.range.merge_base)?;
    Ok((diffs, head, base))
}
