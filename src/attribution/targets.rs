//! The configuration a plan was made from, at the head and at the base: the
//! files, their declarations (parsed once), the Terraform root modules and
//! module directories. [`super::closure`] and [`super::cfn`] walk it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::lexical;
use super::template::{self, Template};
use super::terraform::{self, Decl, Declaration};
use super::touches::{dir_of, is_terraform, is_tfvars};
use crate::model::Change;

/// The files of the configuration at one revision.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub rev: String,
    pub files: BTreeMap<String, String>,
    /// Symbolic links: the link's path and the repository path it points at.
    pub links: BTreeMap<String, String>,
}

impl Snapshot {
    /// `path` with symbolic links on the way resolved (at most a few levels).
    pub fn resolve(&self, path: &str) -> String {
        let mut path = path.to_owned();
        for _ in 0..8 {
            let hit = self
                .links
                .iter()
                .find(|(link, _)| path == **link || path.starts_with(&format!("{link}/")));
            match hit {
                Some((link, target)) => path = format!("{target}{}", &path[link.len()..]),
                None => break,
            }
        }
        path
    }
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

/// The declarations of a module directory: (at the head?, file, declaration),
/// head first then base.
pub type Decls = std::rc::Rc<Vec<(bool, String, Declaration)>>;

/// Both snapshots, with parsed files cached.
pub struct Repo<'a> {
    pub head: &'a Snapshot,
    pub base: &'a Snapshot,
    tf: HashMap<(bool, String), Option<Vec<Declaration>>>,
    dirs: HashMap<String, Decls>,
    templates: HashMap<(bool, String), Option<Template>>,
}

impl<'a> Repo<'a> {
    pub fn new(head: &'a Snapshot, base: &'a Snapshot) -> Repo<'a> {
        Repo {
            head,
            base,
            tf: HashMap::new(),
            dirs: HashMap::new(),
            templates: HashMap::new(),
        }
    }

    pub fn snapshot(&self, at_head: bool) -> &'a Snapshot {
        if at_head { self.head } else { self.base }
    }

    /// Declarations of each `.tf` file directly in `dir`, head first then base.
    pub fn decls_in(&mut self, dir: &str) -> Decls {
        if let Some(d) = self.dirs.get(dir) {
            return d.clone();
        }
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
                    .or_insert_with(|| {
                        let text = &snapshot.files[&path];
                        terraform::declarations(text).or_else(|| lexical::declarations(text))
                    })
                    .clone()
                    .unwrap_or_default();
                out.extend(decls.into_iter().map(|d| (at_head, path.clone(), d)));
            }
        }
        let out = std::rc::Rc::new(out);
        self.dirs.insert(dir.to_owned(), out.clone());
        out
    }

    pub fn terraform_dirs(&self) -> BTreeSet<String> {
        [self.head, self.base]
            .iter()
            .flat_map(|s| s.files.keys())
            .filter(|p| is_terraform(p))
            .map(|p| dir_of(p))
            .collect()
    }

    pub fn templates(&mut self) -> Vec<(bool, String, Template)> {
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
            .iter()
            .map(|(_, _, d)| d.decl.clone())
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
pub fn provider_name(kind: &str, argument: Option<&str>) -> String {
    argument
        .map(|a| a.split('.').next().unwrap_or(a).to_owned())
        .unwrap_or_else(|| kind.split('_').next().unwrap_or(kind).to_owned())
}

/// Whether a `.tfvars` file can set the root module's variables: it is in the
/// root directory or below it, or in no Terraform directory at all (a shared
/// `envs/` folder).
pub fn tfvars_applies(file: &str, roots: &[String], terraform_dirs: &BTreeSet<String>) -> bool {
    if !is_tfvars(file) {
        return false;
    }
    let dir = dir_of(file);
    // Only the files another root loads by itself are that root's alone: any
    // other var file may be given to this plan with -var-file.
    roots
        .iter()
        .any(|r| r.is_empty() || dir == *r || dir.starts_with(&format!("{r}/")))
        || !terraform_dirs.contains(&dir)
        || !is_auto_loaded(file)
}

/// A var file Terraform loads without being asked: `terraform.tfvars`,
/// `terraform.tfvars.json`, `*.auto.tfvars`, `*.auto.tfvars.json`.
pub fn is_auto_loaded(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

pub fn terraform_dirs(repo: &Repo<'_>) -> BTreeSet<String> {
    repo.terraform_dirs()
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
}
