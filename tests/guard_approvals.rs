//! `guard { approvals = "github" }`: an agent's `terraform apply PLANFILE`
//! of a plan that needs approval, judged as `check --apply` judges it at the
//! checked-out commit, against a local GitHub that holds the pull request's
//! record and reviews (tests/common/applied.rs builds them), with the real
//! git and plans made by the real terraform.
//!
//! The hook is Claude Code's `PreToolUse` (payload as
//! https://docs.claude.com/en/docs/claude-code/hooks gives it): exit 2
//! blocks, exit 0 with nothing on stdout lets the command run.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::applied::{Applied, place_plan, reviewed_pull_request};
use common::gate::TOKEN;
use common::stderr;
use serde_json::json;

const RULE: &str = r#"
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

const APPROVED_BY_GITHUB: &str = r#"
guard {
  approvals = "github"
}
"#;

/// The guard asked about `command` in the repository, with `policy` as its
/// `--config` (a file outside the repository, which may loosen the guard).
fn guard(a: &Applied, policy: &str, command: &str) -> Output {
    guard_with_config(a, &a.g.config(policy), command)
}

/// The guard asked about `command` with `config` as its `--config`.
fn guard_with_config(a: &Applied, config: &str, command: &str) -> Output {
    let payload = json!({
        "session_id": "abc123", "transcript_path": "/tmp/s.jsonl",
        "cwd": a.g.repo.path().display().to_string(),
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": command, "description": "apply it", "timeout": 120000},
        "tool_use_id": "toolu_01ABC123"
    });
    // The agent's machine: no Actions, the API and token from the hook's environment.
    let mut child = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["guard", "--agent", "claude-code", "--config", config])
        .current_dir(a.g.repo.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_EVENT_NAME")
        .env("GITHUB_API_URL", a.g.gh.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("PLANGATE_HTTP_BACKOFF_MS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains(TOKEN), "the token leaked");
    out
}

fn allowed(out: &Output) -> bool {
    out.status.code() == Some(0) && out.stdout.is_empty()
}

fn denied(out: &Output) -> bool {
    out.status.code() == Some(2) && !out.stderr.is_empty()
}

/// The approved pull request merged; the work tree at the merge, its plan placed.
fn merged_and_approved() -> Applied {
    let a = reviewed_pull_request(RULE, Some("carol"));
    let merge = a.merge(&a.reviewed.clone());
    a.merged_as(&merge);
    place_plan(&a.g, "plan-at-1.json");
    a
}

#[test]
fn an_apply_whose_destructive_set_a_merged_pull_request_approved_runs() {
    let a = merged_and_approved();
    let out = guard(
        &a,
        &format!("{RULE}{APPROVED_BY_GITHUB}"),
        "terraform apply plan.json",
    );
    assert!(allowed(&out), "{}", stderr(&out));
    // Without the setting the same apply is held: approvals are not looked for.
    let out = guard(&a, RULE, "terraform apply plan.json");
    assert!(denied(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("replace terraform_data.orders_db"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_destroy_no_reviewer_saw_is_held() {
    let a = reviewed_pull_request(RULE, Some("carol"));
    // The branch holds more than the approved head: step 2 deletes the cache.
    let merge = a.g.steps[2].clone();
    a.g.repo.git(&["checkout", "-q", &merge]);
    a.merged_as(&merge);
    place_plan(&a.g, "plan.json");
    let out = guard(
        &a,
        &format!("{RULE}{APPROVED_BY_GITHUB}"),
        "cd . && terraform apply -auto-approve plan.json",
    );
    assert!(denied(&out), "{}", stderr(&out));
    let why = stderr(&out);
    assert!(
        why.contains("delete terraform_data.cache")
            && why.contains("not in the destructive set recorded on the head"),
        "{why}"
    );
    // What the reviewer approved is not what holds it.
    assert!(!why.contains("replace terraform_data.orders_db"), "{why}");
}

#[test]
fn without_an_approval_the_apply_is_held_naming_what_is_missing() {
    let a = reviewed_pull_request(RULE, None);
    let merge = a.merge(&a.reviewed.clone());
    a.merged_as(&merge);
    place_plan(&a.g, "plan-at-1.json");
    let out = guard(
        &a,
        &format!("{RULE}{APPROVED_BY_GITHUB}"),
        "terraform apply plan.json",
    );
    assert!(denied(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 of 1 approval(s) of pull request #7 count"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_commit_no_merged_pull_request_holds_is_held() {
    let a = merged_and_approved();
    // The agent's own commit on top of the merge: no pull request holds it.
    a.g.repo.write("notes.txt", "more\n");
    a.g.repo.commit(common::repo::HUMAN, "Local work");
    let head = a.g.repo.head();
    a.g.gh.route(
        &format!("/repos/acme/infra/commits/{head}/pulls?per_page=100"),
        vec![common::github::Reply::json(200, json!([]))],
    );
    let out = guard(
        &a,
        &format!("{RULE}{APPROVED_BY_GITHUB}"),
        "terraform apply plan.json",
    );
    assert!(denied(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("by no merged pull request"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_api_error_blocks_with_the_reason() {
    let a = merged_and_approved();
    let head = a.g.repo.head();
    a.g.gh.route(
        &format!("/repos/acme/infra/commits/{head}/pulls?per_page=100"),
        vec![common::github::Reply::json(
            401,
            json!({"message": "Bad credentials"}),
        )],
    );
    let out = guard(
        &a,
        &format!("{RULE}{APPROVED_BY_GITHUB}"),
        "terraform apply plan.json",
    );
    assert!(denied(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be judged") && stderr(&out).contains("401"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_work_tree_cannot_turn_approvals_on() {
    let a = merged_and_approved();
    // The agent writes the setting into the repository's own policy.
    a.g.repo.write(".plangate.hcl", APPROVED_BY_GITHUB);
    let config = a.g.repo.file(".plangate.hcl").display().to_string();
    let out = guard_with_config(&a, &config, "terraform apply plan.json");
    assert!(denied(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("loosens the guard (`approvals`)"),
        "{}",
        stderr(&out)
    );
}
