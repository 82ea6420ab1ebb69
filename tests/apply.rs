//! The apply gate (`check --apply`), end to end: the real git, plans made by
//! the real terraform, and a local GitHub that lists the pull request of a
//! commit and keeps the check runs plangate writes as its records.
//!
//! The case (carry-push-deletes): step 1 replaces `terraform_data.orders_db`;
//! step 2 also deletes `terraform_data.cache`. Pull request #7 has step 1 as
//! its head: CI checked it with its plan (recording the set) and carol
//! approved it. Then the default branch's push runs `check --apply` on the
//! plan made there, before `terraform apply`.

mod common;

use common::applied::{place_plan, reviewed_pull_request};
use common::github::{self, Reply};
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
fn the_approved_set_applies() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    a.merged_as(&merge);
    place_plan(&a.g, "plan-at-1.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 0, "{report}");
    let db = finding(&report, "terraform_data.orders_db");
    assert_eq!(db["status"], "approved");
    assert_eq!(db["approval"]["approved_by"], json!(["carol"]));
    assert_eq!(
        report["approvals"],
        json!({"kind": "apply", "pull_request": 7, "head": a.reviewed})
    );
    // The apply run records nothing: it is no pull request's head.
    assert_eq!(a.g.gh.check_runs().len(), 1);
}

#[test]
fn a_destroy_no_reviewer_saw_blocks_the_apply() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    // The default branch holds more than the approved head: step 2's delete
    // of the cache came with it (as a concurrent merge would bring it).
    let merge = a.g.steps[2].clone();
    a.merged_as(&merge);
    place_plan(&a.g, "plan.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 1, "{report}");
    let cache = finding(&report, "terraform_data.cache");
    assert_eq!(cache["status"], "blocked");
    let note = cache["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("not in the destructive set recorded on the head")
            && note.contains("pull request #7"),
        "{note}"
    );
    // What the reviewer was shown stays approved.
    assert_eq!(
        finding(&report, "terraform_data.orders_db")["status"],
        "approved"
    );
}

#[test]
fn without_an_approval_the_recorded_set_still_blocks() {
    let a = reviewed_pull_request(POLICY, None);
    let merge = a.merge(&a.reviewed.clone());
    a.merged_as(&merge);
    place_plan(&a.g, "plan-at-1.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        finding(&report, "terraform_data.orders_db")["status"],
        "blocked"
    );
}

#[test]
fn a_direct_push_blocks_every_destructive_item() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    // No pull request holds the commit.
    a.g.gh.route(
        &format!("/repos/acme/infra/commits/{merge}/pulls?per_page=100"),
        vec![Reply::json(200, json!([]))],
    );
    place_plan(&a.g, "plan-at-1.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        finding(&report, "terraform_data.orders_db")["status"],
        "blocked"
    );
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("direct push") && notes.contains("replace terraform_data.orders_db"),
        "{notes}"
    );
    assert_eq!(report["approvals"]["pull_request"], Value::Null);
}

#[test]
fn an_open_pull_request_is_no_merge() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &a.g.steps[0],
        &a.reviewed,
        "feature",
    );
    a.g.gh.route(
        &format!("/repos/acme/infra/commits/{merge}/pulls?per_page=100"),
        vec![Reply::json(200, json!([pr]))],
    );
    place_plan(&a.g, "plan-at-1.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 1, "{report}");
    assert!(report["notes"].to_string().contains("direct push"));
}

#[test]
fn without_a_record_nothing_counts_as_shown() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    a.merged_as(&merge);
    // The record is made by an app plangate does not trust.
    let mut run = a.g.gh.check_runs().remove(0);
    run["app"]["slug"] = json!("helpful-bot");
    a.g.gh.clear_check_runs();
    a.g.gh.add_check_run(run);
    place_plan(&a.g, "plan-at-1.json");
    let (code, report) = report_of(&a.apply(&merge));
    assert_eq!(code, 1, "{report}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("made by helpful-bot was ignored"), "{notes}");
    assert!(notes.contains("no record of the head"), "{notes}");
}

#[test]
fn a_commit_two_merged_pull_requests_claim_cannot_be_told() {
    let a = reviewed_pull_request(POLICY, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    let pr = |n: u64| {
        let mut pr = github::pull_request(
            n,
            github::user("dave", 40, "User"),
            &a.g.steps[0],
            &a.reviewed,
            "feature",
        );
        pr["merged_at"] = json!("2026-01-03T12:00:00Z");
        pr["merge_commit_sha"] = json!(merge);
        pr
    };
    a.g.gh.route(
        &format!("/repos/acme/infra/commits/{merge}/pulls?per_page=100"),
        vec![Reply::json(200, json!([pr(7), pr(8)]))],
    );
    place_plan(&a.g, "plan-at-1.json");
    let out = a.apply(&merge);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("plangate::check::apply"));
}
