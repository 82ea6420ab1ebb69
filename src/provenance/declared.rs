//! A JSON plan's `configuration`: what each module of the configuration it
//! was made from declares (resources, data sources, module calls and their
//! sources), compared with what the head's files declare, module by module.
//! Expressions are not compared: the JSON's are not the source text.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use serde::Deserialize;

use crate::attribution::Snapshot;
use crate::attribution::targets::join;
use crate::attribution::touches::dir_of;

/// `configuration.root_module`, or a module call's `module`, as read: only
/// the keys compared (serde passes over the rest, expressions included,
/// without building them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Module {
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default, deserialize_with = "calls_once")]
    pub module_calls: BTreeMap<String, Call>,
}

/// Module calls by name, each name once: a second call of one name would
/// hide the first from the comparison (a map would keep only the last).
fn calls_once<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Call>, D::Error> {
    struct Calls;
    impl<'de> serde::de::Visitor<'de> for Calls {
        type Value = BTreeMap<String, Call>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of module calls")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key::<String>()? {
                let call: Call = map.next_value()?;
                if out.insert(name.clone(), call).is_some() {
                    return Err(serde::de::Error::custom(format!(
                        "module call `{name}` given twice"
                    )));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_any(Calls)
}

impl Module {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.module_calls.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resource {
    /// Relative to its module: `aws_s3_bucket.b`, `data.aws_iam_policy.p`.
    pub address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Call {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub module: Option<Module>,
}

/// `configuration` itself.
#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    #[serde(default)]
    pub root_module: Option<Module>,
}

/// What one module directory declares at the head.
#[derive(Debug, Default)]
struct Declared {
    resources: BTreeSet<String>,
    /// Module calls by name, with their `source` when it is a string.
    calls: BTreeMap<String, Option<String>>,
}

/// The head's declarations in `dir` (its `.tf` and `.tf.json` files); a file
/// that cannot be read is an error naming it.
fn declared_in(dir: &str, head: &Snapshot) -> Result<Declared, String> {
    let mut out = Declared::default();
    for (path, text) in head.files.iter().filter(|(p, _)| dir_of(p) == dir) {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        if name.ends_with(".tf") {
            let body = hcl_edit::parser::parse_body(text)
                .map_err(|_| format!("{path} does not parse at the head"))?;
            read_body(&body, &mut out);
        } else if name.ends_with(".tf.json") {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("{path} is not JSON at the head ({e})"))?;
            read_json(&value, &mut out).map_err(|why| format!("{path} at the head: {why}"))?;
        }
    }
    Ok(out)
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::String(s) => s.as_str(),
        BlockLabel::Ident(i) => i.as_str(),
    }
}

fn read_body(body: &Body, out: &mut Declared) {
    for block in body.iter().filter_map(Structure::as_block) {
        read_block(block, out, false);
    }
}

/// A `check` block's scoped data sources are in the configuration too.
fn read_block(block: &Block, out: &mut Declared, in_check: bool) {
    let labels: Vec<&str> = block.labels.iter().map(label).collect();
    match (block.ident.as_str(), labels.as_slice()) {
        ("resource", [kind, name]) if !in_check => {
            out.resources.insert(format!("{kind}.{name}"));
        }
        ("data", [kind, name]) => {
            out.resources.insert(format!("data.{kind}.{name}"));
        }
        ("module", [name]) if !in_check => {
            let source = block.body.iter().find_map(|s| match s {
                Structure::Attribute(a) if a.key.as_str() == "source" => {
                    a.value.as_str().map(str::to_owned)
                }
                _ => None,
            });
            out.calls.insert((*name).to_owned(), source);
        }
        ("check", [_]) if !in_check => {
            for inner in block.body.iter().filter_map(Structure::as_block) {
                read_block(inner, out, true);
            }
        }
        _ => {}
    }
}

/// A `.tf.json` file: `{"resource": {"T": {"N": {…}}}, "data": …, "module":
/// {"N": {"source": …}}}`, where a block may also be an array of objects.
fn read_json(value: &serde_json::Value, out: &mut Declared) -> Result<(), String> {
    let top = value.as_object().ok_or("not an object")?;
    for (key, prefix) in [("resource", ""), ("data", "data.")] {
        for by_type in objects(top.get(key)) {
            for (kind, by_name) in by_type {
                for names in objects(Some(by_name)) {
                    for name in names.keys().filter(|n| *n != "//") {
                        out.resources.insert(format!("{prefix}{kind}.{name}"));
                    }
                }
            }
        }
    }
    for calls in objects(top.get("module")) {
        for (name, body) in calls.iter().filter(|(n, _)| *n != "//") {
            let source = objects(Some(body))
                .find_map(|b| b.get("source"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            out.calls.insert(name.clone(), source);
        }
    }
    Ok(())
}

/// An object, or each object of an array (JSON syntax's repeated blocks).
fn objects(
    v: Option<&serde_json::Value>,
) -> impl Iterator<Item = &serde_json::Map<String, serde_json::Value>> {
    let items: Vec<&serde_json::Value> = match v {
        Some(serde_json::Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    items.into_iter().filter_map(serde_json::Value::as_object)
}

/// Local module sources: directories of the repository.
fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// The differences between the plan's configuration, its root module taken
/// to be `root`, and the head's declarations, sorted. Empty: the same.
pub fn compare(module: &Module, root: &str, head: &Snapshot) -> Result<Vec<String>, String> {
    let mut out = BTreeSet::new();
    compare_module(module, root, "", head, &mut out, 0)?;
    Ok(out.into_iter().collect())
}

/// How deep local module calls are followed (a module that calls itself
/// would not plan; this only bounds a damaged input).
const MAX_DEPTH: usize = 64;

fn compare_module(
    module: &Module,
    dir: &str,
    path: &str,
    head: &Snapshot,
    out: &mut BTreeSet<String>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("its module calls nest more than {MAX_DEPTH} deep"));
    }
    let at_head = declared_in(&head.resolve(dir), head)?;
    let name = |address: &str| format!("{path}{address}");
    // Ephemeral resources are left out on both sides: they are never planned.
    let planned: BTreeSet<&str> = module
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .filter(|a| !a.starts_with("ephemeral."))
        .collect();
    for a in planned.iter().filter(|a| !at_head.resources.contains(**a)) {
        out.insert(format!("{} (only in the plan)", name(a)));
    }
    for a in at_head
        .resources
        .iter()
        .filter(|a| !planned.contains(a.as_str()))
    {
        out.insert(format!("{} (only at the head)", name(a)));
    }
    for (call, c) in &module.module_calls {
        let shown = name(&format!("module.{call}"));
        let Some(source) = at_head.calls.get(call) else {
            out.insert(format!("{shown} (only in the plan)"));
            continue;
        };
        if source != &c.source {
            out.insert(format!(
                "{shown} (source {} in the plan, {} at the head)",
                quoted(c.source.as_deref()),
                quoted(source.as_deref())
            ));
            continue;
        }
        if let (Some(src), Some(inner)) = (&c.source, &c.module)
            && is_local(src)
        {
            let Some(inner_dir) = join(dir, src) else {
                out.insert(format!(
                    "{shown} (its source {src} is outside the repository)"
                ));
                continue;
            };
            compare_module(
                inner,
                &inner_dir,
                &format!("{shown}."),
                head,
                out,
                depth + 1,
            )?;
        }
    }
    for call in at_head
        .calls
        .keys()
        .filter(|c| !module.module_calls.contains_key(*c))
    {
        out.insert(format!(
            "{} (only at the head)",
            name(&format!("module.{call}"))
        ));
    }
    Ok(())
}

/// A source as shown in an error, without the credentials a URL may carry
/// (`git::https://user:token@host/…`): errors are printed in CI logs.
fn quoted(s: Option<&str>) -> String {
    let Some(s) = s else {
        return "(none)".to_owned();
    };
    let shown = match s.find("://") {
        Some(scheme) => {
            let rest = &s[scheme + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{}://…@{}", &s[..scheme], &rest[at + 1..]),
                None => s.to_owned(),
            }
        }
        None => s.to_owned(),
    };
    format!("{shown:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::test_head as head;

    fn configuration(json: &str) -> Module {
        let c: Configuration = serde_json::from_str(json).unwrap();
        c.root_module.unwrap()
    }

    const PLAN: &str = r#"{"root_module":{"resources":[
        {"address":"terraform_data.a","expressions":{"input":{"constant_value":"z"}}},
        {"address":"terraform_data.j"},
        {"address":"data.terraform_remote_state.c"}],
      "module_calls":{
        "m":{"source":"./modules/m","module":{"resources":[{"address":"terraform_data.mm"}]}},
        "vpc":{"source":"terraform-aws-modules/vpc/aws","module":{"resources":[{"address":"aws_vpc.this"}]}}}}}"#;

    #[test]
    fn declarations_are_compared_module_by_module() {
        let h = head(&[
            (
                "infra/main.tf",
                "resource \"terraform_data\" \"a\" { input = \"x\" }\n\
                 module \"m\" { source = \"./modules/m\" }\n\
                 module \"vpc\" { source = \"terraform-aws-modules/vpc/aws\" }\n\
                 check \"c\" {\n  data \"terraform_remote_state\" \"c\" {}\n  assert {\n    condition = true\n    error_message = \"x\"\n  }\n}\n",
            ),
            (
                "infra/extra.tf.json",
                r#"{"resource":{"terraform_data":{"j":{}}}}"#,
            ),
            (
                "infra/modules/m/main.tf",
                "resource \"terraform_data\" \"mm\" {}\n",
            ),
        ]);
        let plan = configuration(PLAN);
        assert_eq!(compare(&plan, "infra", &h).unwrap(), Vec::<String>::new());

        let h = head(&[
            (
                "infra/main.tf",
                "resource \"terraform_data\" \"b\" {}\n\
                 module \"m\" { source = \"./modules/m\" }\n\
                 module \"vpc\" { source = \"terraform-aws-modules/vpc/aws//x\" }\n",
            ),
            (
                "infra/modules/m/main.tf",
                "resource \"terraform_data\" \"mm2\" {}\n",
            ),
        ]);
        assert_eq!(
            compare(&plan, "infra", &h).unwrap(),
            [
                "data.terraform_remote_state.c (only in the plan)",
                "module.m.terraform_data.mm (only in the plan)",
                "module.m.terraform_data.mm2 (only at the head)",
                "module.vpc (source \"terraform-aws-modules/vpc/aws\" in the plan, \"terraform-aws-modules/vpc/aws//x\" at the head)",
                "terraform_data.a (only in the plan)",
                "terraform_data.b (only at the head)",
                "terraform_data.j (only in the plan)",
            ]
        );
    }

    #[test]
    fn credentials_in_a_source_are_not_shown() {
        assert_eq!(
            quoted(Some("git::https://me:ghp_secret@github.com/o/r.git?ref=v1")),
            "\"git::https://…@github.com/o/r.git?ref=v1\""
        );
        assert_eq!(quoted(Some("./modules/db")), "\"./modules/db\"");
        assert_eq!(quoted(None), "(none)");
    }

    #[test]
    fn a_head_file_that_does_not_parse_is_an_error() {
        let h = head(&[("main.tf", "resource \"x\" \"y\" {\n")]);
        assert!(compare(&Module::default(), "", &h).is_err());
    }
}
