//! The commit checked and the pull request's head: reviews are given on the
//! head, so checking another commit (range flags in GitHub Actions, a checkout
//! of the merge commit) makes every approval stale, and the report says so
//! with both shas. Histories built with the real git, plans made by the real
//! terraform.

mod common;

use std::process::Command;

use common::cases;
use common::{stderr, stdout};
use serde_json::Value;

/// `check --preview --format json --base BASE PLAN` in GitHub Actions, with
/// a pull-request event whose head is `event_head`.
fn check_with_event(
    case: &str,
    mut event_head: impl FnMut(&[String]) -> String,
) -> (Value, String) {
    let (repo, steps) = cases::build(case);
    let plan = cases::place_plan(case, &repo);
    let head = repo.head();
    let event = repo.file("event.json");
    std::fs::write(
        &event,
        serde_json::json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "number": 7,
                "user": {"login": "alice", "id": 1, "type": "User"},
                "body": null,
                "base": {"sha": steps[0]},
                "head": {"sha": event_head(&steps), "ref": "feature"}
            },
            "repository": {"default_branch": "main"}
        })
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args([
            "check",
            "--preview",
            "--format",
            "json",
            "--base",
            &steps[0],
            &plan,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    common::schemas::validate_text(&stdout(&out));
    (serde_json::from_str(&stdout(&out)).unwrap(), head)
}

fn head_warnings(report: &Value) -> Vec<String> {
    // The report leaves `notes` out when it has none.
    report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|n| n.contains("event's pull request"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_event_whose_head_is_not_the_commit_checked_is_warned_with_both_shas() {
    let mut older = String::new();
    let (report, head) = check_with_event("human-forces-replace", |steps| {
        older = steps[steps.len() - 2].clone();
        older.clone()
    });
    assert_ne!(older, head);
    let warnings = head_warnings(&report);
    assert_eq!(warnings.len(), 1, "{:?}", report["notes"]);
    assert!(warnings[0].contains(&older), "{}", warnings[0]);
    assert!(warnings[0].contains(&head), "{}", warnings[0]);
    assert!(warnings[0].contains("#7"), "{}", warnings[0]);
}

#[test]
fn an_event_whose_head_is_the_commit_checked_gives_no_warning() {
    let (report, head) = check_with_event("human-forces-replace", |steps| {
        steps.last().unwrap().clone()
    });
    assert_eq!(report["range"]["head"], head.as_str());
    assert!(head_warnings(&report).is_empty(), "{:?}", report["notes"]);
}
