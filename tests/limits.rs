//! The resource limits of README's "Big plans": each hit with a small input
//! through the library function that takes the limit, and each a clear error.
//! The default limits are measured, not tested, by bench/ (see bench/README.md).

mod common;

use plangate::config::{self, hcl::SourceFile};
use plangate::git::{Git, GitError, RangeRequest};
use plangate::history;
use plangate::parse::{self, Limits, Parsed, ReadError};
use serde_json::json;

use common::repo::{HUMAN, TestRepo};

fn limit(max_changes: usize) -> Limits {
    Limits { max_changes }
}

fn terraform(n: usize) -> String {
    let changes: Vec<_> = (0..n)
        .map(|i| {
            json!({"address": format!("aws_s3_bucket.b{i}"), "type": "aws_s3_bucket",
                        "change": {"actions": ["delete"]}})
        })
        .collect();
    json!({"format_version": "1.2", "resource_changes": changes}).to_string()
}

fn cloudformation_change(i: usize) -> serde_json::Value {
    json!({"Type": "Resource", "ResourceChange": {"Action": "Remove",
        "LogicalResourceId": format!("R{i}"), "ResourceType": "AWS::S3::Bucket"}})
}

fn change_set(n: usize) -> String {
    let changes: Vec<_> = (0..n).map(cloudformation_change).collect();
    json!({"Status": "CREATE_COMPLETE", "ChangeSetId": "arn:cs", "Changes": changes}).to_string()
}

fn console_export(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            json!({"type": "Resource", "resourceChange": {"action": "Remove",
            "logicalResourceId": format!("R{i}"), "resourceType": "AWS::S3::Bucket"}})
        })
        .collect()
}

fn too_many(result: Result<Parsed, ReadError>) -> Option<usize> {
    match result {
        Err(ReadError::TooManyChanges { limit, .. }) => Some(limit),
        _ => None,
    }
}

#[test]
fn a_plan_at_the_change_limit_reads_and_one_more_is_refused() {
    let at = parse::parse_json_with("p.json", terraform(3).as_bytes(), &limit(3));
    assert!(
        matches!(at, Ok(Parsed::Plan(ref p)) if p.changes.len() == 3),
        "{at:?}"
    );
    let over = parse::parse_json_with("p.json", terraform(4).as_bytes(), &limit(3));
    assert_eq!(too_many(over), Some(3));
}

#[test]
fn a_change_set_and_a_console_export_have_the_same_limit() {
    let at = parse::parse_json_with("cs.json", change_set(3).as_bytes(), &limit(3));
    assert!(
        matches!(at, Ok(Parsed::Page(ref p)) if p.changes.len() == 3),
        "{at:?}"
    );
    let over = parse::parse_json_with("cs.json", change_set(4).as_bytes(), &limit(3));
    assert_eq!(too_many(over), Some(3));

    let text = serde_json::Value::Array(console_export(3)).to_string();
    let at = parse::parse_json_with("export.json", text.as_bytes(), &limit(3));
    assert!(
        matches!(at, Ok(Parsed::Page(ref p)) if p.changes.len() == 3),
        "{at:?}"
    );
    let text = serde_json::Value::Array(console_export(5)).to_string();
    let over = parse::parse_json_with("export.json", text.as_bytes(), &limit(3));
    assert_eq!(too_many(over), Some(3));
}

#[test]
fn an_array_past_the_limit_that_is_no_export_is_still_no_plan() {
    // Past the limit the items are still looked at: the last one shows that
    // this is not the console's export, so it is not a plan at all.
    let mut items = console_export(5);
    items.push(json!(42));
    let text = serde_json::Value::Array(items).to_string();
    let read = parse::parse_json_with("data.json", text.as_bytes(), &limit(3));
    assert!(
        matches!(read, Ok(Parsed::NotAPlan(ref what)) if what == "a JSON array of 6 item(s)"),
        "{read:?}"
    );
}

#[test]
fn a_big_json_array_that_is_no_plan_is_counted_not_kept() {
    // Read item by item: the array is never built (bench/memory.py shows the
    // heap staying flat on a 200 MB one); here, that it is told correctly.
    let text = format!("[{}]", vec!["{\"a\":[1,{\"b\":2}]}"; 100_000].join(","));
    let read = parse::parse_json("data.json", text.as_bytes());
    assert!(
        matches!(read, Ok(Parsed::NotAPlan(ref what)) if what == "a JSON array of 100000 item(s)"),
        "{read:?}"
    );
}

#[test]
fn the_default_limit_is_the_documented_one() {
    assert_eq!(Limits::DEFAULT.max_changes, 1_000_000);
    assert_eq!(Limits::default(), Limits::DEFAULT);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for said in ["1,000,000 changes", "10,000 commits", "8 MiB"] {
        assert!(readme.contains(said), "README's Big plans says {said}");
    }
    assert_eq!(history::MAX_COMMITS, 10_000);
    assert_eq!(config::MAX_CONFIG_BYTES, 8 << 20);
}

#[test]
fn the_change_limit_error_says_what_and_how_to_fix_it() {
    let err = parse::parse_json_with("big.json", terraform(2).as_bytes(), &limit(1)).unwrap_err();
    let text = common::flat(&common::render(&err));
    assert!(text.contains("plangate::read::too_many_changes"), "{text}");
    assert!(
        text.contains("big.json holds more than 1 changes"),
        "{text}"
    );
    assert!(
        text.contains("split the configuration into smaller root modules"),
        "{text}"
    );
}

#[test]
fn a_configuration_over_the_size_limit_is_refused_with_where_and_why() {
    let text = "rule \"r\" {\n  description = \"d\"\n  severity = \"warning\"\n  match { actions = [\"delete\"] }\n}\n";
    let at = config::parse_at_most(SourceFile::new("p.hcl", text), text.len());
    assert!(at.is_ok(), "{:?}", at.err());
    let over = config::parse_at_most(SourceFile::new("p.hcl", text), text.len() - 1)
        .expect_err("one byte over the limit");
    assert_eq!(over.errors.len(), 1);
    let rendered = common::flat(&common::render(&over.errors[0]));
    assert!(
        rendered.contains(&format!(
            "the configuration is {} bytes, more than the {}",
            text.len(),
            text.len() - 1
        )),
        "{rendered}"
    );
    assert!(
        rendered.contains("check that --config names the file you meant"),
        "{rendered}"
    );
}

#[test]
fn a_configuration_with_thousands_of_errors_reports_each_once() {
    // Each error shares the file's text rather than copying it: 3,000 errors
    // in a 200 KB file would otherwise hold 600 MB.
    let text: String = (0..3000)
        .map(|i| format!("rule \"r{i}\" {{\n  bogus = 1\n}}\n"))
        .collect();
    let errors = config::parse(SourceFile::new("p.hcl", text)).unwrap_err();
    // Per rule: the unknown key, no `match` and no `description`.
    assert_eq!(errors.errors.len(), 9000);
    let rendered: Vec<String> = errors
        .errors
        .iter()
        .map(|e| common::flat(&common::render(e)))
        .collect();
    for at in [
        "p.hcl:8999:3",
        "p.hcl:8998:1: rule \"r2999\" has no `match` block",
    ] {
        assert_eq!(
            rendered.iter().filter(|r| r.contains(at)).count(),
            1,
            "{at}"
        );
    }
}

#[test]
fn many_rules_keep_their_order_and_duplicates_are_still_caught() {
    let mut text = String::new();
    for i in 0..500 {
        text.push_str(&format!(
            "rule \"org-{i}\" {{\n  description = \"d\"\n  severity = \"info\"\n  match {{ actions = [\"delete\"] }}\n}}\n"
        ));
    }
    // A built-in tightened in place, after the file's own rules.
    text.push_str("rule \"agent-destroy\" {\n  require { approvals = 2 }\n}\n");
    let config = config::parse(SourceFile::new("p.hcl", text.clone())).unwrap();
    let ids: Vec<&str> = config.policy.rules.iter().map(|r| r.id.as_str()).collect();
    let builtins = plangate::config::builtin().unwrap().policy.rules.len();
    assert_eq!(ids.len(), builtins + 500);
    assert_eq!(ids[builtins], "org-0");
    assert_eq!(ids[builtins + 499], "org-499");
    let tightened = config.policy.rule("agent-destroy").unwrap();
    assert_eq!(tightened.approvals(), 2);
    assert!(
        ids[..builtins].contains(&"agent-destroy"),
        "a built-in stays in its place"
    );

    text.push_str("rule \"org-250\" {\n  description = \"again\"\n  severity = \"info\"\n  match { actions = [\"delete\"] }\n}\n");
    let errors = config::parse(SourceFile::new("p.hcl", text)).unwrap_err();
    assert_eq!(errors.errors.len(), 1);
    assert!(
        errors.errors[0]
            .to_string()
            .contains("rule \"org-250\" is defined twice")
    );
}

/// A repository of `n` commits after the first.
fn repository(n: usize) -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("main.tf", "# start\n");
    let base = repo.commit(HUMAN, "start");
    for i in 0..n {
        repo.write("main.tf", &format!("# change {i}\n"));
        repo.commit(HUMAN, &format!("change {i}"));
    }
    (repo, base)
}

fn read_range(repo: &TestRepo, base: &str, max: usize) -> Result<history::History, GitError> {
    let git = Git::open(repo.path()).unwrap();
    let catalog = config::builtin().unwrap().catalog;
    let request = RangeRequest::new(Some(base), Some("HEAD"), &Default::default(), None).unwrap();
    history::read_at_most(&git, &request, &catalog, max)
}

#[test]
fn a_range_at_the_commit_limit_reads_and_a_longer_one_is_refused() {
    let (repo, base) = repository(4);
    let at = read_range(&repo, &base, 4).unwrap();
    assert_eq!(at.commits.len(), 4);
    let err = read_range(&repo, &base, 3).unwrap_err();
    assert!(
        matches!(err, GitError::TooManyCommits { limit: 3, .. }),
        "{err:?}"
    );
    let text = common::flat(&common::render(&err));
    assert!(text.contains("plangate::git::too_many_commits"), "{text}");
    assert!(text.contains("holds more than 3 commits"), "{text}");
    assert!(
        text.contains("pass --base the commit the change starts from"),
        "{text}"
    );
}
