use std::collections::{BTreeMap, BTreeSet};

use hcl::Value;

use super::*;

/// A revision's files in memory.
#[derive(Default)]
struct Files(BTreeMap<String, String>);

impl Files {
    fn with(files: &[(&str, &str)]) -> Files {
        Files(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        )
    }
}

impl Tree for Files {
    fn text(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }

    fn list(&self, dir: &str) -> Vec<String> {
        self.0
            .keys()
            .filter(|p| match p.rsplit_once('/') {
                Some((d, _)) => d == dir,
                None => dir.is_empty(),
            })
            .cloned()
            .collect()
    }
}

fn resource(kind: &str, name: &str) -> Block {
    Block::Resource {
        data: false,
        kind: kind.into(),
        name: name.into(),
    }
}

fn keys(k: &[&str]) -> Instances {
    Instances::Keys(k.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>())
}

fn root_scope<'a>(root: &'a str, var_files: &'a [String]) -> Scope<'a> {
    Scope {
        root,
        calls: &[],
        var_files,
        env_inputs: &[],
    }
}

/// The instances of `aws_db.x` in a root module at "".
fn db(files: &[(&str, &str)]) -> Result<Instances, Unevaluable> {
    instances(
        &Files::with(files),
        &root_scope("", &[]),
        "",
        &resource("aws_db", "x"),
    )
}

#[track_caller]
fn reason(r: Result<Instances, Unevaluable>, phrases: &[&str]) {
    match r {
        Ok(i) => panic!("expected Unevaluable, got {i:?}"),
        Err(Unevaluable(why)) => {
            for p in phrases {
                assert!(why.contains(p), "reason {why:?} lacks {p:?}");
            }
        }
    }
}

#[test]
fn literal_map_for_each() {
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { for_each = { a = 1, "b" = 2 } }"#,
    )]);
    assert_eq!(r, Ok(keys(&["a", "b"])));
}

#[test]
fn no_count_or_for_each_is_single() {
    assert_eq!(
        db(&[("main.tf", r#"resource "aws_db" "x" {}"#)]),
        Ok(Instances::Single)
    );
}

#[test]
fn for_each_over_a_local() {
    let r = db(&[
        (
            "main.tf",
            r#"resource "aws_db" "x" { for_each = local.dbs }"#,
        ),
        ("locals.tf", "locals {\n  dbs = { a = {}, b = {} }\n}\n"),
    ]);
    assert_eq!(r, Ok(keys(&["a", "b"])));
}

const NAMES: &str = r#"
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}
resource "aws_db" "x" { for_each = toset(var.names) }
"#;

#[test]
fn toset_of_a_variable_default() {
    assert_eq!(db(&[("main.tf", NAMES)]), Ok(keys(&["a", "b"])));
}

#[test]
fn variable_precedence() {
    let mut files = vec![
        ("main.tf", NAMES),
        ("terraform.tfvars", "names = [\"t\", \"t\"]\n"),
    ];
    assert_eq!(db(&files), Ok(keys(&["t"])));
    files.push(("terraform.tfvars.json", r#"{"names": ["json"]}"#));
    assert_eq!(db(&files), Ok(keys(&["json"])));
    files.push(("b.auto.tfvars", "names = [\"auto-b\"]\n"));
    files.push(("a.auto.tfvars.json", r#"{"names": ["auto-a"]}"#));
    // Lexical order: a.auto.tfvars.json, then b.auto.tfvars, which wins.
    assert_eq!(db(&files), Ok(keys(&["auto-b"])));
    files.push(("env/prod.tfvars", "names = [\"prod\", \"x\"]\n"));
    let var_files = ["env/prod.tfvars".to_string()];
    let tree = Files::with(&files);
    let r = instances(
        &tree,
        &root_scope("", &var_files),
        "",
        &resource("aws_db", "x"),
    );
    assert_eq!(r, Ok(keys(&["prod", "x"])));
}

#[test]
fn env_inputs_sit_between_default_and_tfvars() {
    let inputs = [("names".to_string(), Value::from_iter(["env"]))];
    let tree = Files::with(&[("main.tf", NAMES)]);
    let scope = Scope {
        root: "",
        calls: &[],
        var_files: &[],
        env_inputs: &inputs,
    };
    let r = instances(&tree, &scope, "", &resource("aws_db", "x"));
    assert_eq!(r, Ok(keys(&["env"])));
    let tree = Files::with(&[("main.tf", NAMES), ("terraform.tfvars", "names = [\"tf\"]")]);
    let r = instances(&tree, &scope, "", &resource("aws_db", "x"));
    assert_eq!(r, Ok(keys(&["tf"])));
}

#[test]
fn set_typed_variable_needs_no_toset() {
    let r = db(&[
        (
            "main.tf",
            r#"
variable "names" { type = set(string) }
resource "aws_db" "x" { for_each = var.names }
"#,
        ),
        ("terraform.tfvars", "names = [\"b\", \"a\", \"b\"]"),
    ]);
    assert_eq!(r, Ok(keys(&["a", "b"])));
}

#[test]
fn for_each_over_a_list_is_a_terraform_error() {
    let r = db(&[(
        "main.tf",
        r#"
variable "names" { default = ["a"] }
resource "aws_db" "x" { for_each = var.names }
"#,
    )]);
    reason(r, &["`for_each` of aws_db.x", "is a list", "toset"]);
}

#[test]
fn conditional_count() {
    let main = r#"
variable "enabled" { default = true }
resource "aws_db" "x" { count = var.enabled ? 1 : 0 }
"#;
    assert_eq!(db(&[("main.tf", main)]), Ok(Instances::Count(1)));
    let off = [("main.tf", main), ("terraform.tfvars", "enabled = false")];
    assert_eq!(db(&off), Ok(Instances::Count(0)));
}

#[test]
fn count_with_arithmetic_and_length() {
    let r = db(&[(
        "main.tf",
        r#"
locals { zones = ["a", "b", "c"] }
resource "aws_db" "x" { count = length(local.zones) * 2 - 1 }
"#,
    )]);
    assert_eq!(r, Ok(Instances::Count(5)));
}

#[test]
fn jsondecode_of_a_file_in_the_module() {
    let files = [
        (
            "live/prod/main.tf",
            "module \"app\" {\n  source = \"../../modules/app\"\n}\n",
        ),
        (
            "modules/app/main.tf",
            r#"resource "aws_db" "x" { for_each = jsondecode(file("${path.module}/dbs.json")) }"#,
        ),
        (
            "modules/app/dbs.json",
            r#"{"orders": {"size": 1}, "users": {}}"#,
        ),
    ];
    let calls = [Call {
        caller: "live/prod".into(),
        name: "app".into(),
        dir: "modules/app".into(),
        key: None,
    }];
    let scope = Scope {
        root: "live/prod",
        calls: &calls,
        var_files: &[],
        env_inputs: &[],
    };
    let tree = Files::with(&files);
    let r = instances(&tree, &scope, "modules/app", &resource("aws_db", "x"));
    assert_eq!(r, Ok(keys(&["orders", "users"])));
}

#[test]
fn yamldecode_of_a_file() {
    let r = db(&[
        (
            "main.tf",
            r#"
locals { cfg = yamldecode(file("${path.module}/dbs.yaml")) }
resource "aws_db" "x" { for_each = local.cfg.databases }
"#,
        ),
        (
            "dbs.yaml",
            "databases:\n  alpha:\n    size: 1\n  beta: {}\nother: [1, 2]\n",
        ),
    ]);
    assert_eq!(r, Ok(keys(&["alpha", "beta"])));
}

#[test]
fn missing_file_is_unevaluable() {
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { for_each = jsondecode(file("dbs.json")) }"#,
    )]);
    reason(r, &["dbs.json", "not in the repository"]);
}

#[test]
fn fileexists_guards_a_file() {
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { for_each = fileexists("dbs.json") ? jsondecode(file("dbs.json")) : {} }"#,
    )]);
    assert_eq!(r, Ok(keys(&[])));
}

#[test]
fn filtering_for_expression() {
    let r = db(&[(
        "main.tf",
        r#"
locals {
  sites = {
    a = { enabled = true }
    b = { enabled = false }
    c = { enabled = true }
  }
}
resource "aws_db" "x" { for_each = {for k, v in local.sites : k => v if v.enabled} }
"#,
    )]);
    assert_eq!(r, Ok(keys(&["a", "c"])));
}

#[test]
fn optional_attribute_defaults_apply_before_filtering() {
    let r = db(&[(
        "main.tf",
        r#"
variable "sites" {
  type    = map(object({ enabled = optional(bool, true) }))
  default = { a = {}, b = { enabled = false } }
}
resource "aws_db" "x" { for_each = {for k, v in var.sites : k => v if v.enabled} }
"#,
    )]);
    assert_eq!(r, Ok(keys(&["a"])));
}

const ROOT: &str = r#"
locals {
  apps = { web = ["w1", "w2"], api = ["a1"] }
  legacy = ["l1", "l2"]
}
module "app" {
  source   = "./modules/app"
  for_each = local.apps
  names    = each.value
}
module "old" {
  source = "./modules/app"
  names  = local.legacy
}
"#;

const CHILD: &str = r#"
variable "names" { type = set(string) }
resource "aws_db" "x" { for_each = var.names }
"#;

#[test]
fn module_call_for_each() {
    let tree = Files::with(&[("main.tf", ROOT), ("modules/app/main.tf", CHILD)]);
    let r = instances(
        &tree,
        &root_scope("", &[]),
        "",
        &Block::Module { name: "app".into() },
    );
    assert_eq!(r, Ok(keys(&["api", "web"])));
    let r = instances(
        &tree,
        &root_scope("", &[]),
        "",
        &Block::Module { name: "old".into() },
    );
    assert_eq!(r, Ok(Instances::Single));
}

fn child(name: &str, key: Option<&str>) -> Result<Instances, Unevaluable> {
    let tree = Files::with(&[("main.tf", ROOT), ("modules/app/main.tf", CHILD)]);
    let calls = [Call {
        caller: "".into(),
        name: name.into(),
        dir: "modules/app".into(),
        key: key.map(str::to_string),
    }];
    let scope = Scope {
        root: "",
        calls: &calls,
        var_files: &[],
        env_inputs: &[],
    };
    instances(&tree, &scope, "modules/app", &resource("aws_db", "x"))
}

#[test]
fn child_resource_fed_by_the_call_argument() {
    assert_eq!(child("old", None), Ok(keys(&["l1", "l2"])));
    assert_eq!(child("app", Some("web")), Ok(keys(&["w1", "w2"])));
    assert_eq!(child("app", Some("api")), Ok(keys(&["a1"])));
    reason(
        child("app", None),
        &["each.value", "module.app", "instance"],
    );
    reason(
        child("app", Some("gone")),
        &["module.app has no instance \"gone\""],
    );
}

#[test]
fn merge_of_a_local_and_a_variable() {
    let r = db(&[(
        "main.tf",
        r#"
locals { a = { x = 1, y = 2 } }
variable "b" { default = { z = 3 } }
resource "aws_db" "x" { for_each = merge(local.a, var.b) }
"#,
    )]);
    assert_eq!(r, Ok(keys(&["x", "y", "z"])));
}

#[test]
fn templates_and_functions() {
    let r = db(&[(
        "main.tf",
        r#"
variable "env" { default = "Prod" }
locals {
  base  = ["a", "b"]
  names = [for n in concat(local.base, ["c"]) : format("%s-%s-%d", lower(var.env), n, 1)]
  more  = setunion(toset(local.names), ["${upper(var.env)}-${length(local.base)}"])
}
resource "aws_db" "x" { for_each = setsubtract(local.more, ["prod-b-1"]) }
"#,
    )]);
    assert_eq!(r, Ok(keys(&["PROD-2", "prod-a-1", "prod-c-1"])));
}

#[test]
fn untaken_branch_is_not_evaluated() {
    let r = db(&[(
        "main.tf",
        r#"
variable "create" { default = false }
resource "aws_db" "x" { count = var.create ? length(aws_subnet.all) : 0 }
"#,
    )]);
    assert_eq!(r, Ok(Instances::Count(0)));
}

#[test]
fn unknown_function() {
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { for_each = toset(sort(["a"])) }"#,
    )]);
    reason(
        r,
        &["`for_each` of aws_db.x", "sort()", "does not evaluate"],
    );
}

#[test]
fn resource_reference() {
    let r = db(&[(
        "main.tf",
        r#"
locals { ids = toset([aws_s3_bucket.logs.id]) }
resource "aws_db" "x" { for_each = local.ids }
"#,
    )]);
    reason(
        r,
        &[
            "`local.ids`",
            "aws_s3_bucket.logs.id",
            "known only after apply",
        ],
    );
}

#[test]
fn data_source_module_output_and_workspace() {
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { count = length(data.aws_zones.all.names) }"#,
    )]);
    reason(r, &["data.aws_zones.all.names", "data source"]);
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { for_each = module.net.subnets }"#,
    )]);
    reason(r, &["module.net.subnets", "module output"]);
    let r = db(&[(
        "main.tf",
        r#"resource "aws_db" "x" { count = terraform.workspace == "prod" ? 1 : 0 }"#,
    )]);
    reason(r, &["terraform.workspace", "outside the repository"]);
}

#[test]
fn missing_variable_value() {
    let r = db(&[(
        "main.tf",
        r#"
variable "names" { type = set(string) }
resource "aws_db" "x" { for_each = var.names }
"#,
    )]);
    reason(
        r,
        &["`var.names` has no default and no value in the repository"],
    );
}

#[test]
fn undeclared_variable() {
    let r = db(&[("main.tf", r#"resource "aws_db" "x" { count = var.n }"#)]);
    reason(r, &["`var.n` is not declared"]);
}

#[test]
fn cycle_of_locals() {
    let r = db(&[(
        "main.tf",
        r#"
locals {
  a = local.b
  b = merge(local.a, {})
}
resource "aws_db" "x" { for_each = local.a }
"#,
    )]);
    reason(r, &["cycle", "`local.a` → `local.b` → `local.a`"]);
}

#[test]
fn unparsable_file() {
    let r = db(&[
        ("main.tf", r#"resource "aws_db" "x" { count = 1 }"#),
        ("broken.tf", "resource \"aws_db\" {{{ \n"),
    ]);
    reason(r, &["broken.tf", "does not parse"]);
}

#[test]
fn tf_json_present() {
    let r = db(&[
        ("main.tf", r#"resource "aws_db" "x" { count = 1 }"#),
        ("extra.tf.json", "{}"),
    ]);
    reason(r, &["extra.tf.json", "JSON configuration"]);
}

#[test]
fn block_not_declared() {
    reason(db(&[("main.tf", "")]), &["aws_db.x is not declared"]);
}

#[test]
fn path_module_is_relative_to_the_root() {
    assert_eq!(relative("live/prod", "modules/app"), "../../modules/app");
    assert_eq!(relative("live/prod", "live/prod"), ".");
    assert_eq!(relative("", "modules/app"), "modules/app");
    assert_eq!(relative("", ""), ".");
}

#[test]
fn override_file_replaces_for_each() {
    let r = db(&[
        (
            "main.tf",
            r#"resource "aws_db" "x" { for_each = { a = 1 } }"#,
        ),
        ("main_override.tf", r#"resource "aws_db" "x" { count = 2 }"#),
    ]);
    assert_eq!(r, Ok(Instances::Count(2)));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let hostile = [
        "18446744073709551615 + 1",
        "18446744073709551615 * 18446744073709551615",
        "-9223372036854775807 - 10",
        "5 % 0",
        "1 / 0",
        "1e308 * 10",
        "length(range(100000))",
        "\"x\" + 1",
        "__plangate_ref(0)",
        "provider::aws::arn(\"x\")",
        "jsondecode(\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\")",
        "yamldecode(\"a: &a [1]\\nb: *a\\nc: *zzz\")",
        "format(\"%z\", 1)",
        "local.self",
        "each.key",
        "count.index",
    ];
    for expr in hostile {
        let main = format!(
            "locals {{ self = local.self }}\nresource \"aws_db\" \"x\" {{ count = {expr} }}\n"
        );
        let r = db(&[("main.tf", &main)]);
        assert!(r.is_err(), "{expr} gave {r:?}");
    }
    let count = |expr: &str| {
        db(&[(
            "main.tf",
            &format!("resource \"aws_db\" \"x\" {{ count = {expr} }}"),
        )])
    };
    reason(count("5 % 0"), &["`count` of aws_db.x", "division by zero"]);
    reason(count("1e308 * 10"), &["overflows"]);
    reason(count("length(range(100000))"), &["more than 1024 elements"]);
    reason(
        count("__plangate_ref(0)"),
        &["__plangate_ref()", "does not evaluate"],
    );
    reason(count("each.key"), &["each.key", "only known per instance"]);
    reason(count("2.5"), &["is 2.5, not a whole number"]);
    assert_eq!(count("\"3\""), Ok(Instances::Count(3)));
    let deep = format!("locals {{ x = {}1{} }}", "[".repeat(5000), "]".repeat(5000));
    reason(db(&[("main.tf", &deep)]), &["main.tf", "does not parse"]);
    let yaml = format!(
        "locals {{ x = yamldecode(\"{}\") }}\nresource \"aws_db\" \"x\" {{ for_each = local.x }}",
        "[".repeat(10000)
    );
    assert!(db(&[("main.tf", &yaml)]).is_err());
}

#[test]
fn long_chain_of_locals_is_bounded() {
    let mut main = String::from("locals {\n  l0 = { a = 1 }\n");
    for i in 1..200 {
        main.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    main.push_str("}\nresource \"aws_db\" \"x\" { for_each = local.l199 }\n");
    reason(db(&[("main.tf", &main)]), &["nest deeper"]);
    let mut short = String::from("locals {\n  l0 = { a = 1 }\n");
    for i in 1..20 {
        short.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    short.push_str("}\nresource \"aws_db\" \"x\" { for_each = local.l19 }\n");
    assert_eq!(db(&[("main.tf", &short)]), Ok(keys(&["a"])));
}

#[test]
fn wide_fan_out_of_locals_stays_within_bounds() {
    // Each local doubles the last: without the size bound this is 2^40 nodes.
    let mut main = String::from("locals {\n  l0 = [1]\n");
    for i in 1..40 {
        main.push_str(&format!("  l{i} = [local.l{0}, local.l{0}]\n", i - 1));
    }
    main.push_str("}\nresource \"aws_db\" \"x\" { count = length(local.l39) }\n");
    reason(db(&[("main.tf", &main)]), &["more than 200000 elements"]);
}

/// Attribute names and literal keys after a reference are walked inside the
/// lookup (only the part reached is copied); the value is Terraform's.
#[test]
fn static_steps_after_a_reference() {
    let locals = r#"locals {
  fleet = jsondecode(file("fleet.json"))
  keyed = { "0" = { names = ["x"] } }
}
"#;
    let fleet = r#"{"root": {"dbs": [{"keys": ["a", "b"]}, {"keys": ["c"]}]}}"#;
    let with = |expr: &str| {
        db(&[
            ("locals.tf", locals),
            ("fleet.json", fleet),
            (
                "main.tf",
                &format!(r#"resource "aws_db" "x" {{ for_each = toset({expr}) }}"#),
            ),
        ])
    };
    assert_eq!(with("local.fleet.root.dbs[0].keys"), Ok(keys(&["a", "b"])));
    assert_eq!(
        with(r#"local.fleet["root"]["dbs"][1].keys"#),
        Ok(keys(&["c"]))
    );
    // A list index given as a string, and an object key given as a number.
    assert_eq!(with(r#"local.fleet.root.dbs["1"].keys"#), Ok(keys(&["c"])));
    assert_eq!(with("local.keyed[0].names"), Ok(keys(&["x"])));
    // A dynamic index still works after the static part.
    assert_eq!(
        with("local.fleet.root.dbs[length(local.fleet.root.dbs) - 1].keys"),
        Ok(keys(&["c"]))
    );
    reason(
        with("local.fleet.root.tables"),
        &["an object has no element \"tables\""],
    );
    reason(
        with("local.fleet.root.dbs[5].keys"),
        &["a list has no element 5"],
    );
}

/// `for_each = local.fleet.modules` over a decoded file is read in place
/// (`Evaluator::eval_with`): the keys, one instance's element, a missing
/// step and a set all come out as a full evaluation gives them.
#[test]
fn for_each_over_a_decoded_file_is_read_in_place() {
    const FLEET_ROOT: &str = r#"
locals {
  fleet = jsondecode(file("${path.module}/fleet.json"))
  names = toset(["b", "a"])
}
module "svc" {
  source   = "./modules/svc"
  for_each = local.fleet.modules
  spec     = each.value
}
module "named" {
  source   = "./modules/svc"
  for_each = local.names
  spec     = { jobs = { (each.value) = 1 } }
}
module "lost" {
  source   = "./modules/svc"
  for_each = local.fleet.nowhere
  spec     = each.value
}
"#;
    const FLEET_CHILD: &str = r#"
variable "spec" {}
resource "aws_db" "x" {
  for_each = var.spec.jobs
}
"#;
    let fleet = r#"{"modules": {"web": {"jobs": {"w2": 1, "w1": 2}}, "api": {"jobs": {"a1": 1}}}}"#;
    let tree = Files::with(&[
        ("main.tf", FLEET_ROOT),
        ("fleet.json", fleet),
        ("modules/svc/main.tf", FLEET_CHILD),
    ]);
    let at = |name: &str, key: &str| {
        let calls = [Call {
            caller: "".into(),
            name: name.into(),
            dir: "modules/svc".into(),
            key: Some(key.into()),
        }];
        let scope = Scope {
            root: "",
            calls: &calls,
            var_files: &[],
            env_inputs: &[],
        };
        instances(&tree, &scope, "modules/svc", &resource("aws_db", "x"))
    };
    let calls = |name: &str| {
        instances(
            &tree,
            &root_scope("", &[]),
            "",
            &Block::Module { name: name.into() },
        )
    };
    assert_eq!(calls("svc"), Ok(keys(&["api", "web"])));
    assert_eq!(calls("named"), Ok(keys(&["a", "b"])));
    assert_eq!(at("svc", "web"), Ok(keys(&["w1", "w2"])));
    assert_eq!(at("svc", "api"), Ok(keys(&["a1"])));
    assert_eq!(at("named", "b"), Ok(keys(&["b"])));
    reason(at("svc", "gone"), &["module.svc has no instance \"gone\""]);
    reason(at("named", "c"), &["module.named has no instance \"c\""]);
    reason(calls("lost"), &["`for_each` of module.lost", "nowhere"]);
    reason(at("lost", "x"), &["`for_each` of module.lost", "nowhere"]);
}
