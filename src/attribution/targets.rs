//! What a destructive change depends on: the declarations whose change can
//! have caused it, found in the configuration at the head and at the base.
//!
//! Terraform: the resource block, each `module` block on the way to it, the
//! variables and locals it refers to (following module inputs up to the root
//! and into `.tfvars`), and for replacements the provider configuration.
//! `moved`, `removed` and `import` blocks naming it are matched separately
//! ([`Addressed`]), since they name it by address.
//! CloudFormation: the logical resource in its template, the nested-stack
//! resources that lead to that template, and the parameters it refers to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::SourceLocation;
use super::template::{self, Template};
use super::terraform::{self, Decl, Declaration, Ref};
use super::touches::{Site, dir_of, is_terraform, is_tfvars};
use crate::model::{Action, Change};

/// The files of the configuration at one revision.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub rev: String,
    pub files: BTreeMap<String, String>,
}

/// A site a change depends on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub site: Site,
    pub why: String,
}

/// The change's address relative to a module directory, to match `moved`,
/// `removed` and `import` blocks written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    pub dir: String,
    pub address: String,
    pub previous: Option<String>,
}

impl Addressed {
    /// Does this block's address name the change (itself, or a module holding it)?
    pub fn named_by(&self, written: &str) -> bool {
        let hits = |a: &str| a == written || a.starts_with(&format!("{written}."));
        !written.is_empty() && (hits(&self.address) || self.previous.as_deref().is_some_and(hits))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    pub targets: Vec<Target>,
    pub addressed: Vec<Addressed>,
    pub location: Option<SourceLocation>,
    /// Why nothing specific could be found, when nothing was.
    pub unresolved: Option<String>,
}

/// Both snapshots, with parsed files cached.
pub struct Repo<'a> {
    pub head: &'a Snapshot,
    pub base: &'a Snapshot,
    tf: HashMap<(bool, String), Option<Vec<Declaration>>>,
    templates: HashMap<(bool, String), Option<Template>>,
}

impl<'a> Repo<'a> {
    pub fn new(head: &'a Snapshot, base: &'a Snapshot) -> Repo<'a> {
        Repo {
            head,
            base,
            tf: HashMap::new(),
            templates: HashMap::new(),
        }
    }

    fn snapshot(&self, at_head: bool) -> &'a Snapshot {
        if at_head { self.head } else { self.base }
    }

    /// Declarations of each `.tf` file directly in `dir`, head first then base.
    fn decls_in(&mut self, dir: &str) -> Vec<(bool, String, Declaration)> {
        let mut out = Vec::new();
        for at_head in [true, false] {
            let snapshot = self.snapshot(at_head);
            let files: Vec<String> = snapshot
                .files
                .keys()
                .filter(|p| is_terraform(p) && dir_of(p) == dir)
                .cloned()
                .collect();
            for path in files {
                let decls = self
                    .tf
                    .entry((at_head, path.clone()))
                    .or_insert_with(|| terraform::declarations(&snapshot.files[&path]))
                    .clone()
                    .unwrap_or_default();
                out.extend(decls.into_iter().map(|d| (at_head, path.clone(), d)));
            }
        }
        out
    }

    fn terraform_dirs(&self) -> BTreeSet<String> {
        [self.head, self.base]
            .iter()
            .flat_map(|s| s.files.keys())
            .filter(|p| is_terraform(p))
            .map(|p| dir_of(p))
            .collect()
    }

    fn templates(&mut self) -> Vec<(bool, String, Template)> {
        let mut out = Vec::new();
        for at_head in [true, false] {
            let snapshot = self.snapshot(at_head);
            for (path, text) in &snapshot.files {
                if !super::touches::may_be_template(path) {
                    continue;
                }
                let parsed = self
                    .templates
                    .entry((at_head, path.clone()))
                    .or_insert_with(|| template::parse_template(text))
                    .clone();
                if let Some(t) = parsed {
                    out.push((at_head, path.clone(), t));
                }
            }
        }
        out
    }
}

/// `a/b` joined with `../c` → `a/c`; `None` when it leaves the repository.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Root module directories of a Terraform plan: the configured one, else the
/// plan's own directory when it holds `.tf` files, else the directories that
/// declare most of the plan's root resources and module calls.
pub fn terraform_roots(
    repo: &mut Repo<'_>,
    changes: &[Change],
    configured: Option<&str>,
    plan_dir: Option<&str>,
) -> Vec<String> {
    if let Some(dir) = configured {
        return vec![dir.trim_matches('/').to_owned()];
    }
    let dirs = repo.terraform_dirs();
    if let Some(d) = plan_dir
        && dirs.contains(d)
    {
        return vec![d.to_owned()];
    }
    let mut best: (usize, Vec<String>) = (0, Vec::new());
    for dir in dirs {
        let decls: BTreeSet<Decl> = repo
            .decls_in(&dir)
            .into_iter()
            .map(|(_, _, d)| d.decl)
            .collect();
        let score = changes
            .iter()
            .filter(|c| match c.declared.path.first() {
                None => decls.contains(&Decl::Resource {
                    data: c.data_source,
                    kind: c.resource_type.clone(),
                    name: c.declared.name.clone(),
                }),
                Some(m) => decls.contains(&Decl::Module { name: m.clone() }),
            })
            .count();
        if score > best.0 {
            best = (score, vec![dir]);
        } else if score == best.0 && score > 0 {
            best.1.push(dir);
        }
    }
    best.1
}

/// A resource type's provider local name (`aws_s3_bucket` → `aws`), or the
/// one a `provider = aws.west` argument names.
fn provider_name(kind: &str, argument: Option<&str>) -> String {
    argument
        .map(|a| a.split('.').next().unwrap_or(a).to_owned())
        .unwrap_or_else(|| kind.split('_').next().unwrap_or(kind).to_owned())
}

pub fn terraform(repo: &mut Repo<'_>, roots: &[String], change: &Change) -> Dependencies {
    let mut deps = Dependencies::default();
    if roots.is_empty() {
        deps.unresolved =
            Some("the Terraform configuration of this plan was not found in the repository".into());
        return deps;
    }
    let resource = Decl::Resource {
        data: change.data_source,
        kind: change.resource_type.clone(),
        name: change.declared.name.clone(),
    };
    let path = &change.declared.path;
    for root in roots {
        // Walk the module calls from the root, noting each directory.
        let mut dirs = vec![root.clone()];
        let mut callers: Vec<(String, String)> = Vec::new(); // (calling dir, module name)
        for (i, module) in path.iter().enumerate() {
            let dir = dirs[i].clone();
            deps.targets.push(Target {
                site: Site::Tf {
                    dir: dir.clone(),
                    decl: Decl::Module {
                        name: module.clone(),
                    },
                },
                why: format!("the module call `module.{module}` on its path"),
            });
            let source = repo
                .decls_in(&dir)
                .into_iter()
                .find(|(_, _, d)| {
                    d.decl
                        == (Decl::Module {
                            name: module.clone(),
                        })
                })
                .and_then(|(_, _, d)| d.source);
            match source
                .as_deref()
                .filter(|s| s.starts_with("./") || s.starts_with("../"))
                .and_then(|s| join(&dir, s))
            {
                Some(next) => {
                    callers.push((dir, module.clone()));
                    dirs.push(next);
                }
                None => {
                    deps.unresolved.get_or_insert_with(|| {
                        format!("module `{module}` comes from outside the repository; only its call can be attributed")
                    });
                    break;
                }
            }
        }
        // Moved/removed/import blocks name the change relative to their module.
        for (i, dir) in dirs.iter().enumerate() {
            let rest: Vec<String> = path[i.min(path.len())..]
                .iter()
                .map(|m| format!("module.{m}"))
                .collect();
            let mut address = rest.join(".");
            let tail = strip_resource_address(&change.address);
            if !address.is_empty() {
                address.push('.');
            }
            address.push_str(&tail);
            let previous = change.previous_address.as_deref().map(|p| {
                let full = crate::model::strip_keys(p);
                // Relative to this directory: drop the module calls above it.
                let prefix: String = path[..i.min(path.len())]
                    .iter()
                    .map(|m| format!("module.{m}."))
                    .collect();
                full.strip_prefix(&prefix).unwrap_or(&full).to_owned()
            });
            deps.addressed.push(Addressed {
                dir: dir.clone(),
                address,
                previous,
            });
        }
        if dirs.len() != path.len() + 1 {
            continue;
        }
        let home = dirs[path.len()].clone();
        deps.targets.push(Target {
            site: Site::Tf {
                dir: home.clone(),
                decl: resource.clone(),
            },
            why: "its declaration".into(),
        });
        let found: Vec<(bool, String, Declaration)> = repo
            .decls_in(&home)
            .into_iter()
            .filter(|(_, _, d)| d.decl == resource)
            .collect();
        if deps.location.is_none()
            && let Some((at_head, file, d)) = found.first()
        {
            deps.location = Some(SourceLocation {
                file: file.clone(),
                lines: d.lines,
                rev: repo.snapshot(*at_head).rev.clone(),
            });
        }
        let mut refs: Vec<Ref> = found
            .iter()
            .flat_map(|(_, _, d)| deciding_refs(change, d))
            .collect();
        if change.action == Action::Replace {
            let provider = provider_name(
                &change.resource_type,
                found.iter().find_map(|(_, _, d)| d.provider.as_deref()),
            );
            for dir in dirs.iter().take(1) {
                deps.targets.push(Target {
                    site: Site::Tf {
                        dir: dir.clone(),
                        decl: Decl::Provider {
                            name: provider.clone(),
                        },
                    },
                    why: format!("the configuration of provider `{provider}`"),
                });
                deps.targets.push(Target {
                    site: Site::Tf {
                        dir: dir.clone(),
                        decl: Decl::Terraform,
                    },
                    why: "the required provider versions".into(),
                });
            }
        }
        follow_refs(repo, &dirs, &callers, path.len(), &mut refs, &mut deps);
    }
    deps
}

/// The references that can have caused the change: those of the attributes
/// Terraform says force a replacement, of `count` for a count-index delete, of
/// `for_each` for an each-key delete; otherwise all of the block's.
fn deciding_refs(change: &Change, d: &Declaration) -> Vec<Ref> {
    let reason = change
        .reasons
        .iter()
        .map(ToString::to_string)
        .next()
        .unwrap_or_default();
    let names: Vec<String> = match (change.action, reason.as_str()) {
        (Action::Replace, _) if !change.forced_by.is_empty() => change
            .forced_by
            .iter()
            .map(|p| p.split(['.', '[']).next().unwrap_or(p).to_owned())
            .collect(),
        (Action::Delete, "delete_because_count_index") => vec!["count".into()],
        (Action::Delete, "delete_because_each_key") => vec!["for_each".into()],
        _ => return d.refs.clone(),
    };
    let chosen: Vec<Ref> = d
        .attr_refs
        .iter()
        .filter(|(name, _)| names.contains(name))
        .flat_map(|(_, r)| r.clone())
        .collect();
    // A forcing attribute not written in the block (computed): keep everything.
    if d.attr_refs.iter().any(|(name, _)| names.contains(name)) {
        chosen
    } else {
        d.refs.clone()
    }
}

/// The resource part of an address, without keys (`module.a.x.y[0]` → `x.y`).
fn strip_resource_address(address: &str) -> String {
    let plain = crate::model::strip_keys(address);
    let parts: Vec<&str> = plain.split('.').collect();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        i += 2;
    }
    parts[i..].join(".")
}

/// Variables and locals the resource uses, in its module and, through module
/// inputs, in the modules that call it, up to the root and its `.tfvars`.
fn follow_refs(
    repo: &mut Repo<'_>,
    dirs: &[String],
    callers: &[(String, String)],
    depth: usize,
    refs: &mut Vec<Ref>,
    deps: &mut Dependencies,
) {
    let mut level = depth;
    let mut pending: Vec<Ref> = std::mem::take(refs);
    let mut seen: BTreeSet<(usize, Ref)> = BTreeSet::new();
    loop {
        let dir = dirs[level].clone();
        let decls = repo.decls_in(&dir);
        let mut up: Vec<Ref> = Vec::new();
        while let Some(r) = pending.pop() {
            if !seen.insert((level, r.clone())) {
                continue;
            }
            match &r {
                Ref::Local(name) => {
                    deps.targets.push(Target {
                        site: Site::Tf {
                            dir: dir.clone(),
                            decl: Decl::Local { name: name.clone() },
                        },
                        why: format!("`local.{name}`, which it uses"),
                    });
                    for (_, _, d) in decls
                        .iter()
                        .filter(|(_, _, d)| d.decl == (Decl::Local { name: name.clone() }))
                    {
                        pending.extend(d.refs.iter().cloned());
                    }
                }
                Ref::Var(name) => {
                    deps.targets.push(Target {
                        site: Site::Tf {
                            dir: dir.clone(),
                            decl: Decl::Variable { name: name.clone() },
                        },
                        why: format!("`var.{name}`, which it uses"),
                    });
                    if level == 0 {
                        deps.targets.push(Target {
                            site: Site::Tfvar { name: name.clone() },
                            why: format!("the value of `var.{name}`, which it uses"),
                        });
                    } else if let Some((caller_dir, module)) = callers.get(level - 1) {
                        // The calling module block's argument of the same name.
                        for (_, _, d) in repo.decls_in(caller_dir).iter().filter(|(_, _, d)| {
                            d.decl
                                == (Decl::Module {
                                    name: module.clone(),
                                })
                        }) {
                            for (input, input_refs) in &d.inputs {
                                if input == name {
                                    up.extend(input_refs.iter().cloned());
                                }
                            }
                        }
                    }
                }
            }
        }
        if level == 0 || up.is_empty() {
            break;
        }
        level -= 1;
        pending = up;
    }
}

/// Whether a `.tfvars` file can set the root module's variables: it is in the
/// root directory or below it, or in no Terraform directory at all (a shared
/// `envs/` folder).
pub fn tfvars_applies(file: &str, roots: &[String], terraform_dirs: &BTreeSet<String>) -> bool {
    if !is_tfvars(file) {
        return false;
    }
    let dir = dir_of(file);
    roots
        .iter()
        .any(|r| r.is_empty() || dir == *r || dir.starts_with(&format!("{r}/")))
        || !terraform_dirs.contains(&dir)
}

pub fn terraform_dirs(repo: &Repo<'_>) -> BTreeSet<String> {
    repo.terraform_dirs()
}

pub fn cloudformation(repo: &mut Repo<'_>, change: &Change) -> Dependencies {
    let mut deps = Dependencies::default();
    let templates = repo.templates();
    let declares = |id: &str| -> Vec<&(bool, String, Template)> {
        templates
            .iter()
            .filter(|(_, _, t)| t.resources.iter().any(|r| r.logical_id == id))
            .collect()
    };
    let id = change.declared.name.as_str();
    // Follow local nested-stack templates from any template declaring the first stack.
    let mut homes: Vec<String> = Vec::new();
    if let Some(first) = change.declared.path.first() {
        let mut current: Vec<String> = declares(first).iter().map(|(_, f, _)| f.clone()).collect();
        for stack in &change.declared.path {
            let mut next = Vec::new();
            for file in &current {
                deps.targets.push(Target {
                    site: Site::CfnResource {
                        file: file.clone(),
                        id: stack.clone(),
                    },
                    why: format!("the nested stack `{stack}` on its path"),
                });
                for (_, f, t) in templates.iter().filter(|(_, f, _)| f == file) {
                    for r in t.resources.iter().filter(|r| r.logical_id == *stack) {
                        if let Some(child) = r
                            .nested_template
                            .as_deref()
                            .and_then(|n| join(&dir_of(f), n))
                        {
                            next.push(child);
                        }
                    }
                }
            }
            next.sort();
            next.dedup();
            current = next;
            if current.is_empty() {
                break;
            }
        }
        homes = current;
    }
    if homes.is_empty() {
        // Not resolvable through nested stacks (or not nested): every template
        // that declares the logical id.
        homes = declares(id).iter().map(|(_, f, _)| f.clone()).collect();
        homes.sort();
        homes.dedup();
    }
    if homes.is_empty() {
        deps.unresolved = Some(format!(
            "no CloudFormation template in the repository declares `{id}`"
        ));
        return deps;
    }
    for file in &homes {
        deps.targets.push(Target {
            site: Site::CfnResource {
                file: file.clone(),
                id: id.to_owned(),
            },
            why: "its declaration".into(),
        });
        for (at_head, f, t) in templates.iter().filter(|(_, f, _)| f == file) {
            for r in t.resources.iter().filter(|r| r.logical_id == id) {
                if deps.location.is_none() {
                    deps.location = Some(SourceLocation {
                        file: f.clone(),
                        lines: r.lines,
                        rev: repo.snapshot(*at_head).rev.clone(),
                    });
                }
                for p in &r.parameters {
                    let site = Site::CfnParameter {
                        file: f.clone(),
                        name: p.clone(),
                    };
                    if !deps.targets.iter().any(|t| t.site == site) {
                        deps.targets.push(Target {
                            site,
                            why: format!("the parameter `{p}`, which it uses"),
                        });
                    }
                }
            }
        }
    }
    deps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining_module_sources() {
        assert_eq!(
            join("infra/prod", "../modules/db").as_deref(),
            Some("infra/modules/db")
        );
        assert_eq!(join("", "./modules/db").as_deref(), Some("modules/db"));
        assert_eq!(join("", "../outside"), None);
    }

    #[test]
    fn moved_blocks_name_a_change_or_a_module_holding_it() {
        let a = Addressed {
            dir: String::new(),
            address: "module.db.aws_db_instance.main".into(),
            previous: Some("aws_db_instance.main".into()),
        };
        assert!(a.named_by("module.db.aws_db_instance.main"));
        assert!(a.named_by("module.db"));
        assert!(a.named_by("aws_db_instance.main"), "the previous address");
        assert!(!a.named_by("module.d"));
        assert!(!a.named_by(""));
    }

    #[test]
    fn resource_part_of_an_address() {
        assert_eq!(
            strip_resource_address(r#"module.a["k"].module.b[0].x_y.z[1]"#),
            "x_y.z"
        );
        assert_eq!(strip_resource_address("data.x_y.z"), "data.x_y.z");
    }
}
