//! Static evaluation of `count` and `for_each` (placeholder until the
//! evaluator lands: every block is unevaluable, so attribution widens).

/// The files of the configuration at one revision, by repository path.
pub trait Tree {
    fn text(&self, path: &str) -> Option<String>;
    fn list(&self, dir: &str) -> Vec<String>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub caller: String,
    pub name: String,
    pub dir: String,
}

pub struct Scope<'a> {
    pub root: &'a str,
    pub calls: &'a [Call],
    pub var_files: &'a [String],
    pub env_inputs: &'a [(String, hcl::Value)],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Resource {
        data: bool,
        kind: String,
        name: String,
    },
    Module {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instances {
    Single,
    Count(u64),
    Keys(std::collections::BTreeSet<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unevaluable(pub String);

pub fn instances(
    _tree: &dyn Tree,
    _scope: &Scope<'_>,
    _dir: &str,
    _block: &Block,
) -> Result<Instances, Unevaluable> {
    Err(Unevaluable("not evaluated".into()))
}
