//! What a destructive Terraform change depends on: its dependency closure.
//!
//! A commit is an author of a change when it changed anything in the closure:
//! the resource block; the module calls on its path (their source, count,
//! for_each, and the arguments it reads); the variables, their values (var
//! files, Terragrunt inputs, the files that run terraform), locals, resources,
//! data sources and module outputs it refers to, transitively; its
//! `replace_triggered_by` targets; `moved`, `removed` and `import` blocks naming
//! it; the files it reads through `file()` and its kin. What the closure cannot
//! follow statically (a computed path, a remote module, a declaration no
//! readable file has) is widened: to every file it could be, said in the
//! evidence. Never guessed narrower.
//!
//! The plan says why a change happens (`action_reason`, `replace_paths`); the
//! links that can explain that reason are marked [`Link::cause`]. When no
//! commit touched any of them, the closure missed the real cause (or it is
//! outside the configuration) and attribution widens to every commit that
//! changed infrastructure files.

use std::collections::BTreeSet;

use super::SourceLocation;
use super::eval;
use super::targets::{Addressed, Repo, join, provider_name};
use super::terraform::{Decl, Declaration, FilePath, Ref};
use super::touches::{Site, dir_of, is_tfvars};
use crate::model::{Action, Change};

/// What touching a link means.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A declaration, a part of one, a var file key, a template entry.
    Site(Site),
    /// A declaration added or removed (not edited).
    Presence(Site),
    /// A file (`dir: false`) or every file under a directory; `non_tf` leaves
    /// out `.tf` files (whose declarations are matched one by one).
    Path {
        path: String,
        dir: bool,
        non_tf: bool,
    },
    /// The files `fileset(dir, pattern)` matches.
    Glob {
        dir: String,
        glob: globset::GlobMatcher,
    },
    /// A root variable's value in a var file that the plan reads.
    Tfvar { name: String, files: VarFiles },
    /// A CloudFormation parameter's value in any parameter file.
    ParamValue { name: String },
    /// A file that runs terraform (a workflow) whose changed lines mention `word`:
    /// `-var word=…`, `TF_VAR_word`, `-var-file`, `TF_CLI_ARGS`.
    Mention { word: String },
}

/// Which var files a plan reads.
#[derive(Debug, Clone)]
pub enum VarFiles {
    /// These (repository paths), and those Terraform loads by itself in `auto`.
    Exact {
        files: Vec<String>,
        auto: Vec<String>,
    },
    /// Not known: any var file in a root or below it, or in no Terraform
    /// directory (a shared `envs/`); not those of another root.
    Heuristic {
        roots: Vec<String>,
        terraform_dirs: BTreeSet<String>,
    },
}

impl VarFiles {
    /// Does the evaluator read this var file, with `root` as the root module
    /// (the files Terraform loads by itself there, and the var files it is told of)?
    pub fn evaluated(&self, file: &str, root: &str) -> bool {
        let auto = dir_of(file) == root && super::targets::is_auto_loaded(file);
        match self {
            VarFiles::Exact { files, .. } => auto || files.iter().any(|f| f == file),
            VarFiles::Heuristic { .. } => auto,
        }
    }

    pub fn reads(&self, file: &str) -> bool {
        if !is_tfvars(file) {
            return false;
        }
        match self {
            VarFiles::Exact { files, auto } => {
                files.iter().any(|f| f == file)
                    || (auto.contains(&dir_of(file)) && super::targets::is_auto_loaded(file))
            }
            VarFiles::Heuristic {
                roots,
                terraform_dirs,
            } => super::targets::tfvars_applies(file, roots, terraform_dirs),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub matcher: Matcher,
    /// How it is linked to the change, for the evidence.
    pub why: String,
    /// It can explain the reason the plan gives.
    pub cause: bool,
    /// It only matters through the instance keys of `count` / `for_each`: a
    /// commit that touched it is an author only if it removed the key.
    pub keyed: bool,
}

/// The instance whose key a keyed delete lost, to evaluate at each commit.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// The key is the resource's own (not a module instance's).
    pub own: bool,
    pub root: String,
    pub calls: Vec<eval::Call>,
    pub dir: String,
    pub block: eval::Block,
    pub key: InstanceKey,
    pub var_files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceKey {
    Index(u64),
    Name(String),
}

#[derive(Debug, Clone, Default)]
pub struct Closure {
    pub links: Vec<Link>,
    pub addressed: Vec<Addressed>,
    pub location: Option<SourceLocation>,
    /// Why every commit that changed infrastructure files counts too.
    pub widen: Vec<String>,
    /// The plan's reason needs a touched cause link (else: widen).
    pub explain: Option<String>,
    pub keyed: Option<Keyed>,
    /// What the evidence should say about how the closure was found.
    pub notes: Vec<String>,
}

impl Closure {
    /// The module directories whose declarations it links.
    pub fn module_dirs(&self) -> std::collections::HashSet<&str> {
        self.links
            .iter()
            .filter_map(|l| match &l.matcher {
                Matcher::Site(Site::Tf { dir, .. } | Site::TfPart { dir, .. }) => {
                    Some(dir.as_str())
                }
                _ => None,
            })
            .collect()
    }

    fn link(&mut self, matcher: Matcher, why: String, cause: bool, keyed: bool) {
        self.links.push(Link {
            matcher,
            why,
            cause,
            keyed,
        });
    }
}

/// How a plan's root module gets its variables.
#[derive(Debug, Clone)]
pub struct RootInputs {
    pub var_files: VarFiles,
    /// Files a file that runs terraform passes with `-var-file` (any name).
    pub named: Vec<String>,
    /// Terragrunt files whose `inputs` (and the rest) feed root variables.
    pub terragrunt: Vec<String>,
}

/// The closure of a Terraform change. `roots`: the root module directories the
/// plan may have been made from.
pub fn terraform(
    repo: &mut Repo<'_>,
    roots: &[String],
    inputs: &RootInputs,
    change: &Change,
) -> Closure {
    let mut walk = Walk {
        repo,
        inputs,
        out: Closure::default(),
        seen: BTreeSet::new(),
        visited: BTreeSet::new(),
    };
    if roots.is_empty() {
        walk.out.widen.push(
            "the Terraform configuration of this plan was not found in the repository".into(),
        );
        return walk.out;
    }
    for root in roots {
        walk.change(root, change);
    }
    // JSON configuration (`*.tf.json`) is not read declaration by declaration:
    // any change to one in a module the closure reaches counts.
    let json: Vec<String> = [walk.repo.head, walk.repo.base]
        .iter()
        .flat_map(|s| s.files.keys())
        .filter(|p| p.ends_with(".tf.json") && walk.visited.contains(&dir_of(p)))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // A symbolic link in a module it reaches: what it points at counts.
    let links: BTreeSet<(String, String)> = [walk.repo.head, walk.repo.base]
        .iter()
        .flat_map(|s| s.links.iter())
        .filter(|(link, _)| walk.visited.contains(&dir_of(link)) || walk.visited.contains(*link))
        .map(|(l, t)| (l.clone(), t.clone()))
        .collect();
    for (link, target) in links {
        walk.out.link(
            Matcher::Path {
                path: target.clone(),
                dir: true,
                non_tf: false,
            },
            format!("{link} is a symbolic link to it"),
            true,
            false,
        );
        walk.out.link(
            Matcher::Path {
                path: target,
                dir: false,
                non_tf: false,
            },
            format!("{link} is a symbolic link to it"),
            true,
            false,
        );
    }
    for path in json {
        walk.out.link(
            Matcher::Path {
                path,
                dir: false,
                non_tf: false,
            },
            "JSON configuration of a module it depends on, which plangate reads as a whole".into(),
            true,
            false,
        );
    }
    walk.out
}

struct Walk<'r, 'a> {
    repo: &'r mut Repo<'a>,
    inputs: &'r RootInputs,
    out: Closure,
    /// (root, module path, what) already followed, with its cause/keyed flags.
    seen: BTreeSet<(String, Vec<String>, String, bool, bool)>,
    /// Every module directory the closure reached.
    visited: BTreeSet<String>,
}

/// What of a block to follow.
enum Sel<'s> {
    /// Every part: the full closure.
    All,
    /// These parts (a count, a for_each, a module call's arguments).
    Parts(&'s [String]),
    /// The parts a replacement is forced by; when none is written in the block
    /// (computed, or a provider default), everything it refers to.
    Forced(&'s [String]),
    /// Only the block's own text (its removal or its header).
    Block,
}

/// The flags a link gets: part of the cause, keyed.
#[derive(Clone, Copy)]
struct Flags {
    cause: bool,
    keyed: bool,
}

const NONE: Flags = Flags {
    cause: false,
    keyed: false,
};

/// How deep module outputs are followed into module calls.
const MAX_MODULE_DEPTH: usize = 32;

/// The parts of a module call that decide what it instantiates.
const CALL_PARTS: &[&str] = &["source", "version", "count", "for_each", "providers"];

impl Walk<'_, '_> {
    fn change(&mut self, root: &str, change: &Change) {
        let path = &change.declared.path;
        let decl = Decl::Resource {
            data: change.data_source,
            kind: change.resource_type.clone(),
            name: change.declared.name.clone(),
        };
        let reason = change
            .reasons
            .iter()
            .map(ToString::to_string)
            .next()
            .unwrap_or_default();
        let cause = Flags {
            cause: true,
            keyed: false,
        };
        let keyed = Flags {
            cause: true,
            keyed: true,
        };
        // The module calls on its path, and its moved/removed/import blocks.
        // What decides a call's instances matters to a lost module instance
        // (and to reasons no declaration decides); its providers to a replacement.
        let decided = matches!(
            reason.as_str(),
            "replace_because_cannot_update"
                | "replace_by_triggers"
                | "delete_because_no_resource_config"
                | "delete_because_no_move_target"
                | "delete_because_count_index"
                | "delete_because_each_key"
                | "delete_because_wrong_repetition"
        ) || change.action == Action::Forget;
        let mut follow: Vec<String> = Vec::new();
        if !decided || reason == "delete_because_no_module" {
            follow.extend(["count".to_owned(), "for_each".to_owned()]);
        }
        if !decided || change.action == Action::Replace {
            follow.push("providers".to_owned());
        }
        let mut calls: Vec<eval::Call> = Vec::new();
        for i in 0..path.len() {
            let flags = if reason == "delete_because_no_module" && i + 1 == path.len() {
                keyed
            } else {
                cause
            };
            self.call(root, &path[..i], &path[i], flags, &follow);
            if let Ok(dirs) = self.dirs(root, &path[..=i])
                && let (Some(dir), Ok(callers)) = (dirs.first(), self.dirs(root, &path[..i]))
            {
                calls.push(eval::Call {
                    caller: callers.first().cloned().unwrap_or_default(),
                    name: path[i].clone(),
                    dir: dir.clone(),
                    key: module_key(&change.address, i + 1).map(|k| match k {
                        InstanceKey::Index(n) => n.to_string(),
                        InstanceKey::Name(s) => s,
                    }),
                });
            }
        }
        self.addressed(root, change);
        let home = match self.dirs(root, path) {
            Ok(d) => d,
            Err(why) => {
                self.out.widen.push(why);
                return;
            }
        };
        let forced: Vec<String> = change
            .forced_by
            .iter()
            .map(|p| p.split(['.', '[']).next().unwrap_or(p).to_owned())
            .collect();
        let count = ["count".to_owned()];
        let for_each = ["for_each".to_owned()];
        let both = ["count".to_owned(), "for_each".to_owned()];
        let lifecycle = ["lifecycle".to_owned()];
        match (change.action, reason.as_str()) {
            (Action::Replace, "replace_because_cannot_update") if !forced.is_empty() => {
                self.resource(root, path, &decl, Sel::Forced(&forced), cause, true);
                // A provider upgrade can force it, so its commits are authors;
                // but an edit of the `terraform` block or the lock file is too
                // common to stand as the explanation beside a cause not followed.
                self.provider(root, &decl, NONE);
            }
            (Action::Replace, "replace_because_cannot_update") => {
                self.resource(root, path, &decl, Sel::All, cause, true);
            }
            (Action::Replace, "replace_by_triggers") => {
                self.resource(root, path, &decl, Sel::Parts(&lifecycle), cause, true);
            }
            (Action::Delete | Action::Forget, "delete_because_no_resource_config")
            | (Action::Forget, _) => {
                // Removed (or moved away): its old references do not explain it.
                self.resource(root, path, &decl, Sel::Block, cause, true);
            }
            (Action::Delete, "delete_because_no_move_target") => {
                self.resource(root, path, &decl, Sel::Block, cause, true);
            }
            (Action::Delete, "delete_because_count_index") => {
                self.resource(root, path, &decl, Sel::Block, cause, true);
                self.resource(root, path, &decl, Sel::Parts(&count), keyed, true);
                self.keyed(root, &home, &calls, &decl, change, false);
            }
            (Action::Delete, "delete_because_each_key") => {
                self.resource(root, path, &decl, Sel::Block, cause, true);
                self.resource(root, path, &decl, Sel::Parts(&for_each), keyed, true);
                self.keyed(root, &home, &calls, &decl, change, false);
            }
            (Action::Delete, "delete_because_wrong_repetition") => {
                self.resource(root, path, &decl, Sel::Parts(&both), cause, true);
            }
            (Action::Delete, "delete_because_no_module") => {
                self.resource(root, path, &decl, Sel::Block, NONE, true);
                if let Some(last) = path.last() {
                    let call = Decl::Module { name: last.clone() };
                    if let Ok(callers) = self.dirs(root, &path[..path.len() - 1]) {
                        self.keyed(
                            root,
                            &callers,
                            &calls[..calls.len().saturating_sub(1)],
                            &call,
                            change,
                            true,
                        );
                    }
                }
            }
            (_, other) => {
                self.resource(root, path, &decl, Sel::All, NONE, true);
                self.out.widen.push(match other {
                    "" if change.deposed.is_some() => {
                        "a deposed object (left by a failed create-before-destroy) is not decided \
                         by the configuration"
                            .to_owned()
                    }
                    "" => "the plan gives no reason (a destroy plan, or -destroy / -replace given \
                           where terraform runs), so no declaration explains it"
                        .to_owned(),
                    "replace_because_tainted" => {
                        "a tainted object is replaced because of the state, not the configuration"
                            .to_owned()
                    }
                    "replace_by_request" => {
                        "-replace= is given where terraform runs, not in the configuration"
                            .to_owned()
                    }
                    r => format!("plangate does not know the plan's reason `{r}`"),
                });
                return;
            }
        }
        self.out.explain = Some(match reason.as_str() {
            "replace_because_cannot_update" if !forced.is_empty() => format!(
                "what the plan says forces it ({})",
                change.forced_by.join(", ")
            ),
            "replace_by_triggers" => "its replace_triggered_by".into(),
            "delete_because_count_index" => "its count".into(),
            "delete_because_each_key" => "its for_each".into(),
            "delete_because_no_module" => "its module call's count or for_each".into(),
            _ => "its declaration".into(),
        });
    }

    /// The module directories of a module path from `root` (at the head and
    /// the base: a changed source means both), or why they are not known.
    fn dirs(&mut self, root: &str, path: &[String]) -> Result<Vec<String>, String> {
        let mut dirs = vec![root.to_owned()];
        for name in path {
            let mut next = Vec::new();
            let mut remote = None;
            for dir in &dirs {
                for (_, _, d) in self.repo.decls_in(dir).iter() {
                    if d.decl != (Decl::Module { name: name.clone() }) {
                        continue;
                    }
                    match d.source.as_deref() {
                        Some(s) if s.starts_with("./") || s.starts_with("../") => {
                            if let Some(j) = join(dir, s) {
                                // Through a symbolic link: where its files are.
                                for snapshot in [self.repo.head, self.repo.base] {
                                    let real = snapshot.resolve(&j);
                                    if real != j {
                                        next.push(real);
                                    }
                                }
                                next.push(j);
                            }
                        }
                        Some(s) => remote = Some(s.to_owned()),
                        None => remote = Some("a computed source".into()),
                    }
                }
            }
            next.sort();
            next.dedup();
            if next.is_empty() {
                return Err(match remote {
                    Some(s) => format!(
                        "module `{name}` comes from outside the repository ({s}): what it \
                         declares cannot be followed"
                    ),
                    None => {
                        format!("no readable file declares the module call `{name}` on its path")
                    }
                });
            }
            dirs = next;
        }
        self.visited.extend(dirs.iter().cloned());
        Ok(dirs)
    }

    fn once(&mut self, root: &str, path: &[String], what: String, flags: Flags) -> bool {
        self.seen.insert((
            root.to_owned(),
            path.to_vec(),
            what,
            flags.cause,
            flags.keyed,
        ))
    }

    fn site(&mut self, site: Site, why: String, flags: Flags) {
        self.out
            .link(Matcher::Site(site), why, flags.cause, flags.keyed);
    }

    /// A module call on the path: the parts that decide what it instantiates.
    fn call(&mut self, root: &str, caller: &[String], name: &str, flags: Flags, follow: &[String]) {
        if !self.once(root, caller, format!("call {name} {follow:?}"), flags) {
            return;
        }
        let Ok(dirs) = self.dirs(root, caller) else {
            return;
        };
        let decl = Decl::Module {
            name: name.to_owned(),
        };
        for dir in &dirs {
            self.out.link(
                Matcher::Presence(Site::Tf {
                    dir: dir.clone(),
                    decl: decl.clone(),
                }),
                format!("the module call `module.{name}` on its path"),
                flags.cause,
                flags.keyed,
            );
            for part in CALL_PARTS {
                self.site(
                    Site::TfPart {
                        dir: dir.clone(),
                        decl: decl.clone(),
                        part: (*part).to_owned(),
                    },
                    format!("the module call `module.{name}` on its path"),
                    flags,
                );
            }
        }
        if !follow.is_empty() {
            self.refs_of(root, caller, &dirs, &decl, &Sel::Parts(follow), flags);
        }
    }

    /// `moved`, `removed` and `import` blocks that name the change, relative to
    /// each module on its path.
    fn addressed(&mut self, root: &str, change: &Change) {
        let path = &change.declared.path;
        for i in 0..=path.len() {
            let Ok(dirs) = self.dirs(root, &path[..i]) else {
                break;
            };
            let rest: Vec<String> = path[i..].iter().map(|m| format!("module.{m}")).collect();
            let mut address = rest.join(".");
            if !address.is_empty() {
                address.push('.');
            }
            address.push_str(&strip_resource_address(&change.address));
            let previous = change.previous_address.as_deref().map(|p| {
                let full = crate::model::strip_keys(p);
                let prefix: String = path[..i].iter().map(|m| format!("module.{m}.")).collect();
                full.strip_prefix(&prefix).unwrap_or(&full).to_owned()
            });
            for dir in dirs {
                self.out.addressed.push(Addressed {
                    dir,
                    address: address.clone(),
                    previous: previous.clone(),
                });
            }
        }
    }

    /// A resource (or data source) of module `path`: its block, and what the
    /// selected parts refer to. `own`: the change's own resource (its location).
    fn resource(
        &mut self,
        root: &str,
        path: &[String],
        decl: &Decl,
        sel: Sel<'_>,
        flags: Flags,
        own: bool,
    ) {
        let what = match &sel {
            Sel::All => format!("{decl:?} all"),
            Sel::Parts(p) => format!("{decl:?} {p:?}"),
            Sel::Forced(p) => format!("{decl:?} forced {p:?}"),
            Sel::Block => format!("{decl:?} block"),
        };
        if !self.once(root, path, what, flags) {
            return;
        }
        let Ok(dirs) = self.dirs(root, path) else {
            return;
        };
        if let Decl::Resource {
            data: true,
            kind,
            name,
        } = decl
            && !own
            && flags.cause
        {
            // What a data source reads changes outside the configuration (an
            // image, another stack's state): no commit need have caused it.
            let why = format!(
                "what forces it reads data source `data.{kind}.{name}`, whose result comes from \
                 outside the configuration"
            );
            if !self.out.widen.contains(&why) {
                self.out.widen.push(why);
            }
        }
        let why = if own {
            "its declaration".to_owned()
        } else {
            format!("{}, which it depends on", decl.describe())
        };
        for dir in &dirs {
            let site = Site::Tf {
                dir: dir.clone(),
                decl: decl.clone(),
            };
            // The change's own block explains it only by appearing or going
            // (its removal, a rename): an edit of it beside a cause plangate
            // does not follow is no explanation.
            self.site(site.clone(), why.clone(), if own { NONE } else { flags });
            if own && matches!(sel, Sel::Block) {
                self.out.link(
                    Matcher::Presence(site),
                    why.clone(),
                    flags.cause,
                    flags.keyed,
                );
            }
            if let Sel::Parts(parts) | Sel::Forced(parts) = &sel {
                for part in parts.iter() {
                    self.site(
                        Site::TfPart {
                            dir: dir.clone(),
                            decl: decl.clone(),
                            part: part.clone(),
                        },
                        format!("its `{part}`"),
                        flags,
                    );
                }
            }
        }
        if own && self.out.location.is_none() {
            for dir in &dirs {
                let found = self
                    .repo
                    .decls_in(dir)
                    .iter()
                    .find(|(_, _, d)| d.decl == *decl)
                    .map(|(at_head, file, d)| (*at_head, file.clone(), d.lines));
                if let Some((at_head, file, lines)) = found {
                    self.out.location = Some(SourceLocation {
                        file,
                        lines,
                        rev: self.repo.snapshot(at_head).rev.clone(),
                    });
                    break;
                }
            }
        }
        if matches!(sel, Sel::Block) {
            let found = dirs.iter().any(|d| {
                self.repo
                    .decls_in(d)
                    .iter()
                    .any(|(_, _, x)| x.decl == *decl)
            });
            if !found {
                for dir in &dirs {
                    self.widen_dir(
                        dir,
                        format!(
                            "no readable file of {} declares {}",
                            show(dir),
                            decl.describe()
                        ),
                        flags,
                    );
                }
            }
            return;
        }
        self.refs_of(root, path, &dirs, decl, &sel, flags);
        if matches!(sel, Sel::All) {
            self.provider(root, decl, flags);
        }
    }

    /// Follow what the selected parts of `decl` (in any of `dirs`) refer to.
    fn refs_of(
        &mut self,
        root: &str,
        path: &[String],
        dirs: &[String],
        decl: &Decl,
        sel: &Sel<'_>,
        flags: Flags,
    ) {
        let mut refs: BTreeSet<Ref> = BTreeSet::new();
        let mut found = false;
        let mut opaque = false;
        for dir in dirs {
            for (_, _, d) in self
                .repo
                .decls_in(dir)
                .iter()
                .filter(|(_, _, d)| d.decl == *decl)
            {
                found = true;
                opaque |= d.tolerant;
                let selected = selected_refs(d, sel);
                // `each.value` is what the block's own for_each holds.
                if selected.contains(&Ref::Each) {
                    let for_each = ["for_each".to_owned()];
                    refs.extend(selected_refs(d, &Sel::Parts(&for_each)));
                }
                refs.extend(selected);
            }
        }
        refs.remove(&Ref::Each);
        for dir in dirs {
            if !found {
                self.widen_dir(
                    dir,
                    format!(
                        "no readable file of {} declares {}",
                        show(dir),
                        decl.describe()
                    ),
                    flags,
                );
            } else if opaque && refs.is_empty() {
                self.widen_dir(
                    dir,
                    format!(
                        "{} is read only in part (a version does not parse)",
                        decl.describe()
                    ),
                    flags,
                );
            }
        }
        for r in refs {
            self.reference(root, path, dirs, &r, flags);
        }
    }

    /// Every file of a module directory counts: something there could not be read.
    fn widen_dir(&mut self, dir: &str, why: String, flags: Flags) {
        self.out.link(
            Matcher::Path {
                path: dir.to_owned(),
                dir: true,
                non_tf: false,
            },
            format!("{why}: every file of {} counts", show(dir)),
            flags.cause,
            flags.keyed,
        );
    }

    fn reference(&mut self, root: &str, path: &[String], dirs: &[String], r: &Ref, flags: Flags) {
        match r {
            Ref::Var(name) => self.variable(root, path, dirs, name, flags),
            Ref::Local(name) => {
                let decl = Decl::Local { name: name.clone() };
                if !self.once(root, path, format!("{decl:?}"), flags) {
                    return;
                }
                for dir in dirs {
                    self.site(
                        Site::Tf {
                            dir: dir.clone(),
                            decl: decl.clone(),
                        },
                        format!("`local.{name}`, which it uses"),
                        flags,
                    );
                }
                self.refs_of(root, path, dirs, &decl, &Sel::All, flags);
            }
            Ref::Resource { data, kind, name } => {
                let decl = Decl::Resource {
                    data: *data,
                    kind: kind.clone(),
                    name: name.clone(),
                };
                self.resource(root, path, &decl, Sel::All, flags, false);
            }
            Ref::Module { name, output } => {
                self.module_output(root, path, name, output.as_deref(), flags)
            }
            Ref::File(f) => {
                for dir in dirs {
                    self.file(root, dir, f, flags, path.is_empty(), 0);
                }
            }
            Ref::Each => {}
            Ref::Workspace => self.out.link(
                Matcher::Mention {
                    word: "workspace".into(),
                },
                "the workspace terraform runs in (`terraform.workspace`)".into(),
                flags.cause,
                false,
            ),
        }
    }

    fn variable(&mut self, root: &str, path: &[String], dirs: &[String], name: &str, flags: Flags) {
        if !self.once(root, path, format!("var {name}"), flags) {
            return;
        }
        for dir in dirs {
            self.site(
                Site::Tf {
                    dir: dir.clone(),
                    decl: Decl::Variable {
                        name: name.to_owned(),
                    },
                },
                format!("`var.{name}`, which it uses"),
                flags,
            );
        }
        match path.split_last() {
            None => {
                // The evaluator reads defaults, the root's auto-loaded var files
                // and the var files it is told of; a value it cannot see
                // (Terragrunt inputs, a `-var` where terraform runs, another var
                // file) must not let it clear a commit: those links are never
                // keyed (a var file's touch is keyed only if the evaluator reads
                // that file, decided per touch).
                let unseen = Flags {
                    cause: flags.cause,
                    keyed: false,
                };
                self.out.link(
                    Matcher::Tfvar {
                        name: name.to_owned(),
                        files: self.inputs.var_files.clone(),
                    },
                    format!("the value of `var.{name}`, which it uses"),
                    flags.cause,
                    flags.keyed,
                );
                for file in self.inputs.terragrunt.clone() {
                    self.site(
                        Site::TgInput {
                            file: file.clone(),
                            name: name.to_owned(),
                        },
                        format!("the Terragrunt input `{name}`, the value of `var.{name}`"),
                        unseen,
                    );
                    self.site(
                        Site::TgOther { file },
                        "the Terragrunt configuration of its stack".into(),
                        unseen,
                    );
                }
                for file in self.inputs.named.clone() {
                    self.out.link(
                        Matcher::Path {
                            path: file,
                            dir: false,
                            non_tf: false,
                        },
                        format!(
                            "a var file given with -var-file where terraform runs, which can \
                             set `var.{name}`"
                        ),
                        flags.cause,
                        false,
                    );
                }
                self.out.link(
                    Matcher::Mention {
                        word: name.to_owned(),
                    },
                    format!("where terraform runs, which can set `var.{name}`"),
                    flags.cause,
                    false,
                );
            }
            Some((module, caller)) => {
                // The calling module block's argument of the same name.
                let Ok(callers) = self.dirs(root, caller) else {
                    return;
                };
                let call = Decl::Module {
                    name: module.clone(),
                };
                for dir in &callers {
                    self.site(
                        Site::TfPart {
                            dir: dir.clone(),
                            decl: call.clone(),
                            part: name.to_owned(),
                        },
                        format!("the argument `{name}` of `module.{module}`"),
                        flags,
                    );
                }
                let parts = [name.to_owned()];
                self.refs_of(root, caller, &callers, &call, &Sel::Parts(&parts), flags);
            }
        }
    }

    fn module_output(
        &mut self,
        root: &str,
        path: &[String],
        name: &str,
        output: Option<&str>,
        flags: Flags,
    ) {
        if !self.once(root, path, format!("module {name} {output:?}"), flags) {
            return;
        }
        // Terraform refuses a module that calls itself; a configuration that
        // does (or nests absurdly deep) must not run plangate out of stack.
        if path.len() >= MAX_MODULE_DEPTH {
            let why = format!(
                "module calls nest deeper than {MAX_MODULE_DEPTH} (a module that calls itself?)"
            );
            if !self.out.widen.contains(&why) {
                self.out.widen.push(why);
            }
            return;
        }
        let all = [
            "count".to_owned(),
            "for_each".to_owned(),
            "providers".to_owned(),
        ];
        self.call(root, path, name, flags, &all);
        let mut child = path.to_vec();
        child.push(name.to_owned());
        match self.dirs(root, &child) {
            Ok(dirs) => {
                let outputs: Vec<Decl> = match output {
                    Some(o) => vec![Decl::Output { name: o.to_owned() }],
                    None => {
                        let mut all: Vec<Decl> = Vec::new();
                        for dir in &dirs {
                            for (_, _, d) in self.repo.decls_in(dir).iter() {
                                if matches!(d.decl, Decl::Output { .. }) && !all.contains(&d.decl) {
                                    all.push(d.decl.clone());
                                }
                            }
                        }
                        all
                    }
                };
                for o in outputs {
                    for dir in &dirs {
                        self.site(
                            Site::Tf {
                                dir: dir.clone(),
                                decl: o.clone(),
                            },
                            format!("{} of `module.{name}`, which it uses", o.describe()),
                            flags,
                        );
                    }
                    self.refs_of(root, &child, &dirs, &o, &Sel::All, flags);
                }
            }
            Err(_) => {
                // A module from outside: its outputs follow from its arguments.
                let Ok(callers) = self.dirs(root, path) else {
                    return;
                };
                let call = Decl::Module {
                    name: name.to_owned(),
                };
                for dir in &callers {
                    self.site(
                        Site::Tf {
                            dir: dir.clone(),
                            decl: call.clone(),
                        },
                        format!(
                            "`module.{name}` (from outside the repository), whose outputs it uses"
                        ),
                        flags,
                    );
                }
                self.refs_of(root, path, &callers, &call, &Sel::All, flags);
            }
        }
    }

    /// A file read by a file-family function of module `dir` (relative paths
    /// resolve where terraform runs, the root; `path.module` in the module).
    fn file(
        &mut self,
        root: &str,
        dir: &str,
        f: &FilePath,
        flags: Flags,
        is_root: bool,
        depth: usize,
    ) {
        let base = |p: &FilePath| -> Option<String> {
            match p {
                FilePath::Cwd(rel) => join(root, rel),
                FilePath::Module(rel) => join(dir, rel),
                _ => None,
            }
        };
        let why = |_: &str| "which it reads with a file function".to_owned();
        match f {
            FilePath::Cwd(_) | FilePath::Module(_) => match base(f) {
                Some(path) => {
                    self.out.link(
                        Matcher::Path {
                            path: path.clone(),
                            dir: false,
                            non_tf: false,
                        },
                        why(&path),
                        flags.cause,
                        flags.keyed,
                    );
                    self.template(root, &path, flags, is_root, depth);
                }
                None => self.unknown_file(root, dir, flags),
            },
            FilePath::Under(b) => match base(b) {
                Some(path) => self.out.link(
                    Matcher::Path {
                        path: path.clone(),
                        dir: true,
                        non_tf: true,
                    },
                    format!(
                        "the files under {}, one of which it reads (the path is computed)",
                        show(&path)
                    ),
                    flags.cause,
                    flags.keyed,
                ),
                None => self.unknown_file(root, dir, flags),
            },
            FilePath::Glob { base: b, pattern } => {
                let glob = base(b).and_then(|d| {
                    let full = if d.is_empty() {
                        pattern.clone()
                    } else {
                        format!("{d}/{pattern}")
                    };
                    globset::Glob::new(&full)
                        .ok()
                        .map(|g| (d, g.compile_matcher()))
                });
                match glob {
                    Some((d, glob)) => self.out.link(
                        Matcher::Glob {
                            dir: d.clone(),
                            glob,
                        },
                        format!("matched by its fileset({pattern}) in {}", show(&d)),
                        flags.cause,
                        flags.keyed,
                    ),
                    None => self.unknown_file(root, dir, flags),
                }
            }
            FilePath::Value(r) if depth < 4 => {
                let values = self.values_of(dir, r, is_root);
                if values.is_empty() {
                    self.unknown_file(root, dir, flags);
                }
                for v in values {
                    self.file(root, dir, &v, flags, is_root, depth + 1);
                }
            }
            FilePath::Value(_) | FilePath::Unknown => self.unknown_file(root, dir, flags),
        }
    }

    /// A template file read with `templatefile` can itself read files (relative
    /// to where terraform runs); one that does not parse can read any.
    fn template(&mut self, root: &str, path: &str, flags: Flags, is_root: bool, depth: usize) {
        if depth >= 4
            || ![".tftpl", ".tpl", ".tmpl"]
                .iter()
                .any(|e| path.ends_with(e))
        {
            return;
        }
        let texts: Vec<String> = [self.repo.head, self.repo.base]
            .iter()
            .filter_map(|s| s.files.get(path).cloned())
            .collect();
        for text in texts {
            match super::terraform::template_refs(&text) {
                Some(refs) => {
                    for r in refs {
                        if let Ref::File(f) = r {
                            self.file(root, root, &f, flags, is_root, depth + 1);
                        }
                    }
                }
                None => self.unknown_file(root, root, flags),
            }
        }
    }

    /// The paths a variable or local of module `dir` holds, as declared (a
    /// local's value; a variable's default and, in the root, its values in
    /// var files); empty when one cannot be told.
    fn values_of(&mut self, dir: &str, r: &Ref, is_root: bool) -> Vec<FilePath> {
        let mut out = Vec::new();
        let decls = self.repo.decls_in(dir);
        match r {
            Ref::Local(name) => {
                for (_, _, d) in decls
                    .iter()
                    .filter(|(_, _, d)| d.decl == (Decl::Local { name: name.clone() }))
                {
                    out.push(super::terraform::path_of_attribute(&d.text));
                }
            }
            Ref::Var(name) => {
                for (_, _, d) in decls
                    .iter()
                    .filter(|(_, _, d)| d.decl == (Decl::Variable { name: name.clone() }))
                {
                    match d.part("default") {
                        Some(p) => out.push(super::terraform::path_of_attribute(&p.text)),
                        None => return Vec::new(),
                    }
                }
                if !is_root {
                    // A module's variable is set by its caller: anything.
                    return Vec::new();
                }
                for snapshot in [self.repo.head, self.repo.base] {
                    for (path, text) in &snapshot.files {
                        if !self.inputs.var_files.reads(path) {
                            continue;
                        }
                        for (key, _, t) in super::terraform::tfvars(path, text).unwrap_or_default()
                        {
                            if key == *name {
                                out.push(if path.ends_with(".json") {
                                    serde_json::from_str::<String>(t.trim())
                                        .map_or(FilePath::Unknown, FilePath::Cwd)
                                } else {
                                    super::terraform::path_of_attribute(&t)
                                });
                            }
                        }
                    }
                }
                if !self.inputs.terragrunt.is_empty() || !self.inputs.named.is_empty() {
                    return Vec::new();
                }
            }
            _ => return Vec::new(),
        }
        if out.iter().any(|p| matches!(p, FilePath::Unknown)) {
            return Vec::new();
        }
        out.sort();
        out.dedup();
        out
    }

    /// A path nothing is known of can name any file of the repository.
    fn unknown_file(&mut self, _root: &str, dir: &str, flags: Flags) {
        self.out.link(
            Matcher::Path {
                path: String::new(),
                dir: true,
                non_tf: true,
            },
            format!(
                "{} reads a file through a path plangate cannot resolve: every file of the \
                 repository counts",
                show(dir)
            ),
            flags.cause,
            flags.keyed,
        );
    }

    /// The provider configuration a resource uses, and the provider versions.
    fn provider(&mut self, root: &str, decl: &Decl, flags: Flags) {
        let Decl::Resource { kind, .. } = decl else {
            return;
        };
        let argument = self
            .repo
            .decls_in(root)
            .iter()
            .find(|(_, _, d)| d.decl == *decl)
            .and_then(|(_, _, d)| d.provider.clone());
        let name = provider_name(kind, argument.as_deref());
        if !self.once(root, &[], format!("provider {name}"), flags) {
            return;
        }
        let provider = Decl::Provider { name: name.clone() };
        self.site(
            Site::Tf {
                dir: root.to_owned(),
                decl: provider.clone(),
            },
            format!("the configuration of provider `{name}`"),
            flags,
        );
        self.site(
            Site::Tf {
                dir: root.to_owned(),
                decl: Decl::Terraform,
            },
            "the required provider versions".into(),
            flags,
        );
        let lock = join(root, ".terraform.lock.hcl").unwrap_or_default();
        self.out.link(
            Matcher::Path {
                path: lock,
                dir: false,
                non_tf: false,
            },
            "the locked provider versions".into(),
            flags.cause,
            flags.keyed,
        );
        let dirs = [root.to_owned()];
        let found = self
            .repo
            .decls_in(root)
            .iter()
            .any(|(_, _, d)| d.decl == provider);
        if found {
            self.refs_of(root, &[], &dirs, &provider, &Sel::All, flags);
        }
    }

    /// A keyed delete: what to evaluate at each commit.
    fn keyed(
        &mut self,
        root: &str,
        dirs: &[String],
        calls: &[eval::Call],
        decl: &Decl,
        change: &Change,
        module: bool,
    ) {
        let key = if module {
            module_key(&change.address, change.declared.path.len())
        } else {
            resource_key(&change.address)
        };
        let (Some(key), Some(dir)) = (key, dirs.first()) else {
            return;
        };
        let block = match decl {
            Decl::Resource { data, kind, name } => eval::Block::Resource {
                data: *data,
                kind: kind.clone(),
                name: name.clone(),
            },
            Decl::Module { name } => eval::Block::Module { name: name.clone() },
            _ => return,
        };
        let var_files = match &self.inputs.var_files {
            VarFiles::Exact { files, .. } => files.clone(),
            VarFiles::Heuristic { .. } => Vec::new(),
        };
        self.out.keyed = Some(Keyed {
            own: !module,
            root: root.to_owned(),
            calls: calls.to_vec(),
            dir: dir.clone(),
            block,
            key,
            var_files,
        });
    }
}

fn selected_refs(d: &Declaration, sel: &Sel<'_>) -> Vec<Ref> {
    match sel {
        Sel::All => d.refs.clone(),
        Sel::Block => Vec::new(),
        Sel::Parts(names) => d
            .parts
            .iter()
            .filter(|p| names.contains(&p.name))
            .flat_map(|p| p.refs.clone())
            .collect(),
        Sel::Forced(names) => {
            let present: Vec<_> = d.parts.iter().filter(|p| names.contains(&p.name)).collect();
            if present.is_empty() {
                d.refs.clone()
            } else {
                present.iter().flat_map(|p| p.refs.clone()).collect()
            }
        }
    }
}

/// A directory for messages.
pub fn show(dir: &str) -> String {
    if dir.is_empty() {
        "the repository's root".into()
    } else {
        dir.to_owned()
    }
}

/// The resource part of an address, without keys (`module.a.x.y[0]` → `x.y`).
pub fn strip_resource_address(address: &str) -> String {
    let plain = crate::model::strip_keys(address);
    let parts: Vec<&str> = plain.split('.').collect();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        i += 2;
    }
    parts[i..].join(".")
}

/// The instance keys of an address, in order (`module.a["k"].x.y[0]` → `"k"`, `0`).
fn keys(address: &str) -> Vec<InstanceKey> {
    let mut out = Vec::new();
    let bytes: Vec<char> = address.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == '[' {
            let mut j = i + 1;
            if bytes.get(j) == Some(&'"') {
                let mut s = String::new();
                j += 1;
                while j < bytes.len() && bytes[j] != '"' {
                    if bytes[j] == '\\' && j + 1 < bytes.len() {
                        j += 1;
                    }
                    s.push(bytes[j]);
                    j += 1;
                }
                out.push(InstanceKey::Name(s));
                while j < bytes.len() && bytes[j] != ']' {
                    j += 1;
                }
            } else {
                let mut s = String::new();
                while j < bytes.len() && bytes[j] != ']' {
                    s.push(bytes[j]);
                    j += 1;
                }
                if let Ok(n) = s.trim().parse() {
                    out.push(InstanceKey::Index(n));
                }
            }
            i = j;
        }
        i += 1;
    }
    out
}

/// The resource's own key: the last key, when the address ends with one.
pub fn resource_key(address: &str) -> Option<InstanceKey> {
    address
        .ends_with(']')
        .then(|| keys(address).pop())
        .flatten()
}

/// The key of the module instance at depth `depth` (1-based) of the path.
fn module_key(address: &str, depth: usize) -> Option<InstanceKey> {
    // Module segments carry keys only where instanced; count them by segment.
    let mut segs = Vec::new();
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        let end = r.find("].module.").map(|e| e + 1).or_else(|| {
            let dot = r.find('.')?;
            let bracket = r.find('[').filter(|b| *b < dot);
            match bracket {
                Some(_) => r.find("].").map(|e| e + 1),
                None => Some(dot),
            }
        })?;
        segs.push(&r[..end]);
        rest = r[end..].trim_start_matches('.');
    }
    let seg = segs.get(depth.checked_sub(1)?)?;
    seg.ends_with(']').then(|| keys(seg).pop()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_part_of_an_address() {
        assert_eq!(
            strip_resource_address(r#"module.a["k"].module.b[0].x_y.z[1]"#),
            "x_y.z"
        );
        assert_eq!(strip_resource_address("data.x_y.z"), "data.x_y.z");
    }

    #[test]
    fn instance_keys() {
        assert_eq!(
            resource_key(r#"terraform_data.site["be.ta"]"#),
            Some(InstanceKey::Name("be.ta".into()))
        );
        assert_eq!(
            resource_key("terraform_data.w[2]"),
            Some(InstanceKey::Index(2))
        );
        assert_eq!(resource_key("terraform_data.w"), None);
        assert_eq!(
            module_key(r#"module.a["k"].module.b[1].x.y"#, 1),
            Some(InstanceKey::Name("k".into()))
        );
        assert_eq!(
            module_key(r#"module.a["k"].module.b[1].x.y"#, 2),
            Some(InstanceKey::Index(1))
        );
        assert_eq!(module_key("module.a.module.b[3].x.y", 1), None);
    }
}
