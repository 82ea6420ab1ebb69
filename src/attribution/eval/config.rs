//! A module dir's declarations that `count` / `for_each` can depend on, and
//! the values `.tfvars` files give root variables.

use std::collections::HashMap;

use hcl::expr::Expression;
use hcl::{Body, Value};

use super::{MAX_FILE_BYTES, Tree, Unevaluable, basename};

/// `count` and `for_each` of a block.
#[derive(Debug, Default, Clone)]
pub(super) struct Meta {
    pub(super) count: Option<Expression>,
    pub(super) for_each: Option<Expression>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct Variable {
    pub(super) default: Option<Expression>,
    pub(super) ty: Option<Expression>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct CallBlock {
    pub(super) args: HashMap<String, Expression>,
    pub(super) meta: Meta,
}

/// The declarations of one module dir that evaluation reads.
#[derive(Debug, Default)]
pub(super) struct Module {
    pub(super) variables: HashMap<String, Variable>,
    pub(super) locals: HashMap<String, Expression>,
    pub(super) resources: HashMap<(bool, String, String), Meta>,
    pub(super) calls: HashMap<String, CallBlock>,
}

pub(super) fn is_override(name: &str) -> bool {
    name == "override.tf" || name.ends_with("_override.tf")
}

impl Module {
    pub(super) fn load(tree: &dyn Tree, dir: &str) -> Result<Module, Unevaluable> {
        let mut paths = tree.list(dir);
        paths.sort();
        if let Some(json) = paths.iter().find(|p| p.ends_with(".tf.json")) {
            return Err(Unevaluable(format!(
                "{json} is JSON configuration, which plangate does not evaluate"
            )));
        }
        let (overrides, primary): (Vec<&String>, Vec<&String>) = paths
            .iter()
            .filter(|p| p.ends_with(".tf"))
            .partition(|p| is_override(basename(p)));
        let mut module = Module::default();
        for (path, merge) in primary
            .iter()
            .map(|p| (p, false))
            .chain(overrides.iter().map(|p| (p, true)))
        {
            let Some(text) = tree.text(path) else {
                continue;
            };
            let body = parse(&text, path)?;
            module.add(&body, path, merge)?;
        }
        Ok(module)
    }

    pub(super) fn add(&mut self, body: &Body, path: &str, merge: bool) -> Result<(), Unevaluable> {
        let duplicate = |what: String| {
            Err(Unevaluable(format!(
                "{path} declares {what} a second time, which Terraform rejects"
            )))
        };
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let attr = |name: &str| {
                block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == name)
                    .map(|a| a.expr.clone())
            };
            match (block.identifier.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    let slot = self.variables.entry((*name).to_string());
                    let new = Variable {
                        default: attr("default"),
                        ty: attr("type"),
                    };
                    match slot {
                        std::collections::hash_map::Entry::Occupied(mut o) if merge => {
                            let old = o.get_mut();
                            old.default = new.default.or(old.default.take());
                            old.ty = new.ty.or(old.ty.take());
                        }
                        std::collections::hash_map::Entry::Occupied(_) => {
                            return duplicate(format!("variable \"{name}\""));
                        }
                        std::collections::hash_map::Entry::Vacant(v) => {
                            v.insert(new);
                        }
                    }
                }
                ("locals", []) => {
                    for a in block.body.attributes() {
                        let key = a.key.to_string();
                        if !merge && self.locals.contains_key(&key) {
                            return duplicate(format!("local.{key}"));
                        }
                        self.locals.insert(key, a.expr.clone());
                    }
                }
                (kind @ ("resource" | "data"), [ty, name]) => {
                    let key = (kind == "data", (*ty).to_string(), (*name).to_string());
                    let new = Meta {
                        count: attr("count"),
                        for_each: attr("for_each"),
                    };
                    match self.resources.get_mut(&key) {
                        Some(old) if merge => merge_meta(old, new),
                        Some(_) => return duplicate(format!("{kind} \"{ty}\" \"{name}\"")),
                        None => {
                            self.resources.insert(key, new);
                        }
                    }
                }
                ("module", [name]) => {
                    let mut new = CallBlock::default();
                    for a in block.body.attributes() {
                        match a.key.as_str() {
                            "count" => new.meta.count = Some(a.expr.clone()),
                            "for_each" => new.meta.for_each = Some(a.expr.clone()),
                            key => {
                                new.args.insert(key.to_string(), a.expr.clone());
                            }
                        }
                    }
                    match self.calls.get_mut(*name) {
                        Some(old) if merge => {
                            old.args.extend(new.args);
                            merge_meta(&mut old.meta, new.meta);
                        }
                        Some(_) => return duplicate(format!("module \"{name}\"")),
                        None => {
                            self.calls.insert((*name).to_string(), new);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// An override file's `count` replaces `for_each` and the reverse, as Terraform merges them.
pub(super) fn merge_meta(old: &mut Meta, new: Meta) {
    if new.count.is_some() {
        old.count = new.count;
        old.for_each = None;
    }
    if new.for_each.is_some() {
        old.for_each = new.for_each;
        old.count = None;
    }
}

pub(super) fn parse(text: &str, path: &str) -> Result<Body, Unevaluable> {
    hcl::parse(text).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Unevaluable(format!("{path} does not parse as HCL: {}", first.trim()))
    })
}

/// A value a root variable can take from outside its declaration.
#[derive(Debug, Clone)]
pub(super) enum Given {
    Value(Value),
    Expr(Expression),
}

/// The variable values a `.tfvars` (HCL) or `.tfvars.json` file sets.
pub(super) fn var_file(text: &str, path: &str) -> Result<HashMap<String, Given>, Unevaluable> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Unevaluable(format!(
            "{path} is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    if path.ends_with(".json") {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| Unevaluable(format!("{path} is not valid JSON: {e}")))?;
        let Value::Object(o) = v else {
            return Err(Unevaluable(format!("{path} is not a JSON object")));
        };
        return Ok(o.into_iter().map(|(k, v)| (k, Given::Value(v))).collect());
    }
    let body = parse(text, path)?;
    Ok(body
        .attributes()
        .map(|a| (a.key.to_string(), Given::Expr(a.expr.clone())))
        .collect())
}
