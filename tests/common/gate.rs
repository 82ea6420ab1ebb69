//! `plangate check` on pull request #7 of acme/infra in GitHub Actions: a
//! history rebuilt with the real git and a local server speaking the GitHub
//! REST API (shared by tests/check.rs and tests/output.rs).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

use super::github::{self, MockGitHub, Reply};
use super::repo::TestRepo;
use super::{cases, schemas, stderr, stdout};

pub const TOKEN: &str = "ghs_plangateTestToken0123456789abcdef";
pub const PULLS: &str = "/repos/acme/infra/pulls/7";
/// The repository activity, where pushes are read (any `ref`).
pub const ACTIVITY: &str = "/repos/acme/infra/activity";
/// Git's "no commit", the `before` of a branch's creation.
pub const ZERO: &str = "0000000000000000000000000000000000000000";

/// A pull request #7 of acme/infra whose history is an attribution case.
pub struct Gate {
    pub repo: TestRepo,
    pub steps: Vec<String>,
    pub gh: MockGitHub,
    pub dir: tempfile::TempDir,
    pub plan: String,
}

impl Gate {
    /// The pull request of testdata/attribution/`case`, judged on its plan.
    pub fn new(case: &str) -> Gate {
        let (repo, steps) = cases::build(case);
        let plan = cases::case_dir(case)
            .join("plan.json")
            .display()
            .to_string();
        Gate::with_history(repo, steps, plan)
    }

    /// A pull request from `steps[0]` to the last step of `repo`, on `plan`.
    pub fn with_history(repo: TestRepo, steps: Vec<String>, plan: String) -> Gate {
        let gh = MockGitHub::start();
        let dir = tempfile::tempdir().unwrap();
        let head = steps.last().unwrap().clone();
        let pr = github::pull_request(
            7,
            github::user("dave", 40, "User"),
            &steps[0],
            &head,
            "feature",
        );
        std::fs::write(
            dir.path().join("event.json"),
            github::pull_request_event("synchronize", pr.clone(), "acme/infra").to_string(),
        )
        .unwrap();
        gh.route(PULLS, vec![Reply::json(200, pr)]);
        gh.route(
            &format!("{PULLS}/commits?per_page=100"),
            vec![Reply::json(200, json!([]))],
        );
        gh.route(
            &format!("{PULLS}/reviews?per_page=100"),
            vec![Reply::json(200, json!([]))],
        );
        // The author created the branch with every commit.
        gh.route(
            ACTIVITY,
            vec![Reply::json(
                200,
                json!([github::activity(
                    1,
                    "branch_creation",
                    ZERO,
                    &head,
                    github::user("dave", 40, "User")
                )]),
            )],
        );
        Gate {
            repo,
            steps,
            gh,
            dir,
            plan,
        }
    }

    /// Make the pull request another: `edit` changes the API's pull request
    /// object, which the event payload then carries too.
    pub fn edit_pull_request(&self, edit: impl FnOnce(&mut Value)) {
        let mut pr = github::pull_request(
            7,
            github::user("dave", 40, "User"),
            &self.steps[0],
            self.head(),
            "feature",
        );
        edit(&mut pr);
        std::fs::write(
            self.file("event.json"),
            github::pull_request_event("synchronize", pr.clone(), "acme/infra").to_string(),
        )
        .unwrap();
        self.gh.route(PULLS, vec![Reply::json(200, pr)]);
    }

    pub fn head(&self) -> &str {
        self.steps.last().unwrap()
    }

    pub fn reviews(&self, list: Vec<Value>) {
        self.gh.route(
            &format!("{PULLS}/reviews?per_page=100"),
            vec![Reply::json(200, Value::Array(list))],
        );
    }

    /// The activity of the head branch (newest first, as GitHub lists it).
    pub fn pushes(&self, list: Vec<Value>) {
        self.gh
            .route(ACTIVITY, vec![Reply::json(200, Value::Array(list))]);
    }

    pub fn config(&self, text: &str) -> String {
        let path = self.dir.path().join("policy.hcl");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `plangate` in the pull request's repository, in GitHub Actions on the
    /// pull request (retry backoff 1 ms), with the gate's step summary and
    /// outputs files; the caller adds the arguments.
    pub fn plangate(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
        cmd.current_dir(self.repo.path())
            .env("NO_COLOR", "1")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", self.file("event.json"))
            .env("GITHUB_API_URL", self.gh.url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", "acme/infra")
            .env("GITHUB_STEP_SUMMARY", self.file("summary.md"))
            .env("GITHUB_OUTPUT", self.file("output.txt"))
            .env("PLANGATE_HTTP_BACKOFF_MS", "1")
            .env_remove("GITLAB_CI")
            .env_remove("COLUMNS")
            .env_remove("PRE_COMMIT_FROM_REF")
            .env_remove("PRE_COMMIT_TO_REF");
        cmd
    }

    /// `plangate check ARGS PLAN` in GitHub Actions on the pull request.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.plangate();
        cmd.arg("check").args(args).arg(&self.plan);
        let out = cmd.output().unwrap();
        assert!(
            !stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN),
            "the token leaked"
        );
        out
    }

    /// The JSON report and the exit code.
    pub fn check(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let code = out.status.code().unwrap();
        assert!(code != 2, "could not decide: {}", stderr(&out));
        let report = serde_json::from_str(&stdout(&out)).unwrap();
        schemas::validate(schemas::Kind::Check, &report);
        (code, report)
    }
}

/// An approving review of `commit` by a person.
pub fn approve(login: &str, id: u64, commit: &str) -> Value {
    github::review(
        id,
        github::user(login, id, "User"),
        "APPROVED",
        commit,
        "2026-01-02T12:00:00Z",
    )
}

/// A review of `commit` by a person, in any state.
pub fn review(login: &str, id: u64, state: &str, commit: &str) -> Value {
    github::review(
        id,
        github::user(login, id, "User"),
        state,
        commit,
        "2026-01-02T12:00:00Z",
    )
}
