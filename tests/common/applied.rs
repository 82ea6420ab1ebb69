//! Pull request #7 of acme/infra reviewed with its plan, then merged: the
//! history `check --apply` and `guard { approvals = "github" }` judge (shared
//! by tests/apply.rs and tests/guard_approvals.rs).
//!
//! The case (carry-push-deletes): step 1 replaces `terraform_data.orders_db`;
//! step 2 also deletes `terraform_data.cache`. Pull request #7 has step 1 as
//! its head: CI checked it with its plan (recording the set) and, when asked,
//! carol approved it.

use serde_json::json;

use super::cases;
use super::gate::{Gate, PULLS, ZERO, approve};
use super::github::{self, Reply};
use super::stderr;

pub const CASE: &str = "carry-push-deletes";
const GITHUB: (&str, &str) = ("GitHub", "noreply@github.com");

pub struct Applied {
    pub g: Gate,
    pub config: String,
    /// The pull request's head: the commit its reviewers approved.
    pub reviewed: String,
}

/// Pull request #7 with step 1 as its head, checked with its plan (which
/// records the set) under `policy` and approved by `approver` on that head.
pub fn reviewed_pull_request(policy: &str, approver: Option<&str>) -> Applied {
    let g = Gate::new(CASE);
    g.gh.learn_check_runs("github-actions");
    let config = g.config(policy);
    let reviewed = g.steps[1].clone();
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &g.steps[0],
        &reviewed,
        "feature",
    );
    std::fs::write(
        g.file("event.json"),
        github::pull_request_event("synchronize", pr.clone(), "acme/infra").to_string(),
    )
    .unwrap();
    g.gh.route(PULLS, vec![Reply::json(200, pr)]);
    g.pushes(vec![github::activity(
        1,
        "branch_creation",
        ZERO,
        &reviewed,
        github::user("dave", 40, "User"),
    )]);
    place_plan(&g, "plan-at-1.json");
    let out = g
        .plangate()
        .args([
            "check",
            "--format",
            "json",
            "--config",
            &config,
            "plan.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(g.gh.check_runs().len(), 1, "the head's set was recorded");
    if let Some(login) = approver {
        g.reviews(vec![approve(login, 41, &reviewed)]);
    }
    Applied {
        g,
        config,
        reviewed,
    }
}

/// The plan where CI makes it: `plan.json` in the work tree (an item names
/// its plan, so every run must put it at the same path).
pub fn place_plan(g: &Gate, name: &str) {
    std::fs::copy(cases::case_dir(CASE).join(name), g.repo.file("plan.json")).unwrap();
}

impl Applied {
    /// A merge commit of `commit` onto step 0, made by GitHub's merge button.
    pub fn merge(&self, commit: &str) -> String {
        let g = &self.g;
        g.repo.git(&["checkout", "-q", "-B", "trunk", &g.steps[0]]);
        g.repo.git_as(
            GITHUB,
            GITHUB,
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge pull request #7 from acme/feature",
                commit,
            ],
        );
        g.repo.head()
    }

    /// `GET commits/{sha}/pulls` lists pull request #7, merged as `merge`.
    pub fn merged_as(&self, merge: &str) {
        let mut pr = github::pull_request(
            7,
            github::user("dave", 40, "User"),
            &self.g.steps[0],
            &self.reviewed,
            "feature",
        );
        pr["merged_at"] = json!("2026-01-03T12:00:00Z");
        pr["merge_commit_sha"] = json!(merge);
        self.g.gh.route(
            &format!("/repos/acme/infra/commits/{merge}/pulls?per_page=100"),
            vec![Reply::json(200, json!([pr]))],
        );
    }

    /// `plangate check --apply` on the push of `after` to the default branch.
    pub fn apply(&self, after: &str) -> std::process::Output {
        let g = &self.g;
        let event = json!({
            "ref": "refs/heads/main",
            "before": g.steps[0],
            "after": after,
            "repository": github::repository("acme/infra"),
            "pusher": {"name": "web-flow"},
        });
        std::fs::write(g.file("push.json"), event.to_string()).unwrap();
        g.plangate()
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_EVENT_PATH", g.file("push.json"))
            .args([
                "check",
                "--apply",
                "--format",
                "json",
                "--config",
                &self.config,
                "plan.json",
            ])
            .output()
            .unwrap()
    }
}
