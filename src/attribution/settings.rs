//! What attribution is told by the configuration: which files count as
//! infrastructure, where plans' root modules are, how plans were made and
//! where stacks come from. Plain data; `config` fills it from `.plangate.hcl`.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// The name of a repository's plangate configuration at its root, which is
/// no Terragrunt file however it ends.
pub const CONFIG_FILE_NAME: &str = ".plangate.hcl";

#[derive(Debug, Clone)]
pub struct Settings {
    pub infrastructure: GlobSet,
    pub infrastructure_globs: Vec<String>,
    /// Terraform root module directory for plans whose path matches a glob.
    pub terraform_roots: Vec<(GlobSet, String, String)>,
    /// `plan "PATH" { root, var_files }`: how a plan was made.
    pub plans: Vec<PlanSetting>,
    /// `stack "NAME" { template, parameters }`: where a stack comes from.
    pub stacks: Vec<StackSetting>,
    /// `--template PATH`: the template of the change sets given (set by the caller).
    pub templates: Vec<String>,
}

/// How a Terraform plan file was made: from which root, with which var files.
#[derive(Debug, Clone)]
pub struct PlanSetting {
    pub glob: GlobSet,
    pub pattern: String,
    pub root: Option<String>,
    /// The `-var-file`s, repository paths, in order.
    pub var_files: Vec<String>,
}

/// A CloudFormation stack (its `StackName`): its template and parameter file.
#[derive(Debug, Clone)]
pub struct StackSetting {
    pub name: String,
    pub template: String,
    pub parameters: Option<String>,
}

impl Settings {
    pub fn with(globs: &[String]) -> Result<Settings, globset::Error> {
        Ok(Settings {
            infrastructure: build(globs)?,
            infrastructure_globs: globs.to_vec(),
            terraform_roots: Vec::new(),
            plans: Vec::new(),
            stacks: Vec::new(),
            templates: Vec::new(),
        })
    }

    /// The `plan` block for a plan path, if any.
    pub fn plan(&self, plan_path: &str) -> Option<&PlanSetting> {
        self.plans.iter().find(|p| p.glob.is_match(plan_path))
    }

    /// The `stack` block for a stack name, if any.
    pub fn stack(&self, name: &str) -> Option<&StackSetting> {
        self.stacks.iter().find(|s| s.name == name)
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

pub fn build(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g)?);
    }
    b.build()
}
