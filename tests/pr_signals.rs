//! Pull-request signals and who may approve, end to end: a history rebuilt
//! with the real git, a plan made by the real terraform, and the local server
//! speaking the GitHub REST API. An agent-made pull request (its author, its
//! head branch, a session link in its body) makes every commit agent-written;
//! reviewers are matched to authors by account id; a review whose reviewer
//! cannot be told approves nothing.

mod common;

use common::gate::{Gate, PULLS, approve};
use common::github::{self, Reply};
use common::{flat, stderr};
use serde_json::{Value, json};

/// "human-forces-replace": a human commit forces the replacement of
/// terraform_data.orders_db; the other commit is agent-written (Cursor).
const CASE: &str = "human-forces-replace";

fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["address"] == "terraform_data.orders_db")
}

/// Each commit of the report's table: (class, evidence).
fn commits(report: &Value) -> Vec<(String, Vec<String>)> {
    report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let evidence = c["evidence"].as_array().unwrap();
            (
                c["class"].as_str().unwrap().to_owned(),
                evidence
                    .iter()
                    .map(|e| e.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn ignored_why(report: &Value, rule: &str, user: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"))["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .map(|i| i["why"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The human replace passes on a human's pull request: the baseline each
/// signal below has to change.
fn assert_human(g: &Gate, extra: &[&str]) {
    let (code, report) = g.check(extra);
    assert_eq!(code, 0, "{report}");
    assert!(finding(&report, "agent-destroy").is_none(), "{report}");
}

/// The replace is agent-written and blocks; every commit says why.
fn assert_agent(g: &Gate, says: &str) -> Value {
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    let f = finding(&report, "agent-destroy").expect("an agent-destroy finding");
    assert_eq!(f["authored_by"], "agent");
    assert_eq!(f["status"], "blocked");
    let all = commits(&report);
    assert!(!all.is_empty());
    for (class, evidence) in &all {
        assert_eq!(class, "agent");
        assert!(
            evidence.iter().any(|e| e == says),
            "{says:?} not in {evidence:?}"
        );
    }
    report
}

#[test]
fn a_pull_request_opened_by_the_copilot_agent_makes_every_commit_agent() {
    let g = Gate::new(CASE);
    assert_human(&g, &[]);
    g.edit_pull_request(|pr| pr["user"] = github::user("Copilot", 198982749, "Bot"));
    let report = assert_agent(
        &g,
        "pull request #7 was opened by Copilot (GitHub account 198982749), copilot-coding-agent's account",
    );
    // The report says so once, too.
    assert!(
        report["notes"].as_array().unwrap().iter().any(|n| n
            == "pull request #7 was opened by Copilot (GitHub account 198982749), \
                copilot-coding-agent's account: every commit of the range counts as agent-written"),
        "{}",
        report["notes"]
    );
    // The human commit now names the agent.
    let f = finding(&report, "agent-destroy").unwrap();
    assert_eq!(f["commits"][0]["agent"], "copilot-coding-agent", "{f}");
    // And a person's approval of the head still lets it through.
    g.reviews(vec![approve("carol", 41, g.head())]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn an_agents_branch_prefix_makes_a_human_authors_commits_agent() {
    let g = Gate::new(CASE);
    g.edit_pull_request(|pr| pr["head"]["ref"] = json!("codex/fix-db"));
    assert_agent(
        &g,
        "pull request head branch \"codex/fix-db\" matches codex's branch prefix \"codex/\"",
    );
}

#[test]
fn a_session_link_in_the_body_makes_the_commits_agent() {
    let g = Gate::new(CASE);
    g.edit_pull_request(|pr| {
        pr["body"] =
            json!("Bumps postgres.\n\nDevin session: https://app.devin.ai/sessions/4f1c2e9a7b\n")
    });
    assert_agent(
        &g,
        "pull request body links a devin session (https://app.devin.ai/sessions/4f1c2e9a7b)",
    );
}

#[test]
fn a_body_that_only_names_an_agent_is_human() {
    let g = Gate::new(CASE);
    g.edit_pull_request(|pr| {
        pr["body"] = json!("Addresses the Codex review comments (chatgpt.com/codex was down).")
    });
    assert_human(&g, &[]);
}

#[test]
fn each_signal_turned_off_is_back_to_human() {
    let g = Gate::new(CASE);
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 3] = [
        ("pull_request_author", |pr| {
            pr["user"] = github::user("devin-ai-integration[bot]", 158243242, "Bot")
        }),
        ("pull_request_branch", |pr| {
            pr["head"]["ref"] = json!("cursor/upgrade-postgres")
        }),
        ("pull_request_links", |pr| {
            pr["body"] = json!("[Codex Task](https://chatgpt.com/codex/tasks/task_e_68ab12cd)")
        }),
    ];
    for (key, edit) in cases {
        g.edit_pull_request(edit);
        let (code, _) = g.check(&[]);
        assert_eq!(code, 1, "{key} on: agent");
        let config = g.config(&format!("agents {{\n  {key} = false\n}}\n"));
        assert_human(&g, &["--config", &config]);
    }
}

#[test]
fn a_payload_without_the_facts_is_completed_from_the_api_or_refused() {
    let g = Gate::new(CASE);
    g.edit_pull_request(|pr| pr["head"]["ref"] = json!("copilot/fix"));
    // The event lacks head.ref; the API's pull request has it.
    let mut event: Value =
        serde_json::from_str(&std::fs::read_to_string(g.file("event.json")).unwrap()).unwrap();
    event["pull_request"]["head"]
        .as_object_mut()
        .unwrap()
        .remove("ref");
    std::fs::write(g.file("event.json"), event.to_string()).unwrap();
    assert_agent(
        &g,
        "pull request head branch \"copilot/fix\" matches copilot-coding-agent's branch prefix \"copilot/\"",
    );
    assert!(g.gh.requests().iter().any(|r| r.path == PULLS));
    // Offline (--approvals with --event), nothing can complete it: exit 2.
    let reviews = g.file("reviews.json");
    std::fs::write(&reviews, "[]").unwrap();
    let event_path = g.file("event.json").display().to_string();
    let out = g.run(&[
        "--approvals",
        reviews.to_str().unwrap(),
        "--event",
        &event_path,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        flat(&stderr(&out)).contains("has no `head.ref`"),
        "{}",
        stderr(&out)
    );
    // Unless the branch signal is off.
    let config = g.config("agents {\n  pull_request_branch = false\n}\n");
    let out = g.run(&[
        "--approvals",
        reviews.to_str().unwrap(),
        "--event",
        &event_path,
        "--config",
        &config,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_renamed_login_approving_its_own_commit_is_known_by_account_id() {
    let g = Gate::new(CASE);
    let config = g.config(
        "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n",
    );
    // The API links the replacing commit to account 43, then `alice-h`.
    g.gh.route(
        &format!("{PULLS}/commits?per_page=100"),
        vec![Reply::json(
            200,
            json!([github::pull_commit(
                g.head(),
                "Alice Human",
                "alice@example.com",
                Some(github::user("alice-h", 43, "User")),
                Some(github::user("alice-h", 43, "User")),
                "Upgrade postgres to 16"
            )]),
        )],
    );
    // The account is now called `alice-renamed`.
    g.reviews(vec![approve("alice-renamed", 43, g.head())]);
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1, "{report}");
    let why = ignored_why(&report, "any-destroy", "alice-renamed");
    assert!(
        why.starts_with("authored commit") && why.ends_with("(same GitHub account id 43)"),
        "{why}"
    );
    // Another account is another person.
    g.reviews(vec![approve("alice-renamed", 44, g.head())]);
    assert_eq!(g.check(&["--config", &config]).0, 0);
}

#[test]
fn a_review_without_the_reviewers_type_or_with_a_bot_login_approves_nothing() {
    let g = Gate::new("agent-deletes-block");
    let mut no_type = approve("carol", 41, g.head());
    no_type["user"].as_object_mut().unwrap().remove("type");
    let bot_as_user = github::review(
        60,
        github::user("helper[bot]", 60, "User"),
        "APPROVED",
        g.head(),
        "2026-01-02T12:00:00Z",
    );
    g.reviews(vec![no_type, bot_as_user]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        ignored_why(&report, "agent-destroy", "carol"),
        "its reviewer has no `type` in the API's answer: plangate cannot tell who approved"
    );
    assert_eq!(
        ignored_why(&report, "agent-destroy", "helper[bot]"),
        "is a bot account (its login ends in [bot]), not a person"
    );
    // The same in a saved reviews file.
    let mut no_type = approve("carol", 41, g.head());
    no_type["user"].as_object_mut().unwrap().remove("type");
    let reviews = g.file("reviews.json");
    std::fs::write(&reviews, json!([no_type]).to_string()).unwrap();
    let event = g.file("event.json").display().to_string();
    let (code, report) = g.check(&["--approvals", reviews.to_str().unwrap(), "--event", &event]);
    assert_eq!(code, 1, "{report}");
    assert!(ignored_why(&report, "agent-destroy", "carol").contains("no `type`"));
    // With its type, carol's approval counts.
    g.reviews(vec![approve("carol", 41, g.head())]);
    assert_eq!(g.check(&[]).0, 0);
}
