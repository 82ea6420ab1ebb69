//! Approvals carried over pushes (`approvals { carry_over =
//! "same-destructive-set" }`), end to end: the real git, plans made by the real
//! terraform at the reviewed commit (`plan-at-1.json`) and at the head
//! (`plan.json`), and a local GitHub that keeps the check runs plangate
//! writes as its records and lists them back.
//!
//! Each case: a replace of `terraform_data.orders_db` at step 1, approved by
//! carol on that commit; then one more push (step 2). CI ran plangate at step
//! 1, which recorded the set; the run at the head reads that record.

mod common;

use common::cases;
use common::gate::{Gate, PULLS, ZERO, approve};
use common::github::{self, Reply};
use common::stderr;
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
  carry_over = "same-destructive-set"
}
"#;

/// The pull request of `case`, with check runs kept, the policy written.
fn pull_request(case: &str) -> (Gate, String) {
    let g = Gate::new(case);
    g.gh.learn_check_runs("github-actions");
    let config = g.config(POLICY);
    (g, config)
}

fn reviewed(g: &Gate) -> String {
    g.steps[1].clone()
}

/// `plangate check --format json` with the pull request's head at `head`
/// (event and API agree), on `plan` placed where CI makes it (`plan.json` in
/// the work tree, not committed: an item names its plan, so the plan of
/// each run must be at the same path): the exit code and the report.
fn check_at(g: &Gate, head: &str, plan: &str, config: &str) -> (i32, Value) {
    std::fs::copy(plan, g.repo.file("plan.json")).unwrap();
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &g.steps[0],
        head,
        "feature",
    );
    std::fs::write(
        g.file("event.json"),
        github::pull_request_event("synchronize", pr.clone(), "acme/infra").to_string(),
    )
    .unwrap();
    g.gh.route(PULLS, vec![Reply::json(200, pr)]);
    // dave created the branch at step 1 and pushed the head after it.
    let dave = || github::user("dave", 40, "User");
    let mut pushes = vec![github::activity(
        1,
        "branch_creation",
        ZERO,
        &g.steps[1],
        dave(),
    )];
    if head != g.steps[1] {
        pushes.insert(0, github::activity(2, "push", &g.steps[1], head, dave()));
    }
    g.pushes(pushes);
    let out = g
        .plangate()
        .args(["check", "--format", "json", "--config", config, "plan.json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code != 2, "could not decide: {}", stderr(&out));
    common::schemas::validate_text(&common::stdout(&out));
    (code, serde_json::from_str(&common::stdout(&out)).unwrap())
}

fn plan_at_reviewed(case: &str) -> String {
    cases::case_dir(case)
        .join("plan-at-1.json")
        .display()
        .to_string()
}

fn finding<'a>(report: &'a Value, address: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == address)
        .unwrap_or_else(|| panic!("no finding of {address} in {report}"))
}

fn why_ignored(report: &Value, address: &str, user: &str) -> String {
    finding(report, address)["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .map(|i| i["why"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// CI's run at the reviewed commit: it records the set there (blocked, as
/// nobody has approved yet), then carol approves that commit.
fn review_step_1(g: &Gate, case: &str, config: &str) {
    let (code, report) = check_at(g, &reviewed(g), &plan_at_reviewed(case), config);
    assert_eq!(code, 1, "{report}");
    let runs = g.gh.check_runs();
    assert_eq!(runs.len(), 1, "one record written: {runs:?}");
    assert_eq!(runs[0]["head_sha"], reviewed(g).as_str());
    assert_eq!(runs[0]["name"], "plangate destructive set");
    let text = runs[0]["output"]["text"].as_str().unwrap();
    assert!(
        text.contains(report["destructive_set"]["digest"].as_str().unwrap()),
        "the record carries the set's digest: {text}"
    );
    g.reviews(vec![approve("carol", 41, &reviewed(g))]);
}

#[test]
fn an_approval_carries_over_a_docs_only_push() {
    let case = "carry-docs-push";
    let (g, config) = pull_request(case);
    review_step_1(&g, case, &config);
    let (code, report) = check_at(&g, g.head(), &g.plan, &config);
    assert_eq!(code, 0, "{report}");
    let approval = &finding(&report, "terraform_data.orders_db")["approval"];
    assert_eq!(approval["approved_by"], json!(["carol"]));
    assert_eq!(
        approval["carried"],
        json!([{"user": "carol", "commit": reviewed(&g)}])
    );
    let notes = report["notes"].to_string();
    assert!(notes.contains("carry_over"), "{notes}");
    // Human output names the commit the approval was given on.
    let out = g
        .plangate()
        .args([
            "check",
            "--format",
            "human",
            "--config",
            &config,
            "plan.json",
        ])
        .output()
        .unwrap();
    let human = common::stdout(&out);
    let on = format!(
        "approved by carol (on {}, carried over)",
        &reviewed(&g)[..7]
    );
    assert!(human.contains(&on), "{human}");
    // The head's run recorded its own set too.
    assert!(g.gh.check_runs().iter().any(|r| r["head_sha"] == g.head()));

    // Without carry-over the same approval is stale.
    let strict = g.config(&POLICY.replace("same-destructive-set", "none"));
    let (code, report) = check_at(&g, g.head(), &g.plan, &strict);
    assert_eq!(code, 1);
    let why = why_ignored(&report, "terraform_data.orders_db", "carol");
    assert!(why.contains("not the head checked"), "{why}");
}

#[test]
fn a_push_that_adds_a_delete_carries_nothing() {
    let case = "carry-push-deletes";
    let (g, config) = pull_request(case);
    review_step_1(&g, case, &config);
    let (code, report) = check_at(&g, g.head(), &g.plan, &config);
    assert_eq!(code, 1, "{report}");
    for address in ["terraform_data.orders_db", "terraform_data.cache"] {
        assert_eq!(finding(&report, address)["status"], "blocked");
    }
    let why = why_ignored(&report, "terraform_data.orders_db", "carol");
    assert!(
        why.contains("does not carry over") && why.contains("delete terraform_data.cache"),
        "{why}"
    );
}

#[test]
fn a_push_that_edits_the_approved_block_carries_nothing() {
    let case = "carry-push-edits";
    let (g, config) = pull_request(case);
    review_step_1(&g, case, &config);
    let (code, report) = check_at(&g, g.head(), &g.plan, &config);
    assert_eq!(code, 1, "{report}");
    let why = why_ignored(&report, "terraform_data.orders_db", "carol");
    assert!(
        why.contains("does not carry over") && why.contains("replace terraform_data.orders_db"),
        "{why}"
    );
}

#[test]
fn a_record_by_another_app_is_ignored_and_reported() {
    let case = "carry-docs-push";
    let (g, config) = pull_request(case);
    // The reviewed commit's record was written by some other app.
    g.gh.learn_check_runs("helpful-bot");
    review_step_1(&g, case, &config);
    g.gh.learn_check_runs("github-actions");
    let (code, report) = check_at(&g, g.head(), &g.plan, &config);
    assert_eq!(code, 1, "{report}");
    let why = why_ignored(&report, "terraform_data.orders_db", "carol");
    assert!(why.contains("plangate has no record of it"), "{why}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("made by helpful-bot was ignored"), "{notes}");

    // Trusting that app by name makes its record count.
    let trusting = g.config(&format!(
        "{POLICY}\napprovals {{\n  record_app = \"helpful-bot\"\n}}\n"
    ));
    let (code, report) = check_at(&g, g.head(), &g.plan, &trusting);
    assert_eq!(code, 0, "{report}");
}

/// A record that claims the head's set for the reviewed commit, as a
/// workflow of the pull request itself could write with `checks: write`:
/// it covers the set, but the finding comes from a commit after the
/// approval, so the approval does not carry.
#[test]
fn a_forged_record_cannot_carry_an_approval_past_a_change_it_did_not_see() {
    let case = "carry-push-edits";
    let (g, config) = pull_request(case);
    g.reviews(vec![approve("carol", 41, &reviewed(&g))]);
    let (_, head_report) = check_at(&g, g.head(), &g.plan, &config);
    let set = &head_report["destructive_set"];
    let ids: Vec<Value> = head_report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.pointer("/item/id").cloned())
        .collect();
    let record = json!({
        "plangate_record": 1,
        "head": reviewed(&g),
        "digest": set["digest"],
        "ids": ids,
    });
    g.gh.add_check_run(json!({
        "id": 99,
        "name": "plangate destructive set",
        "head_sha": reviewed(&g),
        "app": {"id": 15368, "slug": "github-actions"},
        "output": {"text": format!("```json\n{record}\n```")},
        "html_url": "https://github.com/acme/infra/runs/99",
    }));
    let (code, report) = check_at(&g, g.head(), &g.plan, &config);
    assert_eq!(code, 1, "{report}");
    let why = why_ignored(&report, "terraform_data.orders_db", "carol");
    let after = &g.head()[..7];
    assert!(
        why.contains(&format!(
            "{after} came after it and the finding is attributed to it"
        )),
        "{why}"
    );
}

#[test]
fn a_record_that_cannot_be_written_is_a_note_not_a_pass() {
    let case = "carry-docs-push";
    let (g, config) = pull_request(case);
    g.gh.route_method(
        "POST",
        "/repos/acme/infra/check-runs",
        vec![github::error(403, "Resource not accessible by integration")],
    );
    let (code, report) = check_at(&g, &reviewed(&g), &plan_at_reviewed(case), &config);
    assert_eq!(code, 1, "{report}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("was not recorded") && notes.contains("checks: write"),
        "{notes}"
    );
    assert!(g.gh.check_runs().is_empty());
}
