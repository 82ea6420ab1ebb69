//! `plangate check` in GitLab CI, end to end: the real git, a plan made by
//! the real terraform (testdata/attribution/carry-push-deletes: step 1
//! replaces the database, step 2, an agent's commit, deletes the cache), and
//! a local server speaking GitLab's REST API as its documentation describes
//! it (doc/api/merge_requests.md: the merge request and its `versions`,
//! newest first; doc/api/merge_request_approvals.md: `approved_by[]` with
//! `user` and `approved_at`; doc/api/rest: `PRIVATE-TOKEN`, `Link`
//! pagination, 401/403, 429 with `Retry-After`).
//!
//! The range comes from the merge request pipeline's predefined variables
//! (`CI_MERGE_REQUEST_IID`, `CI_MERGE_REQUEST_DIFF_BASE_SHA`, `CI_COMMIT_SHA`)
//! or a branch pipeline's (`CI_COMMIT_BEFORE_SHA`).

mod common;

use std::process::{Command, Output};

use common::cases;
use common::github::{MockGitHub as MockServer, Reply};
use common::{stderr, stdout};
use serde_json::{Value, json};

const CASE: &str = "carry-push-deletes";
const TOKEN: &str = "glpat-plangateTestToken0123456789";
const MR: &str = "/api/v4/projects/42/merge_requests/12";
/// When the pushes of steps 1 and 2 made the merge request's versions.
const PUSHED_1: &str = "2026-01-02T10:00:00.000Z";
const PUSHED_2: &str = "2026-01-02T12:00:00.250Z";

const ANY_DESTROY: &str = "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n";

/// Merge request !12 of project 42, from step 0 to step 2, opened by dave.
struct Pipeline {
    repo: common::repo::TestRepo,
    steps: Vec<String>,
    gitlab: MockServer,
    dir: tempfile::TempDir,
}

fn user(login: &str, id: u64) -> Value {
    json!({"id": id, "username": login, "name": login, "state": "active",
           "avatar_url": "https://gitlab.example/avatar.png",
           "web_url": format!("https://gitlab.example/{login}")})
}

fn approval(login: &str, id: u64, at: &str) -> Value {
    json!({"user": user(login, id), "approved_at": at})
}

impl Pipeline {
    fn new() -> Pipeline {
        let (repo, steps) = cases::build(CASE);
        let gitlab = MockServer::start();
        let p = Pipeline {
            repo,
            steps,
            gitlab,
            dir: tempfile::tempdir().unwrap(),
        };
        p.gitlab.route(
            MR,
            vec![Reply::json(
                200,
                json!({"id": 1012, "iid": 12, "project_id": 42, "title": "Drop the cache",
                   "description": "Tidying up.", "state": "opened",
                   "author": user("dave", 40), "source_branch": "feature",
                   "target_branch": "main", "sha": p.steps[2]}),
            )],
        );
        p.versions(vec![
            json!({"id": 2, "head_commit_sha": p.steps[2], "base_commit_sha": p.steps[0],
                   "start_commit_sha": p.steps[0], "created_at": PUSHED_2,
                   "merge_request_id": 1012, "state": "collected", "real_size": "1"}),
            json!({"id": 1, "head_commit_sha": p.steps[1], "base_commit_sha": p.steps[0],
                   "start_commit_sha": p.steps[0], "created_at": PUSHED_1,
                   "merge_request_id": 1012, "state": "collected", "real_size": "1"}),
        ]);
        p.approvals(vec![]);
        p
    }

    fn versions(&self, list: Vec<Value>) {
        self.gitlab.route(
            &format!("{MR}/versions"),
            vec![Reply::json(200, json!(list))],
        );
    }

    fn approvals(&self, list: Vec<Value>) {
        self.gitlab.route(
            &format!("{MR}/approvals"),
            vec![Reply::json(
                200,
                json!({"id": 1012, "iid": 12, "project_id": 42, "approvals_required": 1,
                       "approvals_left": 1, "approved_by": list}),
            )],
        );
    }

    /// `plangate check` in the merge request pipeline, with the policy.
    fn check(&self, extra: &[(&str, &str)]) -> Output {
        self.check_with(extra, &[])
    }

    fn check_with(&self, extra: &[(&str, &str)], args: &[&str]) -> Output {
        let config = self.dir.path().join("policy.hcl");
        std::fs::write(&config, ANY_DESTROY).unwrap();
        let api = format!("{}/api/v4", self.gitlab.url());
        let mut cmd = plangate(self.repo.path());
        cmd.envs([
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", self.steps[0].as_str()),
            ("CI_COMMIT_SHA", self.steps[2].as_str()),
            ("CI_API_V4_URL", api.as_str()),
            ("CI_PROJECT_ID", "42"),
            ("PLANGATE_GITLAB_TOKEN", TOKEN),
            ("PLANGATE_HTTP_BACKOFF_MS", "1"),
        ])
        .envs(extra.iter().copied())
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .args(args)
        .arg(cases::case_dir(CASE).join("plan.json"));
        let out = cmd.output().unwrap();
        assert!(
            !stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN),
            "the token leaked"
        );
        out
    }

    fn report(&self) -> (i32, Value) {
        let out = self.check(&[]);
        let code = out.status.code().unwrap();
        assert_ne!(code, 2, "{}", stderr(&out));
        common::schemas::validate_text(&stdout(&out));
        (code, serde_json::from_str(&stdout(&out)).unwrap())
    }
}

fn plangate(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF")
        .env_remove("PLANGATE_GITLAB_TOKEN")
        .env_remove("CI_JOB_TOKEN")
        .env("GITLAB_CI", "true");
    cmd
}

fn finding<'a>(report: &'a Value, rule: &str, address: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["address"] == address)
        .unwrap_or_else(|| panic!("no {rule} finding of {address} in {report}"))
}

fn ignored_why<'a>(f: &'a Value, user: &str) -> &'a str {
    f["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .and_then(|i| i["why"].as_str())
        .unwrap_or_else(|| panic!("{user}'s approval is not named in {f}"))
}

#[test]
fn an_approval_given_on_the_head_counts() {
    let p = Pipeline::new();
    p.approvals(vec![approval("carol", 41, "2026-01-02T12:30:00Z")]);
    let (code, report) = p.report();
    let cache = finding(&report, "any-destroy", "terraform_data.cache");
    assert_eq!(
        cache["approval"]["approved_by"],
        json!(["carol"]),
        "{report}"
    );
    assert_eq!(
        report["approvals"],
        json!({"kind": "gitlab", "merge_request": 12})
    );
    assert_eq!(report["range"]["source"]["kind"], "merge-request");
    assert_eq!(report["range"]["base"], p.steps[0].as_str());
    // One approval satisfies the rules that need one; the verdict follows them.
    let blocked = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "blocked");
    assert_eq!(code, i32::from(blocked), "{report}");
    // The token went in GitLab's header, to GitLab only.
    let requests = p.gitlab.requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.header("private-token") == Some(TOKEN)),
        "{requests:?}"
    );
}

#[test]
fn an_approval_before_the_last_push_does_not_count() {
    let p = Pipeline::new();
    // Between the two pushes: carol saw step 1, not the cache's delete.
    p.approvals(vec![approval("carol", 41, "2026-01-02T11:00:00+00:00")]);
    let (code, report) = p.report();
    assert_eq!(code, 1, "{report}");
    let cache = finding(&report, "any-destroy", "terraform_data.cache");
    assert_eq!(cache["status"], "blocked");
    let why = ignored_why(cache, "carol");
    assert!(
        why.contains(&p.steps[1][..7]) && why.contains("not the head checked"),
        "{why}"
    );
}

#[test]
fn the_merge_request_author_and_a_commit_author_cannot_approve() {
    let p = Pipeline::new();
    p.approvals(vec![
        approval("dave", 40, "2026-01-02T13:00:00Z"),
        // alice@example.com wrote the commits; GitLab does not link them to
        // an account, so a username that is her address's is hers.
        approval("alice", 43, "2026-01-02T13:00:00Z"),
        approval("project_42_bot_1a2b3c", 44, "2026-01-02T13:00:00Z"),
    ]);
    let (code, report) = p.report();
    assert_eq!(code, 1, "{report}");
    let cache = finding(&report, "any-destroy", "terraform_data.cache");
    assert_eq!(ignored_why(cache, "dave"), "opened the pull request");
    assert!(
        ignored_why(cache, "alice").contains("alice@example.com"),
        "{cache}"
    );
    assert!(
        ignored_why(cache, "project_42_bot_1a2b3c").contains("Bot account"),
        "{cache}"
    );
}

#[test]
fn approvals_without_their_time_cannot_be_judged() {
    let p = Pipeline::new();
    // Before GitLab gave `approved_at`: who approved, not when.
    p.approvals(vec![json!({"user": user("carol", 41)})]);
    let out = p.check(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("plangate::approvals::gitlab_approvals") && text.contains("approved_at"),
        "{text}"
    );
}

#[test]
fn versions_that_do_not_reach_the_head_cannot_be_judged() {
    let p = Pipeline::new();
    p.approvals(vec![approval("carol", 41, "2026-01-02T12:30:00Z")]);
    p.versions(vec![
        json!({"id": 1, "head_commit_sha": p.steps[1], "created_at": PUSHED_1}),
    ]);
    let out = p.check(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("has not yet recorded the last push"));
}

#[test]
fn versions_are_read_to_their_last_page() {
    let p = Pipeline::new();
    p.approvals(vec![approval("carol", 41, "2026-01-02T11:00:00Z")]);
    let page2 = format!("{MR}/versions?per_page=100&page=2");
    p.gitlab.route(
        &format!("{MR}/versions"),
        vec![
            Reply::json(
                200,
                json!([{"id": 2, "head_commit_sha": p.steps[2], "created_at": PUSHED_2}]),
            )
            .with_link(Some(&page2), Some(&page2)),
        ],
    );
    p.gitlab.route(
        &page2,
        vec![
            Reply::json(
                200,
                json!([{"id": 1, "head_commit_sha": p.steps[1], "created_at": PUSHED_1}]),
            )
            .with_link(None, None),
        ],
    );
    let (_, report) = p.report();
    // Placed on step 1 only because the second page was read.
    let why = ignored_why(
        finding(&report, "any-destroy", "terraform_data.cache"),
        "carol",
    );
    assert!(why.contains(&p.steps[1][..7]), "{why}");
}

#[test]
fn the_api_is_retried_and_its_refusals_are_exit_2() {
    let p = Pipeline::new();
    p.approvals(vec![approval("carol", 41, "2026-01-02T12:30:00Z")]);
    // Rate limited (plain text, as GitLab says it), then a server error, then the answer.
    let ok = p.gitlab.requests().len();
    let approvals = json!({"approved_by": [approval("carol", 41, "2026-01-02T12:30:00Z")]});
    p.gitlab.route(
        &format!("{MR}/approvals"),
        vec![
            Reply::raw(429, "Retry later").with_header("Retry-After", "0"),
            Reply::raw(502, "<html>Bad Gateway</html>"),
            Reply::json(200, approvals),
        ],
    );
    let (_, report) = p.report();
    assert_eq!(
        finding(&report, "any-destroy", "terraform_data.cache")["approval"]["approved_by"],
        json!(["carol"])
    );
    assert!(p.gitlab.requests().len() > ok + 2);
    for (reply, code) in [
        (
            Reply::json(401, json!({"message": "401 Unauthorized"})),
            "plangate::approvals::unauthorized",
        ),
        (
            Reply::json(403, json!({"message": "403 Forbidden"})),
            "plangate::approvals::unauthorized",
        ),
        (
            Reply::raw(200, "{\"approved_by\": "),
            "plangate::approvals::malformed",
        ),
        (Reply::raw(503, "down"), "plangate::approvals::unreachable"),
    ] {
        p.gitlab.route(&format!("{MR}/approvals"), vec![reply]);
        let out = p.check(&[]);
        assert_eq!(out.status.code(), Some(2), "{code}");
        assert!(stdout(&out).contains(code), "{code}: {}", stdout(&out));
        assert!(stderr(&out).contains("GitLab"), "{}", stderr(&out));
    }
}

#[test]
fn without_a_token_the_job_token_is_not_enough() {
    let p = Pipeline::new();
    let out = p.check(&[("PLANGATE_GITLAB_TOKEN", ""), ("CI_JOB_TOKEN", "job-token")]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("plangate::approvals::gitlab_token")
            && text.contains("job token cannot read approvals")
            && text.contains("read_api"),
        "{text}"
    );
}

#[test]
fn a_branch_pipeline_checks_the_push() {
    let (repo, steps) = cases::build(CASE);
    let out = plangate(repo.path())
        .envs([
            ("CI_COMMIT_BEFORE_SHA", steps[1].as_str()),
            ("CI_COMMIT_SHA", steps[2].as_str()),
        ])
        .args(["check", "--format", "json"])
        .arg(cases::case_dir(CASE).join("plan.json"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    common::schemas::validate_text(&stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["range"]["base"], steps[1].as_str());
    assert_eq!(report["range"]["source"]["kind"], "push");
    // No merge request: no approvals, so what needs one blocks.
    assert_eq!(report["approvals"]["kind"], "none");
}

#[test]
fn a_shallow_clone_without_the_diff_base_says_to_set_git_depth() {
    let p = Pipeline::new();
    // As a GitLab runner fetches with GIT_DEPTH: the newest commit only.
    let clone = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", p.repo.path().display()))
        .arg(clone.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = plangate(clone.path())
        .envs([
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", p.steps[0].as_str()),
            ("CI_COMMIT_SHA", p.steps[2].as_str()),
        ])
        .args(["check", "--format", "json"])
        .arg(cases::case_dir(CASE).join("plan.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("plangate::git::shallow") && text.contains("GIT_DEPTH: 0"),
        "{text}"
    );
}

#[test]
fn a_merge_request_pipeline_without_its_diff_base_is_an_error() {
    let p = Pipeline::new();
    let out = plangate(p.repo.path())
        .envs([
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_COMMIT_SHA", p.steps[2].as_str()),
        ])
        .args(["check", "--format", "json"])
        .arg(cases::case_dir(CASE).join("plan.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
}

#[test]
fn comment_keeps_one_merge_request_note() {
    let p = Pipeline::new();
    let notes = format!("{MR}/notes");
    p.gitlab.route(
        &notes,
        vec![Reply::json(
            200,
            json!([{"id": 5, "body": "LGTM", "author": user("erin", 45)}]),
        )],
    );
    p.gitlab.route_method(
        "POST",
        &notes,
        vec![Reply::json(201, json!({"id": 6, "body": "…"}))],
    );
    let out = p.check_with(&[], &["--comment"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let posted: Vec<_> = p
        .gitlab
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posted.len(), 1, "{posted:?}");
    let body: Value = serde_json::from_str(&posted[0].body).unwrap();
    let text = body["body"].as_str().unwrap();
    assert!(
        text.starts_with("<!-- plangate:report -->") && text.contains("terraform_data.cache"),
        "{text}"
    );
    // The next run finds its note and edits it in place.
    p.gitlab.route(
        &notes,
        vec![Reply::json(
            200,
            json!([{"id": 5, "body": "LGTM"}, {"id": 6, "body": text}]),
        )],
    );
    p.gitlab.route_method(
        "PUT",
        &format!("{notes}/6"),
        vec![Reply::json(200, json!({"id": 6}))],
    );
    let out = p.check_with(&[], &["--comment"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let methods: Vec<String> = p
        .gitlab
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        methods,
        [format!("POST {notes}"), format!("PUT {notes}/6")],
        "one note, created once"
    );
    // A note that cannot be written is said, and does not change the verdict.
    p.gitlab.route_method(
        "PUT",
        &format!("{notes}/6"),
        vec![Reply::json(403, json!({"message": "403 Forbidden"}))],
    );
    let out = p.check_with(&[], &["--comment"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`api` scope"), "{}", stderr(&out));
}

#[test]
fn a_rule_naming_a_group_asks_gitlab_who_is_in_it() {
    let p = Pipeline::new();
    let config = p.dir.path().join("group.hcl");
    std::fs::write(
        &config,
        "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    \
         actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n    \
         from = [\"@acme/platform/sre\"]\n  }\n}\n",
    )
    .unwrap();
    p.approvals(vec![
        approval("carol", 41, "2026-01-02T12:30:00Z"),
        approval("frank", 46, "2026-01-02T12:30:00Z"),
    ]);
    for (login, id) in [("carol", 41), ("frank", 46)] {
        p.gitlab.route(
            &format!("/api/v4/users?username={login}&per_page=100"),
            vec![Reply::json(200, json!([user(login, id)]))],
        );
    }
    // carol is in the subgroup (through a parent group); frank is not.
    p.gitlab.route(
        "/api/v4/groups/acme%2Fplatform%2Fsre/members/all/41",
        vec![Reply::json(
            200,
            json!({"id": 41, "username": "carol", "state": "active", "access_level": 30}),
        )],
    );
    p.gitlab.route(
        "/api/v4/groups/acme%2Fplatform%2Fsre/members/all/46",
        vec![Reply::json(404, json!({"message": "404 Not found"}))],
    );
    let api = format!("{}/api/v4", p.gitlab.url());
    let out = plangate(p.repo.path())
        .envs([
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", p.steps[0].as_str()),
            ("CI_COMMIT_SHA", p.steps[2].as_str()),
            ("CI_API_V4_URL", api.as_str()),
            ("CI_PROJECT_ID", "42"),
            ("PLANGATE_GITLAB_TOKEN", TOKEN),
        ])
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .arg(cases::case_dir(CASE).join("plan.json"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    common::schemas::validate_text(&stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cache = finding(&report, "any-destroy", "terraform_data.cache");
    assert_eq!(
        cache["approval"]["approved_by"],
        json!(["carol"]),
        "{cache}"
    );
    assert!(ignored_why(cache, "frank").contains("@acme/platform/sre"));
}
