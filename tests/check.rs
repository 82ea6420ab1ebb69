//! `plangate check` end to end: a history rebuilt with the real git, a plan
//! made by the real terraform, and a local server speaking the GitHub REST API.
//! One test per approval rule, each with its failing and its passing side.

mod common;

use std::process::Command;
use std::time::Duration;

use common::gate::{Gate, PULLS, TOKEN, approve, review};
use common::github::{self, Reply};
use common::repo::TestRepo;
use common::{cases, flat, stderr, stdout};
use serde_json::{Value, json};

/// The finding of `rule` and its ignored approvals' reasons, by user.
fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"))
}

fn ignored_why(report: &Value, rule: &str, user: &str) -> String {
    finding(report, rule)["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .map(|i| i["why"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn an_agent_written_delete_blocks_until_a_human_approves_the_head() {
    let g = Gate::new("agent-deletes-block");
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(report["result"], "fail");
    // As README documents it (this was `git-hub`, serde's kebab case of GitHub).
    assert_eq!(
        report["approvals"],
        serde_json::json!({"kind": "github", "pull_request": 7})
    );
    let f = finding(&report, "agent-destroy");
    assert_eq!(
        (f["address"].as_str(), f["action"].as_str()),
        (Some("terraform_data.orders_db"), Some("delete"))
    );
    assert_eq!(f["authored_by"], "agent");
    assert_eq!(f["commits"][0]["agent"], "claude-code");
    assert_eq!(
        f["approval"],
        json!({"required": 1, "approved_by": [], "ignored": [], "satisfied": false})
    );
    assert_eq!(f["status"], "blocked");

    g.reviews(vec![approve("carol", 41, g.head())]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["result"], "pass");
    assert_eq!(
        finding(&report, "agent-destroy")["approval"]["approved_by"],
        json!(["carol"])
    );
    assert_eq!(finding(&report, "agent-destroy")["status"], "approved");
}

#[test]
fn only_the_reviewers_latest_review_counts() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    g.reviews(vec![
        approve("carol", 41, &head),
        review("carol", 41, "CHANGES_REQUESTED", &head),
    ]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        ignored_why(&report, "agent-destroy", "carol"),
        "their latest review requests changes"
    );
    g.reviews(vec![
        review("carol", 41, "CHANGES_REQUESTED", &head),
        approve("carol", 41, &head),
        review("carol", 41, "COMMENTED", &head),
    ]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn an_approval_of_an_older_push_does_not_count() {
    let g = Gate::new("agent-deletes-block");
    g.reviews(vec![approve("carol", 41, &g.steps[1])]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1);
    assert!(
        ignored_why(&report, "agent-destroy", "carol").starts_with("approved ")
            && ignored_why(&report, "agent-destroy", "carol").contains("not the head checked")
    );
    g.reviews(vec![
        approve("carol", 41, &g.steps[1]),
        approve("erin", 42, g.head()),
    ]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn bots_and_agents_cannot_approve() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    let bot = github::review(
        50,
        github::user("renovate[bot]", 29139614, "Bot"),
        "APPROVED",
        &head,
        "2026-01-02T12:00:00Z",
    );
    let agent = approve("Copilot", 198982749, &head);
    g.reviews(vec![bot.clone(), agent.clone()]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        ignored_why(&report, "agent-destroy", "renovate[bot]"),
        "is a Bot account, not a person"
    );
    assert!(ignored_why(&report, "agent-destroy", "Copilot").contains("copilot-coding-agent"));
    g.reviews(vec![bot, agent, approve("carol", 41, &head)]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn the_pull_requests_author_cannot_approve() {
    let g = Gate::new("agent-deletes-block");
    g.reviews(vec![approve("dave", 40, g.head())]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        ignored_why(&report, "agent-destroy", "dave"),
        "opened the pull request"
    );
}

#[test]
fn a_commit_author_cannot_approve_what_the_commit_wrote() {
    // Every delete or replace needs an approval here, human-written or not.
    let g = Gate::new("human-forces-replace");
    let config = g.config(
        "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n",
    );
    // The API links the replacing commit's e-mail to Alice's account.
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
    g.reviews(vec![approve("alice-h", 43, g.head())]);
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1);
    let why = ignored_why(&report, "any-destroy", "alice-h");
    assert!(why.starts_with("authored commit"), "{why}");
    g.reviews(vec![
        approve("alice-h", 43, g.head()),
        approve("carol", 41, g.head()),
    ]);
    assert_eq!(g.check(&["--config", &config]).0, 0);
}

#[test]
fn the_operator_who_ran_the_agent_cannot_approve() {
    let g = Gate::new("agent-with-operator");
    let config = g.config("person \"bob-ops\" {\n  emails = [\"bob@example.com\"]\n}\n");
    g.reviews(vec![approve("bob-ops", 44, g.head())]);
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1);
    let why = ignored_why(&report, "agent-destroy", "bob-ops");
    assert!(why.contains("the operator who ran the agent"), "{why}");
    g.reviews(vec![
        approve("bob-ops", 44, g.head()),
        approve("carol", 41, g.head()),
    ]);
    assert_eq!(g.check(&["--config", &config]).0, 0);
}

#[test]
fn a_from_list_of_configured_teams_restricts_who_may_approve() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(
        "team \"sre\" {\n  members = [\"erin\"]\n}\nrule \"agent-destroy\" {\n  require {\n    approvals = 1\n    from      = [\"team:sre\"]\n  }\n}\n",
    );
    g.reviews(vec![approve("carol", 41, g.head())]);
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1);
    assert_eq!(
        ignored_why(&report, "agent-destroy", "carol"),
        "is not in this rule's `from` (team:sre)"
    );
    g.reviews(vec![
        approve("carol", 41, g.head()),
        approve("erin", 42, g.head()),
    ]);
    assert_eq!(g.check(&["--config", &config]).0, 0);
}

#[test]
fn github_team_membership_is_read_from_the_api() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config("rule \"agent-destroy\" {\n  require {\n    approvals = 1\n    from      = [\"@acme/dba\"]\n  }\n}\n");
    g.reviews(vec![approve("carol", 41, g.head())]);
    let membership = "/orgs/acme/teams/dba/memberships/carol";
    for (reply, expected) in [
        (
            Reply::json(200, github::team_membership("active", "member")),
            0,
        ),
        (
            Reply::json(200, github::team_membership("pending", "member")),
            1,
        ),
        (github::not_found(), 1),
    ] {
        g.gh.route(membership, vec![reply]);
        assert_eq!(g.check(&["--config", &config]).0, expected);
    }
    // A token that may not read memberships cannot decide: exit 2, naming the permission.
    g.gh.route(
        membership,
        vec![github::error(403, "Resource not accessible by integration")],
    );
    let out = g.run(&["--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        flat(&stderr(&out)).contains("Members: read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reviews_are_read_from_every_page() {
    let g = Gate::new("agent-deletes-block");
    let page2 = format!("{}{PULLS}/reviews?per_page=100&page=2", g.gh.url());
    g.gh.route(
        &format!("{PULLS}/reviews?per_page=100"),
        vec![
            Reply::json(200, json!([review("zed", 60, "COMMENTED", g.head())]))
                .with_link(Some(&page2), Some(&page2)),
        ],
    );
    g.gh.route(
        &format!("{PULLS}/reviews?per_page=100&page=2"),
        vec![Reply::json(200, json!([approve("carol", 41, g.head())]))],
    );
    let (code, _) = g.check(&[]);
    assert_eq!(code, 0);
    let paths: Vec<String> = g.gh.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("reviews?per_page=100&page=2")),
        "{paths:?}"
    );
    let auth = g.gh.requests()[0]
        .header("authorization")
        .map(str::to_owned);
    assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let g = Gate::new("agent-deletes-block");
    let ok = Reply::json(200, json!([approve("carol", 41, g.head())]));
    g.gh.route(
        &format!("{PULLS}/reviews?per_page=100"),
        vec![
            github::error(502, "Bad Gateway"),
            github::error(500, "Server Error"),
            ok.clone(),
        ],
    );
    assert_eq!(g.check(&[]).0, 0);
    g.gh.route(
        &format!("{PULLS}/reviews?per_page=100"),
        vec![
            github::error(429, "Too Many Requests").with_header("Retry-After", "1"),
            ok,
        ],
    );
    let started = std::time::Instant::now();
    assert_eq!(g.check(&[]).0, 0);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
}

#[test]
fn failures_that_persist_are_exit_2_with_a_message() {
    let g = Gate::new("agent-deletes-block");
    let reviews = format!("{PULLS}/reviews?per_page=100");
    for (reply, says) in [
        (github::error(500, "Server Error"), "could not be reached"),
        (github::error(401, "Bad credentials"), "rejected the token"),
        (
            Reply::raw(200, "<html>oops</html>"),
            "not what its API documents",
        ),
        (
            Reply::truncated(200, "[{\"id\": 1, \"state\": \"APPROVED\"}]"),
            "GitHub",
        ),
        (
            github::error(429, "slow down").with_header("Retry-After", "3600"),
            "asks to wait 3600 s",
        ),
    ] {
        g.gh.route(&reviews, vec![reply]);
        let out = g.run(&["--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{says}");
        assert!(
            flat(&stderr(&out)).contains(says),
            "{says}: {}",
            stderr(&out)
        );
        // No report: one error document (issue 16), saying the same.
        common::schemas::validate_text(&stdout(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(doc["result"], "error", "{says}");
        assert!(doc.get("findings").is_none(), "{says}: {doc}");
        assert!(
            flat(&doc["errors"].to_string()).contains(says) || !doc["errors"][0]["code"].is_null(),
            "{says}: {doc}"
        );
    }
}

#[test]
fn preview_reports_what_is_needed_and_exits_0() {
    let g = Gate::new("agent-deletes-block");
    let (code, report) = g.check(&["--preview"]);
    assert_eq!(code, 0);
    assert_eq!(report["approvals"]["kind"], "preview");
    assert_eq!(finding(&report, "agent-destroy")["approval"]["required"], 1);
    assert_eq!(finding(&report, "agent-destroy")["status"], "blocked");
    assert!(g.gh.requests().is_empty(), "preview asks GitHub nothing");
}

#[test]
fn approvals_from_a_saved_reviews_file() {
    let g = Gate::new("agent-deletes-block");
    let reviews = g.file("reviews.json");
    let event = g.file("event.json").display().to_string();
    std::fs::write(
        &reviews,
        json!([approve("carol", 41, &g.steps[1])]).to_string(),
    )
    .unwrap();
    let args = [
        "--approvals",
        reviews.to_str().unwrap(),
        "--event",
        event.as_str(),
    ];
    let (code, report) = g.check(&args);
    assert_eq!(code, 1);
    assert_eq!(report["approvals"]["kind"], "file");
    std::fs::write(
        &reviews,
        json!([approve("carol", 41, g.head())]).to_string(),
    )
    .unwrap();
    assert_eq!(g.check(&args).0, 0);
    assert!(g.gh.requests().is_empty(), "offline means offline");
}

#[test]
fn without_an_approval_source_every_finding_that_needs_approval_blocks() {
    let g = Gate::new("agent-deletes-block");
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .current_dir(g.repo.path())
        .args(["check", "--format", "json", "--base", &g.steps[0], &g.plan])
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    common::schemas::validate_text(&stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["approvals"]["kind"], "none");
}

#[test]
fn the_policy_is_read_from_the_trusted_revision_and_its_edit_is_flagged() {
    // At the base the repository requires two approvals from its SRE team. An
    // agent commit deletes a resource and, in the same pull request, empties
    // that policy.
    let repo = TestRepo::new();
    repo.write(
        ".plangate.hcl",
        "team \"sre\" {\n  members = [\"erin\", \"frank\"]\n}\nrule \"agent-destroy\" {\n  require {\n    approvals = 2\n    from      = [\"team:sre\"]\n  }\n}\n",
    );
    cases::copy_tree(
        &cases::case_dir("agent-deletes-block").join("0-base"),
        repo.path(),
    );
    let base = repo.commit(common::repo::HUMAN, "Policy and infrastructure");
    std::fs::remove_file(repo.file("main.tf")).unwrap();
    cases::copy_tree(
        &cases::case_dir("agent-deletes-block").join("2-agent"),
        repo.path(),
    );
    repo.write(".plangate.hcl", "# nothing to see here\n");
    let head = repo.commit(common::repo::CLAUDE, "Tidy up");
    let plan = cases::case_dir("agent-deletes-block")
        .join("plan.json")
        .display()
        .to_string();
    let reviews = repo.file(".git/reviews.json");
    let event = repo.file(".git/event.json");
    let pr = github::pull_request(7, github::user("dave", 40, "User"), &base, &head, "tidy");
    std::fs::write(
        &event,
        github::pull_request_event("synchronize", pr, "acme/infra").to_string(),
    )
    .unwrap();
    std::fs::write(&reviews, json!([approve("erin", 42, &head)]).to_string()).unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
            .current_dir(repo.path())
            .args(["check", "--format", "json", "--base", &base, "--approvals"])
            .arg(&reviews)
            .arg("--event")
            .arg(&event)
            .args(extra)
            .arg(&plan)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
        common::schemas::validate_text(&stdout(&out));
        (
            out.status.code().unwrap(),
            serde_json::from_str::<Value>(&stdout(&out)).unwrap(),
        )
    };
    // Judged by the base's policy: one SRE approval is not two.
    let (code, report) = run(&["--config-ref", &base]);
    assert_eq!(code, 1);
    assert_eq!(finding(&report, "agent-destroy")["approval"]["required"], 2);
    let policy_edit = finding(&report, "agent-edits-policy");
    assert_eq!(policy_edit["address"], ".plangate.hcl");
    assert_eq!(policy_edit["authored_by"], "agent");
    // Judged by the emptied policy, the built-in rule is back to one approval,
    // but the edit of the policy itself still needs its own.
    let (_, report) = run(&[]);
    assert_eq!(finding(&report, "agent-destroy")["approval"]["required"], 1);
    assert!(finding(&report, "agent-edits-policy")["approval"]["satisfied"] == true);
}

#[test]
fn in_actions_the_step_summary_is_written_and_human_output_has_annotations() {
    let g = Gate::new("agent-deletes-block");
    let out = g.run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("::error title=plangate agent-destroy%3A blocked::"),
        "{text}"
    );
    let summary = std::fs::read_to_string(g.file("summary.md")).unwrap();
    assert!(
        summary.contains("| ❌ blocked | `agent-destroy` |"),
        "{summary}"
    );
}
