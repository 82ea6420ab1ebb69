//! Properties that must hold for every input, checked on generated ones
//! (proptest; a failure is shrunk to a small input and saved in
//! tests/properties.proptest-regressions, which is replayed first on every run).
//!
//! 1. Every input reads or is refused with a typed error, never a panic; the
//!    binary exits 0 or 2. Truncating a plan never reads as a smaller plan; a
//!    deciding key given twice is refused, any other key given twice changes
//!    nothing; an unknown action or format_version is refused.
//! 2. Adding a destructive change never turns `fail` into `pass`.
//! 3. Removing an approval never turns `fail` into `pass`.
//! 4. A replace reads as `replace` in either order, whatever else the change says.
//! 5. Reading is faithful (a generated plan reads back as written); the report's
//!    JSON round-trips and its exit code is a function of its verdict.
//! 6. On a generated git history, every commit that changed a destroyed or
//!    replaced block's text is among the commits attributed to it.
//!
//! Case counts are fixed so that the whole file takes a few seconds in debug.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config as Cases;
use serde_json::{Map, Value, json};

use plangate::approvals::{self, NoTeams, PullRequest, Review, Reviews};
use plangate::attribution::{AttributedCommit, Authorship, Basis, CommitFacts, authored_by};
use plangate::classify::Class;
use plangate::config::{self, Config, hcl::SourceFile};
use plangate::gate::{self, Approvals, Finding, Verdict};
use plangate::git::Person;
use plangate::model::{Action, Change, Declared, Format, Plan, ReplaceOrder};
use plangate::parse::{self, Parsed, ReadError};

const HEAD: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "2222222222222222222222222222222222222222";

// ---------------------------------------------------------------------------
// 1. Every input reads or is refused
// ---------------------------------------------------------------------------

/// A fixture: its path, bytes, and what it read as (`Debug`, to compare).
struct Fixture {
    path: String,
    bytes: Vec<u8>,
    read: Result<String, String>,
}

impl Fixture {
    fn value(&self) -> Value {
        serde_json::from_slice(&self.bytes).expect("fixtures are JSON")
    }
    fn is_terraform(&self) -> bool {
        self.value().get("resource_changes").is_some()
    }
}

/// Every JSON fixture of both formats, read once.
fn fixtures() -> &'static [Fixture] {
    static ALL: OnceLock<Vec<Fixture>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut paths = Vec::new();
        for dir in ["terraform", "cloudformation"] {
            collect_json(&root.join(dir), &mut paths);
        }
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                let path = common::rel(&p);
                let read = read_debug(&path, &bytes);
                Fixture { path, bytes, read }
            })
            .collect()
    })
}

fn collect_json(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect_json(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// What `parse_json` makes of the bytes, in a comparable form.
fn read_debug(path: &str, bytes: &[u8]) -> Result<String, String> {
    match parse::parse_json(path, bytes) {
        Ok(parsed) => Ok(format!("{parsed:?}")),
        Err(e) => Err(format!("{e:?}")),
    }
}

/// Fixtures that read (a plan, a page or not-a-plan), by index.
fn readable() -> Vec<usize> {
    let all = fixtures();
    (0..all.len()).filter(|&i| all[i].read.is_ok()).collect()
}

/// Terraform fixtures that read as a plan, by index.
fn a_terraform_plan() -> impl Strategy<Value = usize> {
    let all = fixtures();
    let plans: Vec<usize> = (0..all.len())
        .filter(|&i| {
            all[i].is_terraform() && matches!(&all[i].read, Ok(r) if r.starts_with("Plan("))
        })
        .collect();
    assert!(plans.len() > 15, "the Terraform fixtures read");
    prop::sample::select(plans)
}

fn a_readable_fixture() -> impl Strategy<Value = usize> {
    let ok = readable();
    assert!(ok.len() > 30, "the fixtures read");
    prop::sample::select(ok)
}

/// A JSON value over the vocabulary of plans, so that generated documents get
/// past the first key more often than random bytes do.
fn plan_like_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "format_version",
        "plan_format_version",
        "resource_changes",
        "address",
        "type",
        "change",
        "actions",
        "replace_paths",
        "importing",
        "errored",
        "complete",
        "deferred_changes",
        "planned_values",
        "Changes",
        "Type",
        "ResourceChange",
        "resourceChange",
        "Action",
        "Replacement",
        "PolicyAction",
        "LogicalResourceId",
        "ResourceType",
        "Details",
        "Target",
        "Scope",
        "Status",
        "ChangeSetId",
        "NextToken",
        "encrypted_data",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "1.2",
            "2.0",
            "delete",
            "create",
            "no-op",
            "forget",
            "Modify",
            "Remove",
            "Add",
            "True",
            "Conditional",
            "Retain",
            "Resource",
            "CREATE_COMPLETE",
            "",
            "é\u{0}",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

/// A mutation of a fixture's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, mask: u8 },
    Insert { at: usize, byte: u8 },
    Delete { at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert { at, byte }),
        any::<usize>().prop_map(|at| Edit::Delete { at }),
    ]
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for e in edits {
        match *e {
            Edit::Flip { at, mask } if !out.is_empty() => {
                let i = at % out.len();
                out[i] ^= mask;
            }
            Edit::Insert { at, byte } => out.insert(at % (out.len() + 1), byte),
            Edit::Delete { at } if !out.is_empty() => {
                let i = at % out.len();
                out.remove(i);
            }
            _ => {}
        }
    }
    out
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Replace the `n`th node in pre-order (the root is 0); false when there are
/// fewer nodes (`n` is then what is left to skip).
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter_mut().any(|x| replace_nth(x, n, with)),
        Value::Object(map) => map.values_mut().any(|x| replace_nth(x, n, with)),
        _ => false,
    }
}

/// `v` with node `n` (pre-order, mod the node count) replaced by `with`.
fn replace_node(mut v: Value, n: usize, with: Value) -> Value {
    let mut n = n % count_nodes(&v);
    assert!(replace_nth(&mut v, &mut n, &with));
    v
}

/// The keys plangate reads, by where the object is (the path of keys from
/// the root, array indices left out). A second occurrence of any of them
/// must be refused.
fn read_keys(context: &[&str], console: bool) -> &'static [&'static str] {
    const TF_TOP: &[&str] = &[
        "format_version",
        "plan_format_version",
        "terraform_version",
        "errored",
        "complete",
        "resource_changes",
        "deferred_changes",
        "configuration",
    ];
    const TF_CHANGE: &[&str] = &[
        "address",
        "previous_address",
        "module_address",
        "mode",
        "type",
        "name",
        "provider_name",
        "deposed",
        "action_reason",
        "change",
    ];
    const TF_INNER: &[&str] = &["actions", "replace_paths", "importing"];
    const CFN_TOP: &[&str] = &[
        "Changes",
        "Status",
        "StatusReason",
        "ExecutionStatus",
        "NextToken",
        "ChangeSetId",
        "ChangeSetName",
        "StackName",
        "StackId",
        "ParentChangeSetId",
    ];
    const CFN_CHANGE: &[&str] = &["Type", "ResourceChange", "type", "resourceChange"];
    const CFN_RESOURCE: &[&str] = &[
        "Action",
        "LogicalResourceId",
        "ResourceType",
        "Replacement",
        "PolicyAction",
        "Scope",
        "Details",
        "ChangeSetId",
        "action",
        "logicalResourceId",
        "resourceType",
        "replacement",
        "policyAction",
        "scope",
        "details",
        "changeSetId",
    ];
    const CFN_DETAIL: &[&str] = &[
        "Target",
        "target",
        "ChangeSource",
        "changeSource",
        "CausingEntity",
        "causingEntity",
    ];
    const CFN_TARGET: &[&str] = &[
        "Attribute",
        "Name",
        "RequiresRecreation",
        "attribute",
        "name",
        "requiresRecreation",
    ];
    match context {
        [] if console => &[],
        [""] if console => CFN_CHANGE,
        [] => {
            // Both readers' top-level keys: a fixture is one or the other.
            static BOTH: OnceLock<Vec<&str>> = OnceLock::new();
            BOTH.get_or_init(|| TF_TOP.iter().chain(CFN_TOP).copied().collect())
        }
        ["resource_changes"] => TF_CHANGE,
        ["resource_changes", "change"] => TF_INNER,
        ["Changes"] => CFN_CHANGE,
        ["Changes", "ResourceChange"] | ["", "resourceChange"] => CFN_RESOURCE,
        ["Changes", "ResourceChange", "Details"] | ["", "resourceChange", "details"] => CFN_DETAIL,
        ["Changes", "ResourceChange", "Details", "Target"]
        | ["", "resourceChange", "details", "target"] => CFN_TARGET,
        _ => &[],
    }
}

/// Every object of `v` with its key path (array items add nothing, except a
/// top-level array, whose items are at `[""]`).
/// Does the provenance check read `key` of an object of `configuration` at
/// `context` (the root module and each module call's `module`, recursively)?
fn configuration_reads(context: &[&str], key: &str) -> bool {
    let Some(["root_module", rest @ ..]) = context.strip_prefix(&["configuration"][..]) else {
        return context == ["configuration"] && key == "root_module";
    };
    let mut module = rest;
    loop {
        match module {
            [] => return key == "resources" || key == "module_calls",
            ["resources"] => return key == "address",
            // Each call's name.
            ["module_calls"] => return true,
            ["module_calls", _] => return key == "source" || key == "module",
            ["module_calls", _, "module", inner @ ..] => module = inner,
            _ => return false,
        }
    }
}

fn objects<'a>(v: &'a Value, path: &mut Vec<&'a str>, out: &mut Vec<(Vec<&'a str>, &'a Value)>) {
    match v {
        Value::Object(map) => {
            out.push((path.clone(), v));
            for (k, x) in map {
                path.push(k);
                objects(x, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            let top = path.is_empty();
            if top {
                path.push("");
            }
            for x in items {
                objects(x, path, out);
            }
            if top {
                path.pop();
            }
        }
        _ => {}
    }
}

/// JSON text of `v` with the entry `key` of object `target` written twice
/// (its second copy `second`).
fn write_with_duplicate(v: &Value, target: *const Value, key: &str, second: &Value) -> String {
    let mut out = String::new();
    fn write(v: &Value, t: *const Value, key: &str, second: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                out.push('{');
                let mut first = true;
                let mut entry = |k: &str, x: &Value, out: &mut String| {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write(x, t, key, second, out);
                };
                for (k, x) in map {
                    entry(k, x, out);
                    if std::ptr::eq(v, t) && k == key {
                        entry(k, second, out);
                    }
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, t, key, second, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    write(v, target, key, second, &mut out);
    out
}

fn is_known_tf_action(s: &str) -> bool {
    ["no-op", "create", "read", "update", "delete", "forget"].contains(&s)
}

fn is_known_cfn_action(s: &str) -> bool {
    [
        "Add",
        "Modify",
        "Remove",
        "Import",
        "Dynamic",
        "SyncWithActual",
    ]
    .contains(&s)
}

/// Is this `format_version` one plangate reads (major 0 or 1)? Written from
/// the contract, not from the reader.
fn supported_version(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let major = s.split('.').next().unwrap_or("");
    let digits = major.strip_prefix('+').unwrap_or(major);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.trim_start_matches('0').len() <= 1
        && matches!(digits.trim_start_matches('0'), "" | "1")
}

/// `plangate changes FILE` on these bytes: its exit code.
fn binary_exit(bytes: &[u8]) -> i32 {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    std::fs::write(&file, bytes).unwrap();
    let out = common::run(&["changes", "--format", "json", file.to_str().unwrap()]);
    out.status
        .code()
        .expect("plangate exits, not killed by a signal")
}

proptest! {
    // Fixtures a property does not apply to are skipped: allow for them.
    #![proptest_config(Cases { cases: 4096, max_global_rejects: 16384, ..Cases::default() })]

    #[test]
    fn arbitrary_bytes_read_or_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse::parse_json("x.json", &bytes);
    }

    #[test]
    fn plan_like_json_reads_or_is_refused(v in plan_like_json()) {
        let text = v.to_string();
        let _ = parse::parse_json("x.json", text.as_bytes());
        // And as a console export or a change list inside a plan.
        let wrapped = json!({"format_version": "1.2", "resource_changes": [v.clone()]});
        let _ = parse::parse_json("x.json", wrapped.to_string().as_bytes());
        let cfn = json!({"Status": "CREATE_COMPLETE", "Changes": [v.clone()]});
        let _ = parse::parse_json("x.json", cfn.to_string().as_bytes());
        let console = json!([{"type": "Resource", "resourceChange": v}]);
        let _ = parse::parse_json("x.json", console.to_string().as_bytes());
    }

    #[test]
    fn edited_fixtures_read_or_are_refused(
        i in 0..64usize,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let f = &fixtures()[i % fixtures().len()];
        let _ = parse::parse_json(&f.path, &apply(&f.bytes, &edits));
    }

    /// A cut plan is refused; only cutting trailing whitespace leaves it as it was.
    #[test]
    fn a_truncated_plan_is_refused(i in a_readable_fixture(), at in any::<usize>()) {
        let f = &fixtures()[i];
        let at = at % f.bytes.len();
        let cut = &f.bytes[..at];
        let read = read_debug(&f.path, cut);
        if f.bytes[at..].iter().all(u8::is_ascii_whitespace) {
            prop_assert_eq!(&read, &f.read);
        } else {
            prop_assert!(read.is_err(), "{} cut at {at} of {} reads: {:?}", f.path, f.bytes.len(), read);
        }
    }

    #[test]
    fn a_value_of_another_type_reads_or_is_refused(
        i in a_readable_fixture(),
        node in any::<usize>(),
        with in plan_like_json(),
    ) {
        let f = &fixtures()[i];
        let v = f.value();
        let text = replace_node(v, node, with).to_string();
        let _ = parse::parse_json(&f.path, text.as_bytes());
    }

    /// A key plangate reads, given twice, is refused (a change could hide from
    /// one reader and not from another); any other key given twice changes nothing.
    #[test]
    fn a_key_given_twice(
        i in a_readable_fixture(),
        which in any::<prop::sample::Index>(),
        key_ix in any::<prop::sample::Index>(),
        second in plan_like_json(),
        same_value in any::<bool>(),
    ) {
        let f = &fixtures()[i];
        let v = f.value();
        let console = v.is_array();
        let mut found = Vec::new();
        objects(&v, &mut Vec::new(), &mut found);
        let found: Vec<_> = found.into_iter().filter(|(_, o)| !o.as_object().unwrap().is_empty()).collect();
        prop_assume!(!found.is_empty());
        let (context, object) = &found[which.index(found.len())];
        let map = object.as_object().unwrap();
        let key = map.keys().nth(key_ix.index(map.len())).unwrap().clone();
        let second = if same_value { map[&key].clone() } else { second };
        let text = write_with_duplicate(&v, *object as *const Value, &key, &second);
        let read = read_debug(&f.path, text.as_bytes());
        if read_keys(context, console).contains(&key.as_str()) || configuration_reads(context, &key) {
            prop_assert!(read.is_err(), "{}: `{key}` twice in {context:?} reads: {read:?}", f.path);
        } else {
            prop_assert_eq!(&read, &f.read, "{}: `{}` twice in {:?}", f.path, key, context);
        }
    }

    #[test]
    fn only_format_versions_0_and_1_are_read(
        i in a_terraform_plan(),
        version in prop_oneof![
            "[0-9+]{0,3}(\\.[0-9a-z]{0,3}){0,2}".prop_map(Value::String),
            Just(json!("v1.2")), Just(json!(1.2)), Just(json!(1)), Just(Value::Null),
            Just(json!(["1.2"])),
        ],
    ) {
        let f = &fixtures()[i];
        let mut v = f.value();
        v["format_version"] = version.clone();
        let read = parse::parse_json(&f.path, v.to_string().as_bytes());
        prop_assert_eq!(read.is_ok(), supported_version(&version), "{:?}: {:?}", version, read.err());
    }

    #[test]
    fn an_unknown_action_is_refused(
        i in a_readable_fixture(),
        which in any::<prop::sample::Index>(),
        slot in any::<prop::sample::Index>(),
        action in "[a-zA-Z-]{0,8}",
    ) {
        let f = &fixtures()[i];
        let mut v = f.value();
        if let Some(changes) = v.get_mut("resource_changes").and_then(Value::as_array_mut) {
            prop_assume!(!changes.is_empty() && !is_known_tf_action(&action));
            let n = changes.len();
            let actions = changes[which.index(n)]["change"]["actions"].as_array_mut().unwrap();
            let m = actions.len();
            actions[slot.index(m)] = json!(action);
            let read = parse::parse_json(&f.path, v.to_string().as_bytes());
            prop_assert!(matches!(read, Err(ReadError::UnknownAction { .. })), "{read:?}");
        } else if let Some(changes) = v.get_mut("Changes").and_then(Value::as_array_mut) {
            prop_assume!(!changes.is_empty() && !is_known_cfn_action(&action));
            let n = changes.len();
            changes[which.index(n)]["ResourceChange"]["Action"] = json!(action);
            let read = parse::parse_json(&f.path, v.to_string().as_bytes());
            prop_assert!(matches!(read, Err(ReadError::UnknownValue { field: "Action", .. })), "{read:?}");
        }
    }
}

proptest! {
    // Each case runs the binary: fewer of them.
    #![proptest_config(Cases::with_cases(64))]

    #[test]
    fn the_binary_exits_0_or_2(
        i in 0..64usize,
        edits in prop::collection::vec(edit(), 0..3),
        node in any::<usize>(),
        with in plan_like_json(),
        retype in any::<bool>(),
    ) {
        let f = &fixtures()[i % fixtures().len()];
        let bytes = if retype {
            replace_node(f.value(), node, with).to_string().into_bytes()
        } else {
            apply(&f.bytes, &edits)
        };
        let code = binary_exit(&bytes);
        prop_assert!(code == 0 || code == 2, "exit {code}");
        if parse::parse_json("plan.json", &bytes).is_err() {
            prop_assert_eq!(code, 2);
        }
    }
}

// ---------------------------------------------------------------------------
// 2, 3. The verdict is monotone
// ---------------------------------------------------------------------------

/// Configurations the gate is judged with: the built-in rules alone, and with
/// rules that add teams, named approvers, warnings, a loosened built-in and
/// unknown authorship counted as human.
const CONFIGS: &[&str] = &[
    "",
    r#"
team "sre" { members = ["alice", "bob"] }
rule "db" {
  description = "databases"
  match {
    actions        = ["delete", "replace"]
    resource_types = ["aws_db_*", "AWS::RDS::*"]
  }
  require {
    approvals = 2
    from      = ["team:sre"]
  }
}"#,
    r#"
rule "human-delete" {
  description = "human deletes"
  match {
    actions     = ["delete"]
    authored_by = ["human", "bot"]
  }
  require {
    approvals = 1
    from      = ["carol"]
  }
}
rule "updates" {
  description = "updates"
  severity    = "warning"
  match { actions = ["update", "replace"] }
}"#,
    r#"
rule "agent-destroy" {
  override = true
  severity = "warning"
}
agents { unknown = "human" }
rule "buckets" {
  description = "buckets by address"
  match {
    actions   = ["delete", "replace", "forget"]
    addresses = ["aws_s3_bucket.*", "module.data.*"]
  }
  require { approvals = 1 }
}"#,
];

fn config(i: usize) -> &'static Config {
    static ALL: OnceLock<Vec<Config>> = OnceLock::new();
    &ALL.get_or_init(|| {
        CONFIGS
            .iter()
            .map(|text| match text.is_empty() {
                true => config::builtin().unwrap(),
                false => config::parse(SourceFile::new("policy.hcl", *text)).unwrap(),
            })
            .collect()
    })[i]
}

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.into(),
        email: email.into(),
    }
}

/// Commits a change may be attributed to: an agent's (run by alice), a
/// human's (bob), a bot's and one by dave with a noreply address.
fn commit(i: usize) -> AttributedCommit {
    let (sha, class, author, co) = match i % 4 {
        0 => (
            "a",
            Class::Agent,
            person("Claude", "noreply@anthropic.com"),
            vec![person("Alice", "alice@example.com")],
        ),
        1 => ("b", Class::Human, person("Bob", "bob@example.com"), vec![]),
        2 => (
            "c",
            Class::Bot,
            person(
                "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com",
            ),
            vec![],
        ),
        _ => (
            "d",
            Class::Human,
            person("Dave", "4+dave@users.noreply.github.com"),
            vec![],
        ),
    };
    AttributedCommit {
        sha: sha.repeat(40),
        class,
        agent: (class == Class::Agent).then(|| "claude-code".into()),
        who: std::sync::Arc::new(CommitFacts {
            committer: author.clone(),
            author,
            co_authors: co,
            evidence: vec![],
            own_class: class,
        }),
        wrote: vec![],
    }
}

#[derive(Debug, Clone)]
struct GenChange {
    action: Action,
    resource_type: &'static str,
    address: &'static str,
    /// Indices of the commits it is attributed to; `None`: no authorship at all.
    commits: Option<Vec<usize>>,
}

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL.to_vec())
}

fn destructive() -> impl Strategy<Value = Action> {
    prop::sample::select(vec![Action::Delete, Action::Replace])
}

fn gen_change(action: impl Strategy<Value = Action>) -> impl Strategy<Value = GenChange> {
    (
        action,
        prop::sample::select(vec![
            "aws_db_instance",
            "aws_s3_bucket",
            "terraform_data",
            "AWS::RDS::DBInstance",
            "aws_dynamodb_table",
        ]),
        prop::sample::select(vec![
            "aws_s3_bucket.logs",
            "module.data.aws_db_instance.main",
            "terraform_data.x",
            "Db",
        ]),
        prop::option::of(prop::collection::vec(0..4usize, 0..3)),
    )
        .prop_map(|(action, resource_type, address, commits)| GenChange {
            action,
            resource_type,
            address,
            commits,
        })
}

fn review() -> impl Strategy<Value = Review> {
    (
        0..5usize,
        any::<bool>(),
        prop::sample::select(vec![
            "APPROVED",
            "APPROVED",
            "CHANGES_REQUESTED",
            "COMMENTED",
            "DISMISSED",
            "PENDING",
            "ESCALATED",
        ]),
        prop::sample::select(vec![Some(HEAD), Some(HEAD), Some(OLD), None]),
    )
        .prop_map(|(who, with_id, state, commit)| {
            // A login, its id and its type always belong together, as on GitHub.
            let login = ["alice", "bob", "carol", "dave", "renovate[bot]"][who];
            let user_type = if login.ends_with("[bot]") {
                "Bot"
            } else {
                "User"
            };
            Review {
                login: login.into(),
                user_id: with_id.then_some(who as u64 + 1),
                user_type: user_type.into(),
                state: state.into(),
                commit_id: commit.map(str::to_owned),
            }
        })
}

#[derive(Debug, Clone)]
struct Scenario {
    config: usize,
    changes: Vec<GenChange>,
    reviews: Vec<Review>,
    pr_author: &'static str,
    /// Judge the reviews (else: no approval source).
    with_reviews: bool,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        0..CONFIGS.len(),
        prop::collection::vec(gen_change(action()), 0..5),
        prop::collection::vec(review(), 0..7),
        prop::sample::select(vec!["erin", "alice", "zed"]),
        prop::bool::weighted(0.85),
    )
        .prop_map(
            |(config, changes, reviews, pr_author, with_reviews)| Scenario {
                config,
                changes,
                reviews,
                pr_author,
                with_reviews,
            },
        )
}

fn model_change(c: &GenChange) -> Change {
    Change {
        address: c.address.into(),
        resource_type: c.resource_type.into(),
        action: c.action,
        reasons: vec![],
        forced_by: vec![],
        previous_address: None,
        deposed: None,
        data_source: false,
        replace_order: None,
        declared: Declared::default(),
    }
}

/// The findings of a scenario, judged.
fn findings(s: &Scenario) -> Vec<Finding> {
    findings_with(s, &|c| c)
}

/// The same, with each commit passed through `edit` first.
fn findings_with(
    s: &Scenario,
    edit: &dyn Fn(AttributedCommit) -> AttributedCommit,
) -> Vec<Finding> {
    let config = config(s.config);
    let plan = Plan {
        path: "plan.json".into(),
        format: Format::Terraform,
        tool_version: None,
        changes: s.changes.iter().map(model_change).collect(),
        parts: vec![],
        gaps: vec![],
        notes: vec![],
        origin: Default::default(),
    };
    let authorship: BTreeMap<usize, Authorship> = s
        .changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let commits: Vec<AttributedCommit> = c
                .commits
                .as_ref()?
                .iter()
                .map(|&k| edit(commit(k)))
                .collect();
            Some((
                i,
                Authorship {
                    authored_by: authored_by(&commits),
                    basis: if commits.is_empty() {
                        Basis::Nothing
                    } else {
                        Basis::Declaration
                    },
                    commits,
                    location: None,
                    note: None,
                },
            ))
        })
        .collect();
    let mut findings = gate::evaluate(
        &config.policy,
        &[plan],
        &[Some("plan.json".into())],
        vec![authorship],
        &[],
        ".plangate.hcl",
        &config.catalog,
    );
    let reviews = Reviews {
        pull_request: Some(PullRequest {
            number: 7,
            author: s.pr_author.into(),
            author_id: None,
            head_sha: HEAD.into(),
            head_ref: None,
            head_repo: None,
        }),
        reviews: s.reviews.clone(),
        commit_logins: Default::default(),
        pushers: None,
    };
    let approvals = match s.with_reviews {
        true => Approvals::Reviews {
            reviews: &reviews,
            teams: &mut NoTeams,
        },
        false => Approvals::None,
    };
    gate::decide(
        &mut findings,
        approvals,
        &approvals::Approvable::head(HEAD),
        &config.policy,
        &config.catalog,
    )
    .expect("no rule names a GitHub team");
    findings
}

proptest! {
    // Scenarios without an approval to remove are skipped: allow for them.
    #![proptest_config(Cases { cases: 2048, max_global_rejects: 8192, ..Cases::default() })]

    #[test]
    fn adding_a_destructive_change_never_turns_fail_into_pass(
        s in scenario(),
        added in gen_change(destructive()),
        at in any::<prop::sample::Index>(),
    ) {
        let before = gate::verdict(&findings(&s));
        let mut more = s.clone();
        more.changes.insert(at.index(s.changes.len() + 1), added);
        let after = gate::verdict(&findings(&more));
        prop_assert!(!(before == Verdict::Fail && after == Verdict::Pass));
    }

    #[test]
    fn removing_an_approval_never_turns_fail_into_pass(
        s in scenario(),
        which in any::<prop::sample::Index>(),
    ) {
        let approvals: Vec<usize> = (0..s.reviews.len())
            .filter(|&i| s.reviews[i].state == "APPROVED")
            .collect();
        prop_assume!(!approvals.is_empty());
        let mut fewer = s.clone();
        fewer.reviews.remove(approvals[which.index(approvals.len())]);
        let before = findings(&s);
        let after = findings(&fewer);
        prop_assert!(!(gate::verdict(&before) == Verdict::Fail && gate::verdict(&after) == Verdict::Pass));
        // And finding by finding: none becomes satisfied.
        for (b, a) in before.iter().zip(&after) {
            let satisfied = |f: &Finding| f.approval.as_ref().is_some_and(|x| x.satisfied);
            prop_assert!(satisfied(b) || !satisfied(a), "{} became satisfied", b.rule);
        }
    }

    /// An agent-made pull request (its author, branch or body) makes every
    /// commit agent-written, through the classifier's own rule: that never
    /// lets a failing gate pass.
    #[test]
    fn an_agent_pull_request_never_turns_fail_into_pass(
        s in scenario(),
        agent in prop::sample::select(vec!["codex", "devin", "claude-code"]),
    ) {
        let signal = [plangate::classify::Evidence {
            class: Class::Agent,
            who: Some(agent.into()),
            text: format!("pull request head branch matches {agent}'s prefix"),
        }];
        let as_agent = |c: AttributedCommit| {
            let by = plangate::classify::pull::apply(
                plangate::classify::Classified {
                    class: c.class,
                    name: c.agent.clone(),
                    evidence: c.who.evidence.clone(),
                    own: c.who.own_class,
                },
                &signal,
            );
            AttributedCommit { class: by.class, agent: by.agent().map(str::to_owned), ..c }
        };
        let before = gate::verdict(&findings(&s));
        let after = gate::verdict(&findings_with(&s, &as_agent));
        prop_assert!(!(before == Verdict::Fail && after == Verdict::Pass));
    }

    /// The same, on the judge alone, with every rule shape of `from`.
    #[test]
    fn the_judge_is_monotone_in_approvals(
        reviews in prop::collection::vec(review(), 1..8),
        which in any::<prop::sample::Index>(),
        required in 1..3u32,
        from in prop::sample::select(vec![vec![], vec!["alice", "carol"], vec!["team:sre"]]),
        commits in prop::collection::vec(0..4usize, 0..3),
    ) {
        let config = config(1);
        let approvals: Vec<usize> = (0..reviews.len()).filter(|&i| reviews[i].state == "APPROVED").collect();
        prop_assume!(!approvals.is_empty());
        let require = plangate::policy::Require {
            approvals: required,
            from: from
                .iter()
                .map(|a| match a.strip_prefix("team:") {
                    Some(t) => plangate::policy::Approver::Team(t.into()),
                    None => plangate::policy::Approver::Login((*a).into()),
                })
                .collect(),
        };
        let commits: Vec<AttributedCommit> = commits.into_iter().map(commit).collect();
        let judge = |list: Vec<Review>| {
            let r = Reviews { pull_request: None, reviews: list, commit_logins: Default::default(), pushers: None };
            approvals::judge(&require, &commits, &r, &approvals::Approvable::head(HEAD), &config.policy, &config.catalog, &mut NoTeams)
                .unwrap()
                .satisfied
        };
        let mut fewer = reviews.clone();
        fewer.remove(approvals[which.index(approvals.len())]);
        prop_assert!(judge(reviews) || !judge(fewer));
    }

    /// Carry-over never passes an approval that no counted review gave: each
    /// approver either approved the head, or approved an earlier commit whose
    /// approvals carry (not refused, and no commit after it is one the
    /// finding is attributed to); and carrying only adds approvals.
    #[test]
    fn carry_over_counts_only_approvals_of_carried_commits(
        reviews in prop::collection::vec(review(), 1..8),
        required in 1..3u32,
        commits in prop::collection::vec(0..4usize, 0..3),
        since in prop::collection::vec(0..4usize, 0..3),
        carry in any::<bool>(),
        refused in any::<bool>(),
    ) {
        let config = config(1);
        let require = plangate::policy::Require { approvals: required, from: Vec::new() };
        let commits: Vec<AttributedCommit> = commits.into_iter().map(commit).collect();
        let since: std::collections::HashSet<String> = since.into_iter().map(|i| commit(i).sha).collect();
        let mut approvable = approvals::Approvable::head(HEAD);
        if carry {
            approvable.carry.push(approvals::CarryFrom { commit: OLD.into(), since: since.clone() });
        }
        if refused {
            approvable.refused.insert(OLD.into(), "no record".into());
        }
        let r = Reviews { pull_request: None, reviews: reviews.clone(), commit_logins: Default::default(), pushers: None };
        let judge = |a: &approvals::Approvable| {
            approvals::judge(&require, &commits, &r, a, &config.policy, &config.catalog, &mut NoTeams).unwrap()
        };
        let with = judge(&approvable);
        let without = judge(&approvals::Approvable::head(HEAD));
        let old_carries = carry && !refused && !commits.iter().any(|c| since.contains(&c.sha));
        for login in &with.approved_by {
            let gave = |commit: &str| reviews.iter().any(|x| &x.login == login && x.state == "APPROVED" && x.commit_id.as_deref() == Some(commit));
            prop_assert!(gave(HEAD) || (old_carries && gave(OLD)), "{login} counted: {with:?}");
        }
        for c in &with.carried {
            prop_assert!(old_carries && c.commit == OLD && with.approved_by.contains(&c.user));
        }
        prop_assert!(without.satisfied <= with.satisfied);
        if !old_carries {
            // The same outcome; only the reasons say why nothing carried.
            prop_assert_eq!((&with.approved_by, with.satisfied), (&without.approved_by, without.satisfied));
            prop_assert!(with.carried.is_empty());
        }
    }

    /// Knowing who pushed only takes approvals away: whatever the activity
    /// says (pushers of attributed commits, history the range lacks, commits
    /// nobody pushed, any last pusher), a finding it approves is approved
    /// without it.
    #[test]
    fn who_pushed_never_turns_a_fail_into_a_pass(
        reviews in prop::collection::vec(review(), 1..8),
        required in 1..3u32,
        commits in prop::collection::vec(0..4usize, 0..3),
        by in prop::collection::vec((0..4usize, 0..5usize, any::<bool>()), 0..6),
        unplaced in prop::collection::vec(0..5usize, 0..2),
        unknown in prop::collection::vec(0..4usize, 0..2),
        last in prop::option::of(prop::option::of(0..5usize)),
    ) {
        let config = config(1);
        let require = plangate::policy::Require { approvals: required, from: vec![] };
        let commits: Vec<AttributedCommit> = commits.into_iter().map(commit).collect();
        // The reviewers' accounts, as `review()` makes them.
        let account = |who: usize, with_id: bool| approvals::Pusher {
            login: ["Alice", "bob", "carol", "dave", "renovate[bot]"][who].into(),
            id: with_id.then_some(who as u64 + 1),
        };
        let mut by_commit: std::collections::HashMap<String, Vec<approvals::Pusher>> = Default::default();
        for (c, who, with_id) in by {
            by_commit.entry(commit(c).sha).or_default().push(account(who, with_id));
        }
        let pushers = approvals::Pushers {
            git_ref: "refs/heads/feature".into(),
            by_commit,
            unplaced: unplaced.into_iter().map(|w| (account(w, true), "9".repeat(40))).collect(),
            unknown: unknown.into_iter().map(|c| commit(c).sha).collect(),
            last: match last {
                None => approvals::LastPusher::Unknown,
                Some(None) => approvals::LastPusher::Deleted,
                Some(Some(w)) => approvals::LastPusher::Account(account(w, true)),
            },
        };
        let judge = |pushers: Option<approvals::Pushers>| {
            let r = Reviews { pull_request: None, reviews: reviews.clone(), commit_logins: Default::default(), pushers };
            approvals::judge(&require, &commits, &r, &approvals::Approvable::head(HEAD), &config.policy, &config.catalog, &mut NoTeams)
                .unwrap()
                .satisfied
        };
        prop_assert!(!judge(Some(pushers)) || judge(None));
    }
}

// ---------------------------------------------------------------------------
// 4. A replace is a replace
// ---------------------------------------------------------------------------

fn optional_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-z_.\\[\\]\"0-9]{0,12}")
}

proptest! {
    #![proptest_config(Cases::with_cases(1024))]

    #[test]
    fn a_terraform_replace_is_a_replace_in_either_order(
        create_first in any::<bool>(),
        address in "[a-z_.\\[\\]0-9\"]{1,20}",
        resource_type in "[a-z_]{1,12}",
        fields in prop::collection::vec((prop::sample::select(vec![
            "previous_address", "module_address", "mode", "name", "provider_name", "deposed",
            "action_reason",
        ]), optional_string()), 0..7),
        replace_paths in prop::option::of(prop::collection::vec(
            prop::collection::vec(prop_oneof!["[a-z]{1,5}".prop_map(Value::String), (0..9i64).prop_map(|n| json!(n))], 0..3), 0..3)),
        importing in any::<bool>(),
        noise in plan_like_json(),
    ) {
        let actions = if create_first { ["create", "delete"] } else { ["delete", "create"] };
        let mut change = json!({"actions": actions, "before": noise.clone(), "after": noise});
        if let Some(p) = &replace_paths { change["replace_paths"] = json!(p); }
        if importing { change["importing"] = json!({"id": "i-1"}); }
        let mut rc = Map::new();
        rc.insert("address".into(), json!(address));
        rc.insert("type".into(), json!(resource_type));
        for (k, v) in &fields {
            rc.insert((*k).into(), json!(v));
        }
        rc.insert("change".into(), change);
        let plan = json!({"format_version": "1.2", "resource_changes": [rc]});
        let Ok(Parsed::Plan(plan)) = parse::parse_json("p.json", plan.to_string().as_bytes()) else {
            return Err(TestCaseError::fail("a replace of any shape reads"));
        };
        prop_assert_eq!(plan.changes[0].action, Action::Replace);
        let order = match create_first {
            true => ReplaceOrder::CreateBeforeDestroy,
            false => ReplaceOrder::DestroyBeforeCreate,
        };
        prop_assert_eq!(plan.changes[0].replace_order, Some(order));
    }

    #[test]
    fn a_cloudformation_modify_with_replacement_is_a_replace(
        replacement in prop::sample::select(vec![Some("True"), Some("Conditional"), None]),
        policy in prop::sample::select(vec![None, Some("Delete"), Some("Retain"), Some("Snapshot"),
            Some("ReplaceAndDelete"), Some("ReplaceAndRetain"), Some("ReplaceAndSnapshot")]),
        logical_id in "[A-Za-z0-9]{1,12}",
        resource_type in "AWS::[A-Za-z]{1,6}::[A-Za-z]{1,8}",
        details in prop::collection::vec((
            prop::sample::select(vec!["Properties", "Metadata", "DeletionPolicy", "Tags"]),
            optional_string(),
            prop::option::of(prop::sample::select(vec!["Always", "Never", "Conditionally", "Sometimes"])),
        ), 0..4),
        scope in prop::collection::vec(prop::sample::select(vec!["Properties", "Tags", "UpdateReplacePolicy"]), 0..3),
        camel in any::<bool>(),
    ) {
        let details: Vec<Value> = details
            .into_iter()
            .map(|(attribute, name, rr)| json!({"Target": {"Attribute": attribute, "Name": name, "RequiresRecreation": rr}}))
            .collect();
        let mut rc = json!({"Action": "Modify", "LogicalResourceId": logical_id,
            "ResourceType": resource_type, "Scope": scope, "Details": details});
        if let Some(r) = replacement { rc["Replacement"] = json!(r); }
        if let Some(p) = policy { rc["PolicyAction"] = json!(p); }
        let text = if camel {
            // The console's export: camelCase keys, no header.
            let lower = |v: &Value| -> Value { camel_case(v) };
            json!([{"type": "Resource", "resourceChange": lower(&rc)}]).to_string()
        } else {
            json!({"Status": "CREATE_COMPLETE", "ChangeSetId": "arn:x",
                "Changes": [{"Type": "Resource", "ResourceChange": rc}]}).to_string()
        };
        let Ok(Parsed::Page(page)) = parse::parse_json("cs.json", text.as_bytes()) else {
            return Err(TestCaseError::fail("a modify of any shape reads"));
        };
        prop_assert_eq!(page.changes[0].action, Action::Replace);
        let order = match policy {
            Some("ReplaceAndRetain") => ReplaceOrder::OldObjectForgotten,
            _ => ReplaceOrder::CreateBeforeDestroy,
        };
        prop_assert_eq!(page.changes[0].replace_order, Some(order));
    }
}

/// Object keys with their first letter lowered, all the way down.
fn camel_case(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| {
                    let mut c = k.chars();
                    let key = c
                        .next()
                        .map(|f| f.to_lowercase().chain(c).collect())
                        .unwrap_or_default();
                    (key, camel_case(x))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel_case).collect()),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------
// 5. Faithful reading, the report's JSON and the exit code
// ---------------------------------------------------------------------------

const TF_ACTIONS: &[(&[&str], Action)] = &[
    (&["no-op"], Action::NoOp),
    (&["create"], Action::Create),
    (&["read"], Action::Read),
    (&["update"], Action::Update),
    (&["delete"], Action::Delete),
    (&["forget"], Action::Forget),
    (&["delete", "create"], Action::Replace),
    (&["create", "delete"], Action::Replace),
    (&["create", "forget"], Action::Replace),
    (&["forget", "create"], Action::Replace),
];

proptest! {
    #![proptest_config(Cases::with_cases(512))]

    /// A plan written from a change list reads back as that list, in order, and
    /// `changes --format json` says the same.
    #[test]
    fn a_generated_plan_reads_back_as_written(
        changes in prop::collection::vec((
            "[a-z_]{1,8}\\.[a-z0-9_\\-]{1,8}(\\[[0-9]\\])?",
            "[a-z_]{1,10}",
            0..TF_ACTIONS.len(),
        ), 0..40),
    ) {
        let rcs: Vec<Value> = changes
            .iter()
            .map(|(address, t, a)| json!({"address": address, "type": t, "change": {"actions": TF_ACTIONS[*a].0}}))
            .collect();
        let text = json!({"format_version": "1.2", "resource_changes": rcs}).to_string();
        let Ok(Parsed::Plan(plan)) = parse::parse_json("p.json", text.as_bytes()) else {
            return Err(TestCaseError::fail("a well-formed plan reads"));
        };
        let read: Vec<(String, String, Action)> = plan
            .changes
            .iter()
            .map(|c| (c.address.clone(), c.resource_type.clone(), c.action))
            .collect();
        let written: Vec<(String, String, Action)> = changes
            .iter()
            .map(|(address, t, a)| (address.clone(), t.clone(), TF_ACTIONS[*a].1))
            .collect();
        prop_assert_eq!(&read, &written);
        let reading = plangate::input::Reading { plans: vec![plan], ..Default::default() };
        let doc: Value = serde_json::from_str(&plangate::report::changes::json(&reading)).unwrap();
        common::schemas::validate(common::schemas::Kind::Changes, &doc);
        let listed: Vec<(String, String, String)> = doc["plans"][0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["address"].as_str().unwrap().into(), c["resource_type"].as_str().unwrap().into(),
                      c["action"].as_str().unwrap().into()))
            .collect();
        let expected: Vec<(String, String, String)> = written
            .into_iter()
            .map(|(a, t, x)| (a, t, x.as_str().into()))
            .collect();
        prop_assert_eq!(listed, expected);
    }

    /// `check --format json` parses back to the verdict and statuses it was
    /// made from, and the exit code is a function of the verdict alone.
    #[test]
    fn the_report_round_trips_and_its_exit_code_follows_the_verdict(s in scenario()) {
        let findings = findings(&s);
        let report = gate::Report {
            version: 1,
            result: gate::verdict(&findings),
            range: plangate::git::Range {
                base: OLD.into(),
                head: HEAD.into(),
                merge_base: OLD.into(),
                source: plangate::git::RangeSource::Flags,
            },
            plans: vec![gate::PlanSummary { path: "plan.json".into(), format: Format::Terraform, changes: s.changes.len() }],
            commits: gate::commit_table(&findings),
            ungated: vec![],
            destructive_set: gate::items::identify(&mut findings.clone(), &|_| gate::items::Facts { declaration: gate::items::Declaration::NotFound, deposed: None }),
            findings,
            overrides: config(s.config).policy.overrides().into_iter().cloned().collect(),
            exceptions: Vec::new(),
            approvals: gate::ApprovalSource::None,
            notes: vec![],
            config: "policy.hcl".into(),
        };
        let doc: Value = serde_json::from_str(&plangate::report::check::json(&report)).unwrap();
        common::schemas::validate(common::schemas::Kind::Check, &doc);
        let result = match report.result {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        };
        prop_assert_eq!(doc["result"].as_str(), Some(result));
        // Each finding as the JSON says it, and as it was made.
        let said: Vec<Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| json!([f["rule"], f["address"], f["action"], f["status"], f["authored_by"],
                            f["approval"]["satisfied"]]))
            .collect();
        let made: Vec<Value> = report
            .findings
            .iter()
            .map(|f| json!([f.rule, f.address, f.action, f.status, f.authored_by,
                            f.approval.as_ref().map(|a| a.satisfied)]))
            .collect();
        prop_assert_eq!(said, made);
        // Every commit a finding names is in the report's commit table, once,
        // with its author: the findings carry only the sha.
        let table: Vec<&str> = doc["commits"].as_array().unwrap().iter()
            .map(|c| c["sha"].as_str().unwrap()).collect();
        let unique: std::collections::BTreeSet<&str> = table.iter().copied().collect();
        prop_assert_eq!(unique.len(), table.len());
        for f in &report.findings {
            for c in &f.commits {
                let entry = doc["commits"].as_array().unwrap().iter().find(|e| e["sha"] == c.sha.as_str());
                prop_assert!(entry.is_some(), "{} is not in the commit table", c.sha);
                prop_assert_eq!(entry.unwrap()["author"]["email"].as_str(), Some(c.who.author.email.as_str()));
            }
        }
        let blocked = report.findings.iter().any(|f| f.status == gate::Status::Blocked);
        prop_assert_eq!(blocked, report.result == Verdict::Fail);
        prop_assert_eq!(report.exit_code(false), u8::from(report.result == Verdict::Fail));
        prop_assert_eq!(report.exit_code(true), 0);
    }
}

// ---------------------------------------------------------------------------
// 6. Every commit that changed a destroyed block's text is attributed to it
// ---------------------------------------------------------------------------

/// The authors of generated histories: humans, agents, a human with an agent
/// co-author.
const HISTORY_AUTHORS: &[(&str, &str, &str)] = &[
    ("Alice Human", "alice@example.com", ""),
    ("Bob Human", "bob@example.com", ""),
    ("Claude", "noreply@anthropic.com", ""),
    ("Codex", "noreply@openai.com", ""),
    (
        "Alice Human",
        "alice@example.com",
        "\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    ),
];

/// One commit of a generated history: who, what (a block by index, or the
/// variable when `target` is the number of blocks) and how.
#[derive(Debug, Clone)]
struct BlockEdit {
    author: usize,
    target: usize,
    how: u8,
}

#[derive(Debug, Clone, PartialEq)]
struct Block {
    comment: Option<String>,
    input: String,
    uses_var: bool,
}

impl Block {
    fn text(&self, name: &str) -> String {
        let mut s = format!("resource \"terraform_data\" \"{name}\" {{\n");
        if let Some(c) = &self.comment {
            s += &format!("  # {c}\n");
        }
        s += &format!("  input = \"{}\"\n", self.input);
        if self.uses_var {
            s += "  triggers_replace = var.size\n";
        }
        s + "}\n"
    }
}

fn main_tf(size: &str, blocks: &[Option<Block>]) -> String {
    let mut s = format!("variable \"size\" {{\n  type    = string\n  default = \"{size}\"\n}}\n");
    for (i, b) in blocks.iter().enumerate() {
        if let Some(b) = b {
            s += "\n";
            s += &b.text(&format!("r{i}"));
        }
    }
    s
}

fn history() -> impl Strategy<Value = (usize, Vec<BlockEdit>, usize, bool, usize)> {
    (2..=3usize).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec(
                (0..HISTORY_AUTHORS.len(), 0..=n, 0..3u8).prop_map(|(author, target, how)| {
                    BlockEdit {
                        author,
                        target,
                        how,
                    }
                }),
                1..6,
            ),
            0..n,
            any::<bool>(),
            0..HISTORY_AUTHORS.len(),
        )
    })
}

proptest! {
    // Each case builds a git repository and runs the binary: few of them.
    #![proptest_config(Cases::with_cases(32))]

    #[test]
    fn every_commit_that_changed_the_block_is_attributed(
        (n, edits, victim, delete, deleter) in history(),
    ) {
        prop_assume!(edits.iter().any(|e| e.target == victim));
        let repo = common::repo::TestRepo::new();
        let mut size = "small".to_owned();
        let mut blocks: Vec<Option<Block>> = (0..n)
            .map(|i| Some(Block { comment: None, input: format!("r{i}-v0"), uses_var: i % 2 == 0 }))
            .collect();
        repo.write("main.tf", &main_tf(&size, &blocks));
        let mut steps = vec![repo.commit(("Alice Human", "alice@example.com"), "Base")];
        // The victim's text after each step (None once deleted).
        let mut texts = vec![blocks[victim].as_ref().map(|b| b.text(&format!("r{victim}")))];
        let mut commit = |author: usize, subject: &str, blocks: &[Option<Block>], size: &str| {
            let (name, email, trailer) = HISTORY_AUTHORS[author];
            repo.write("main.tf", &main_tf(size, blocks));
            steps.push(repo.commit((name, email), &format!("{subject}{trailer}")));
            texts.push(blocks[victim].as_ref().map(|b| b.text(&format!("r{victim}"))));
        };
        for (k, e) in edits.iter().enumerate() {
            if e.target == n {
                size = format!("size-{k}");
            } else {
                let b = blocks[e.target].as_mut().unwrap();
                match e.how {
                    0 => b.input = format!("r{}-v{}", e.target, k + 1),
                    1 => b.comment = Some(format!("note {k}")),
                    _ => b.uses_var = !b.uses_var,
                }
            }
            commit(e.author, &format!("Edit {k}"), &blocks, &size);
        }
        if delete {
            blocks[victim] = None;
            commit(deleter, "Remove it", &blocks, &size);
        }
        let changed: Vec<usize> = (1..texts.len()).filter(|&i| texts[i] != texts[i - 1]).collect();

        // The plan, in the shape `terraform show -json` gives.
        let before = json!({"id": "5e1b7c4e-0000-4000-8000-00000000000a",
                            "input": "r-old", "output": "r-old", "triggers_replace": "small"});
        let change = if delete {
            json!({"actions": ["delete"], "before": before, "after": null, "after_unknown": {},
                   "before_sensitive": {}, "after_sensitive": false})
        } else {
            json!({"actions": ["delete", "create"], "before": before,
                   "after": {"input": "r-new", "triggers_replace": size},
                   "after_unknown": {"id": true, "output": true},
                   "before_sensitive": {}, "after_sensitive": {},
                   "replace_paths": [["triggers_replace"]]})
        };
        let address = format!("terraform_data.r{victim}");
        // Made from the head: its configuration declares the head's blocks.
        let declared: Vec<Value> = blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_some())
            .map(|(i, _)| json!({"address": format!("terraform_data.r{i}"), "mode": "managed",
                                 "type": "terraform_data", "name": format!("r{i}")}))
            .collect();
        let plan = json!({
            "format_version": "1.2",
            "terraform_version": "1.11.4",
            "planned_values": {"root_module": {}},
            "resource_changes": [{
                "address": address, "mode": "managed", "type": "terraform_data",
                "name": format!("r{victim}"), "provider_name": "terraform.io/builtin/terraform",
                "change": change,
                "action_reason": if delete { "delete_because_no_resource_config" }
                                 else { "replace_because_cannot_update" },
            }],
            "configuration": {"root_module": {"resources": declared,
                                              "variables": {"size": {"default": size}}}},
            "timestamp": "2026-01-01T00:00:00Z",
            "applyable": true,
            "complete": true,
            "errored": false,
        });
        repo.write("plan.json", &plan.to_string());
        let config = repo.file(".git/plangate-test.hcl");
        std::fs::write(&config, r#"
rule "every-destroy" {
  description = "every destructive change"
  severity    = "info"
  match { actions = ["delete", "replace", "forget"] }
}"#).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_plangate"))
            .args(["check", "--base", &steps[0], "--head", "HEAD", "--preview", "--format", "json",
                   "--config"])
            .arg(&config)
            .arg("plan.json")
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        prop_assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        common::schemas::validate(common::schemas::Kind::Check, &report);
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "every-destroy" && f["address"] == address.as_str())
            .cloned();
        prop_assert!(finding.is_some(), "no finding at {}: {}", address, report);
        let finding = finding.unwrap();
        let attributed: Vec<usize> = finding["commits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| steps.iter().position(|s| c["sha"] == s.as_str()).expect("a step's commit"))
            .collect();
        prop_assert!(!attributed.contains(&0), "the base is not in the range");
        for i in &changed {
            prop_assert!(
                attributed.contains(i),
                "step {} changed {}'s block but is not attributed ({:?}): {}",
                i, address, attributed, finding
            );
        }
    }
}

// ---------------------------------------------------------------------------
// What the properties found, kept as plain examples
// ---------------------------------------------------------------------------

/// A console-export item read through a `Value` kept the last of a key given
/// twice: a `Remove` could hide behind an `Add` (or a `null`, which made the
/// file "not a plan" and so skipped in a directory).
#[test]
fn a_key_given_twice_in_a_console_export_is_refused() {
    let remove = json!({"action": "Remove", "logicalResourceId": "Db", "resourceType": "AWS::RDS::DBInstance"});
    for text in [
        format!(r#"[{{"type":"Resource","resourceChange":{remove},"resourceChange":null}}]"#),
        format!(r#"[{{"type":"Resource","resourceChange":{remove},"ResourceChange":{remove}}}]"#),
        r#"[{"type":"Resource","resourceChange":{"action":"Remove","action":"Add",
            "logicalResourceId":"Db","resourceType":"AWS::RDS::DBInstance"}}]"#
            .to_owned(),
    ] {
        let read = parse::parse_json("export.json", text.as_bytes());
        assert!(
            matches!(read, Err(ReadError::Shape { .. })),
            "{text}: {read:?}"
        );
    }
}

/// Bob approved the head, then (through the API, or after the head moved
/// back) an older commit. Only his latest review counted, so it was stale;
/// deleting that later approval made his approval of the head count.
#[test]
fn a_later_approval_of_an_older_commit_does_not_undo_one_of_the_head() {
    let config = config(0);
    let review = |commit: &str| Review {
        login: "bob".into(),
        user_id: Some(2),
        user_type: "User".into(),
        state: "APPROVED".into(),
        commit_id: Some(commit.into()),
    };
    let require = plangate::policy::Require {
        approvals: 1,
        from: vec![],
    };
    let judge = |list: Vec<Review>| {
        let r = Reviews {
            pull_request: None,
            reviews: list,
            commit_logins: Default::default(),
            pushers: None,
        };
        approvals::judge(
            &require,
            &[],
            &r,
            &approvals::Approvable::head(HEAD),
            &config.policy,
            &config.catalog,
            &mut NoTeams,
        )
        .unwrap()
    };
    assert!(judge(vec![review(HEAD)]).satisfied);
    assert!(judge(vec![review(HEAD), review(OLD)]).satisfied);
    // Withdrawn in between: the later approval of an older commit is stale.
    let mut changes = review(HEAD);
    changes.state = "CHANGES_REQUESTED".into();
    let stale = judge(vec![review(HEAD), changes, review(OLD)]);
    assert!(!stale.satisfied);
    assert!(
        stale.ignored[0].why.contains("not the head checked"),
        "{stale:?}"
    );
}
