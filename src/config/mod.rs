//! plangate's configuration: the built-in catalog (`rules/*.hcl`, compiled in)
//! and a repository's `.plangate.hcl`, read strictly (see [`hcl`]).

pub mod hcl;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::classify::Catalog;
use crate::classify::catalog;
use crate::policy::{self, Policy};
use hcl::{ConfigErrors, Reader, SourceFile};

/// The default name of a repository's configuration, at its root.
pub const FILE_NAME: &str = ".plangate.hcl";

/// Files whose changes count as infrastructure changes when a destructive
/// change cannot be tied to the block that declares it.
pub const DEFAULT_INFRASTRUCTURE: &[&str] = &[
    "**/*.tf",
    "**/*.tf.json",
    "**/*.tfvars",
    "**/*.tfvars.json",
    "**/.terraform.lock.hcl",
    "**/*.tofu",
    "**/terragrunt.hcl",
    "**/*.template",
    "**/*.template.json",
    "**/*.template.yaml",
    "**/*.template.yml",
    "**/template.yaml",
    "**/template.yml",
    "**/cloudformation/**",
    "**/cfn/**",
    "**/cdk.json",
];

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub catalog: Catalog,
    pub attribution: Attribution,
    pub policy: Policy,
    /// Where it was read from (`None`: built-in defaults only).
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Attribution {
    pub infrastructure: GlobSet,
    pub infrastructure_globs: Vec<String>,
    /// Terraform root module directory for plans whose path matches a glob.
    pub terraform_roots: Vec<(GlobSet, String, String)>,
}

impl Attribution {
    fn with(globs: &[String]) -> Result<Attribution, globset::Error> {
        Ok(Attribution {
            infrastructure: build(globs)?,
            infrastructure_globs: globs.to_vec(),
            terraform_roots: Vec::new(),
        })
    }

    pub fn is_infrastructure(&self, path: &str) -> bool {
        self.infrastructure.is_match(path)
    }

    /// The configured root for a plan path, if any.
    pub fn terraform_root(&self, plan_path: &str) -> Option<&str> {
        self.terraform_roots
            .iter()
            .find(|(set, _, _)| set.is_match(plan_path))
            .map(|(_, _, dir)| dir.as_str())
    }
}

fn build(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g)?);
    }
    b.build()
}

/// Errors of the built-in configuration are bugs in plangate, caught by tests;
/// they are still returned, never panicked on.
pub fn builtin() -> Result<Config, ConfigErrors> {
    let globs: Vec<String> = DEFAULT_INFRASTRUCTURE
        .iter()
        .map(|s| s.to_string())
        .collect();
    Ok(Config {
        catalog: Catalog::builtin()?,
        attribution: Attribution::with(&globs).expect("the default globs are valid"),
        policy: policy::read_policy(None)?,
        source: None,
    })
}

/// The built-in configuration extended by a `.plangate.hcl`'s text.
pub fn parse(file: SourceFile) -> Result<Config, ConfigErrors> {
    let mut config = builtin()?;
    config.source = Some(file.name.clone());
    let mut reader = Reader::new(file);
    let body = reader.parse()?;
    let mut f = reader.fields(&body, "at the top level");
    catalog::extend_from(&mut config.catalog, &mut reader, &mut f);
    for block in reader.blocks(&mut f, "attribution") {
        read_attribution(&mut reader, block, &mut config.attribution);
    }
    config.policy = policy::read_policy(Some((&mut reader, &mut f)))?;
    reader.unknown(
        f,
        "`rule`, `team`, `person`, `resource_group`, `agents`, `agent`, `bot` or `attribution` blocks",
    );
    reader.finish()?;
    Ok(config)
}

fn read_attribution(reader: &mut Reader, block: &hcl_edit::structure::Block, a: &mut Attribution) {
    let mut f = reader.fields(&block.body, "in `attribution`");
    if let Some(e) = reader.attribute(&mut f, "infrastructure") {
        let globs = reader.strings(e, "infrastructure");
        let mut ok = Vec::new();
        for g in &globs {
            match Glob::new(&g.value) {
                Ok(_) => ok.push(g.value.clone()),
                Err(err) => reader.error(
                    Some(g.span.clone()),
                    format!("invalid glob: {err}"),
                    "this glob",
                    None,
                ),
            }
        }
        if let Ok(new) = Attribution::with(&ok) {
            a.infrastructure = new.infrastructure;
            a.infrastructure_globs = new.infrastructure_globs;
        }
    }
    if let Some(e) = reader.attribute(&mut f, "terraform_roots")
        && let Some(pairs) = reader.object(e, "terraform_roots")
    {
        for (glob, dir) in pairs {
            let Some(dir) = reader.string(dir, "terraform_roots") else {
                continue;
            };
            match build(std::slice::from_ref(&glob.value)) {
                Ok(set) => a.terraform_roots.push((
                    set,
                    glob.value,
                    dir.value.trim_end_matches('/').to_owned(),
                )),
                Err(err) => reader.error(
                    Some(glob.span),
                    format!("invalid glob: {err}"),
                    "this glob",
                    None,
                ),
            }
        }
    }
    reader.unknown(f, "`infrastructure` or `terraform_roots`");
}

/// Where to read the configuration from.
#[derive(Debug, Clone, Default)]
pub struct Location {
    /// `--config FILE`; default `.plangate.hcl` at the repository's root.
    pub path: Option<String>,
    /// `--config-ref REV`: read it from this revision, not the working tree, so
    /// that a change cannot weaken the policy that judges it.
    pub rev: Option<String>,
}

/// Read the configuration. A missing default file means the built-in
/// configuration; a missing file that was asked for by name is an error.
pub fn load(location: &Location, repo: Option<&crate::git::Git>) -> Result<Config, crate::Error> {
    let explicit = location.path.is_some();
    let path = location
        .path
        .clone()
        .unwrap_or_else(|| FILE_NAME.to_owned());
    let text = match (&location.rev, repo) {
        (Some(rev), Some(git)) => match git.file_at(rev, &path)? {
            Some(text) => text,
            None if explicit => {
                return Err(crate::Error::ConfigNotAtRevision {
                    path,
                    rev: rev.clone(),
                });
            }
            None => return Ok(builtin()?),
        },
        _ => {
            let on_disk = match repo {
                Some(git) if !explicit => git.root().join(&path),
                _ => std::path::PathBuf::from(&path),
            };
            match std::fs::read_to_string(&on_disk) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                    return Ok(builtin()?);
                }
                Err(source) => return Err(crate::Error::ConfigIo { path, source }),
            }
        }
    };
    let name = match &location.rev {
        Some(rev) => format!("{path}@{rev}"),
        None => path,
    };
    Ok(parse(SourceFile::new(name, text))?)
}

/// The commented `.plangate.hcl` that `plangate init` writes.
pub const INIT_CONFIG: &str = include_str!("templates/plangate.hcl");
/// The example workflow that `plangate init` writes.
pub const INIT_WORKFLOW: &str = include_str!("templates/workflow.yml");
