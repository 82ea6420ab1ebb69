//! A review re-judged from the head's record (`check --from-record`), end to
//! end: the real git, the head's plan made by the real terraform, and a local
//! GitHub that keeps the check run plangate writes as its record. CI checked
//! the head with its plan on `pull_request` (recording the set); then a
//! review arrives and `pull_request_review` judges it with no plan at all.

mod common;

use common::gate::{Gate, approve};
use common::github;
use common::{stderr, stdout};
use serde_json::{Value, json};

const POLICY: &str = r#"
rule "any-destroy" {
  description = "Any delete or replace"
  match {
    actions = ["delete", "replace"]
  }
  require {
    approvals = 1
  }
}

approvals {
  record = true
}
"#;

const CASE: &str = "carry-docs-push";

fn pull_request() -> (Gate, String) {
    let g = Gate::new(CASE);
    g.gh.learn_check_runs("github-actions");
    let config = g.config(POLICY);
    (g, config)
}

/// CI's `pull_request` run at the head with its plan (nobody approved yet:
/// blocked), which records the set.
fn checked_with_plan(g: &Gate, config: &str) -> Value {
    let (code, report) = g.check(&["--config", config]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(g.gh.check_runs().len(), 1, "the head's set was recorded");
    report
}

/// The `pull_request_review` run: no plan, the event of the review.
fn rejudge(g: &Gate, config: &str) -> std::process::Output {
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &g.steps[0],
        g.head(),
        "feature",
    );
    let mut event = github::pull_request_event("submitted", pr, "acme/infra");
    event["review"] = json!({"state": "approved", "user": {"login": "carol"}});
    std::fs::write(g.file("review-event.json"), event.to_string()).unwrap();
    g.plangate()
        .env("GITHUB_EVENT_NAME", "pull_request_review")
        .env("GITHUB_EVENT_PATH", g.file("review-event.json"))
        .args([
            "check",
            "--from-record",
            "--format",
            "json",
            "--config",
            config,
        ])
        .output()
        .unwrap()
}

fn report_of(out: &std::process::Output) -> (i32, Value) {
    let code = out.status.code().unwrap();
    assert!(code != 2, "could not decide: {}", stderr(out));
    common::schemas::validate_text(&stdout(out));
    (code, serde_json::from_str(&stdout(out)).unwrap())
}

fn finding<'a>(report: &'a Value, address: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == address)
        .unwrap_or_else(|| panic!("no finding of {address} in {report}"))
}

#[test]
fn a_review_is_judged_from_the_record_without_a_plan() {
    let (g, config) = pull_request();
    let planned = checked_with_plan(&g, &config);
    g.reviews(vec![approve("carol", 41, g.head())]);
    let (code, report) = report_of(&rejudge(&g, &config));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["plans"], json!([]), "no plan was read");
    let db = finding(&report, "terraform_data.orders_db");
    assert_eq!(db["status"], "approved");
    assert_eq!(db["approval"]["approved_by"], json!(["carol"]));
    // The same set, the same items, the same commits as the planned run.
    assert_eq!(report["destructive_set"], planned["destructive_set"]);
    let planned_db = finding(&planned, "terraform_data.orders_db");
    for key in ["action", "rule", "resource_type", "plan"] {
        assert_eq!(db[key], planned_db[key], "{key}");
    }
    let shas = |f: &Value| -> Vec<Value> {
        f["commits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["sha"].clone())
            .collect()
    };
    assert_eq!(shas(db), shas(planned_db));
    let notes = report["notes"].to_string();
    assert!(notes.contains("judged from plangate's record"), "{notes}");
    // Re-judging writes no record of its own.
    assert_eq!(g.gh.check_runs().len(), 1);
    // People read the same: the finding, who approved it, and from what.
    let human = g
        .plangate()
        .env("GITHUB_EVENT_NAME", "pull_request_review")
        .env("GITHUB_EVENT_PATH", g.file("review-event.json"))
        .args([
            "check",
            "--from-record",
            "--format",
            "human",
            "--config",
            &config,
        ])
        .output()
        .unwrap();
    let text = stdout(&human);
    eprintln!("{text}");
    for says in [
        "terraform_data.orders_db",
        "approved by carol",
        "judged from plangate's record",
    ] {
        assert!(text.contains(says), "wanted {says:?} in: {text}");
    }
}

#[test]
fn the_approval_rules_still_hold_when_re_judged() {
    let (g, config) = pull_request();
    checked_with_plan(&g, &config);
    // dave authored the pull request: his approval does not count.
    g.reviews(vec![approve("dave", 40, g.head())]);
    let (code, report) = report_of(&rejudge(&g, &config));
    assert_eq!(code, 1, "{report}");
    let db = finding(&report, "terraform_data.orders_db");
    assert_eq!(db["status"], "blocked");
    let ignored = db["approval"]["ignored"].to_string();
    assert!(ignored.contains("dave"), "{ignored}");
    // An approval of an earlier commit is stale here as anywhere.
    g.reviews(vec![approve("carol", 41, &g.steps[1])]);
    let (code, _) = report_of(&rejudge(&g, &config));
    assert_eq!(code, 1);
}

fn refused(out: &std::process::Output, says: &str) {
    // As one line: miette wraps at the terminal's width.
    let err = stderr(out)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("plangate::check::record"), "{err}");
    assert!(err.contains(says), "wanted {says:?} in: {err}");
}

#[test]
fn no_record_is_exit_2_not_a_pass() {
    let (g, config) = pull_request();
    g.reviews(vec![approve("carol", 41, g.head())]);
    refused(&rejudge(&g, &config), "no record of it was found");
}

#[test]
fn a_record_by_another_app_is_ignored() {
    let (g, config) = pull_request();
    g.gh.learn_check_runs("helpful-bot");
    checked_with_plan(&g, &config);
    g.reviews(vec![approve("carol", 41, g.head())]);
    let out = rejudge(&g, &config);
    refused(&out, "no record of it was found");
}

#[test]
fn a_record_made_under_another_configuration_is_not_judged() {
    let (g, config) = pull_request();
    checked_with_plan(&g, &config);
    g.reviews(vec![approve("carol", 41, g.head())]);
    // A rule added since might flag what the record does not hold.
    let stricter = g.config(&format!(
        "{POLICY}\nrule \"no-updates\" {{\n  description = \"x\"\n  match {{\n    actions = [\"update\"]\n  }}\n  require {{\n    approvals = 2\n  }}\n}}\n"
    ));
    refused(
        &rejudge(&g, &stricter),
        "not the one its record was made with",
    );
}

#[test]
fn an_agent_signal_since_the_record_is_not_judged_from_it() {
    let (g, config) = pull_request();
    checked_with_plan(&g, &config);
    g.reviews(vec![approve("carol", 41, g.head())]);
    assert_eq!(report_of(&rejudge(&g, &config)).0, 0);
    // The body now links an agent's session: every commit of the range is
    // an agent's, which the recorded findings were not found with.
    g.edit_pull_request(|pr| {
        pr["body"] = "Made in https://claude.ai/code/session_0123abcd".into();
    });
    let out = g
        .plangate()
        .env("GITHUB_EVENT_NAME", "pull_request_review")
        .args(["check", "--from-record", "--config", &config])
        .output()
        .unwrap();
    refused(&out, "classes are not those its record was made with");
}

#[test]
fn a_record_naming_a_commit_outside_the_range_is_not_judged() {
    let (g, config) = pull_request();
    checked_with_plan(&g, &config);
    let run = g.gh.check_runs().remove(0);
    let text = run["output"]["text"].as_str().unwrap();
    let json_text = text
        .trim_start_matches("```json\n")
        .trim_end_matches("\n```");
    let mut record: Value = serde_json::from_str(json_text).unwrap();
    for item in record["items"].as_array_mut().unwrap() {
        item["commits"] = json!(["0123456789012345678901234567890123456789"]);
    }
    let mut forged = run.clone();
    forged["id"] = json!(77);
    forged["output"]["text"] = format!("```json\n{record}\n```").into();
    g.gh.add_check_run(forged);
    g.reviews(vec![approve("carol", 41, g.head())]);
    refused(&rejudge(&g, &config), "not a commit of the range");
}

#[test]
fn a_configuration_that_records_nothing_cannot_be_re_judged() {
    let (g, _) = pull_request();
    let silent = g.config(&POLICY.replace("record = true", "record = false"));
    refused(&rejudge(&g, &silent), "does not record destructive sets");
}

#[test]
fn from_record_takes_no_plan() {
    let (g, config) = pull_request();
    let out = g
        .plangate()
        .args(["check", "--from-record", "--config", &config, &g.plan])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}
