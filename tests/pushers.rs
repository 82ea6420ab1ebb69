//! Who pushed, end to end: a history rebuilt with the real git, a plan made
//! by the real terraform, and the local server speaking the GitHub REST API,
//! whose repository activity says who pushed each commit to the head branch.
//! A reviewer who pushed a commit a finding is attributed to does not count;
//! nor, on an agent-written change, does the last pusher of the head.

mod common;

use common::gate::{ACTIVITY, Gate, ZERO, approve};
use common::github::{self, Reply};
use common::{flat, stderr, stdout};
use serde_json::{Value, json};

/// "rebased-range": steps[1] is the agent's commit that deletes the peering,
/// steps[2] (the head) a human's commit after it.
const CASE: &str = "rebased-range";
/// The activity as plangate asks for it, and its second page.
const FIRST: &str = "/repos/acme/infra/activity?ref=refs/heads/feature&per_page=100";
const SECOND: &str = "/repos/acme/infra/activity?ref=refs/heads/feature&per_page=100&page=2";

fn user(login: &str, id: u64) -> Value {
    github::user(login, id, "User")
}

/// The agent's commit, and the head.
fn shas(g: &Gate) -> (String, String) {
    (g.steps[1].clone(), g.head().to_owned())
}

fn short(sha: &str) -> &str {
    &sha[..7]
}

fn finding(report: &Value) -> &Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "blocked" || f["status"] == "approved")
        .unwrap_or_else(|| panic!("no finding that needs approval in {report}"))
}

fn ignored_why(report: &Value, user: &str) -> String {
    finding(report)["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .map(|i| i["why"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// `op` created the branch with the agent's commit; dave pushed the head.
fn op_pushed_the_agents_commit(g: &Gate) -> Vec<Value> {
    let (agent, head) = shas(g);
    vec![
        github::activity(2, "push", &agent, &head, user("dave", 40)),
        github::activity(1, "branch_creation", ZERO, &agent, user("op", 50)),
    ]
}

/// Exit 2 with a message that says each of `says`.
#[track_caller]
fn assert_refuses(g: &Gate, says: &[&str]) {
    let out = g.run(&["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let message = flat(&stderr(&out));
    for s in says {
        assert!(message.contains(s), "{s:?} not in: {}", stderr(&out));
    }
}

#[test]
fn a_reviewer_who_pushed_the_agents_commit_does_not_count_and_another_does() {
    let g = Gate::new(CASE);
    let (agent, _) = shas(&g);
    g.pushes(op_pushed_the_agents_commit(&g));
    g.reviews(vec![approve("op", 50, g.head())]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report)["authored_by"], "agent");
    assert_eq!(
        ignored_why(&report, "op"),
        format!(
            "pushed {}, which the finding is attributed to",
            short(&agent)
        )
    );
    // Known by account id after a rename, too.
    g.reviews(vec![approve("op-renamed", 50, g.head())]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert!(ignored_why(&report, "op-renamed").ends_with("(same GitHub account id 50)"));
    // Another reviewer counts.
    g.reviews(vec![
        approve("op", 50, g.head()),
        approve("carol", 41, g.head()),
    ]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        finding(&report)["approval"]["approved_by"],
        json!(["carol"])
    );
}

#[test]
fn the_last_pusher_of_an_agent_written_change_does_not_count() {
    let g = Gate::new(CASE);
    let (agent, head) = shas(&g);
    g.pushes(vec![
        github::activity(2, "push", &agent, &head, user("Lena", 52)),
        github::activity(1, "branch_creation", ZERO, &agent, user("dave", 40)),
    ]);
    g.reviews(vec![approve("lena", 52, &head)]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        ignored_why(&report, "lena"),
        format!(
            "pushed the head {} last: GitHub's rule bans the last pusher's approval",
            short(&head)
        )
    );
    g.reviews(vec![
        approve("lena", 52, &head),
        approve("carol", 41, &head),
    ]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn activity_on_two_pages_is_read_to_the_end_and_twice() {
    let g = Gate::new(CASE);
    let (agent, _) = shas(&g);
    let pushes = op_pushed_the_agents_commit(&g);
    g.gh.route(
        FIRST,
        vec![Reply::json(200, json!([pushes[0]])).with_link(Some(SECOND), Some(SECOND))],
    );
    g.gh.route(SECOND, vec![Reply::json(200, json!([pushes[1]]))]);
    g.reviews(vec![approve("op", 50, g.head())]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        ignored_why(&report, "op"),
        format!(
            "pushed {}, which the finding is attributed to",
            short(&agent)
        )
    );
    let hits = |p: &str| g.gh.requests().iter().filter(|r| r.path == p).count();
    assert_eq!(
        (hits(FIRST), hits(SECOND)),
        (2, 2),
        "two readings that agree"
    );
}

#[test]
fn activity_that_changes_between_readings_is_exit_2() {
    let g = Gate::new(CASE);
    let (agent, head) = shas(&g);
    let first = |n: u64| {
        let entry = github::activity(10 + n, "push", &agent, &head, user("dave", 40));
        Reply::json(200, json!([entry])).with_link(Some(SECOND), Some(SECOND))
    };
    g.gh.route(FIRST, (0..20).map(first).collect());
    let creation = github::activity(1, "branch_creation", ZERO, &agent, user("op", 50));
    g.gh.route(SECOND, vec![Reply::json(200, json!([creation]))]);
    g.reviews(vec![approve("carol", 41, g.head())]);
    assert_refuses(
        &g,
        &[
            "pagination for /repos/acme/infra/activity?ref=refs/heads/feature",
            "changed while being read",
        ],
    );
}

#[test]
fn a_token_that_may_not_read_the_activity_is_exit_2_naming_the_permission() {
    let g = Gate::new(CASE);
    g.reviews(vec![approve("carol", 41, g.head())]);
    for status in [403, 404] {
        g.gh.route(
            ACTIVITY,
            vec![github::error(
                status,
                "Resource not accessible by integration",
            )],
        );
        assert_refuses(
            &g,
            &[
                &format!("GitHub rejected the token ({status})"),
                "/repos/acme/infra/activity",
                "reading who pushed the pull request's commits",
                "`permissions: contents: read`",
            ],
        );
    }
}

#[test]
fn a_server_error_then_success_decides() {
    let g = Gate::new(CASE);
    g.reviews(vec![approve("op", 50, g.head())]);
    let ok = Reply::json(200, Value::Array(op_pushed_the_agents_commit(&g)));
    g.gh.route(
        ACTIVITY,
        vec![
            github::error(502, "Server Error"),
            Reply::json(429, json!({"message": "slow down"})),
            ok,
        ],
    );
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        ignored_why(&report, "op").starts_with("pushed "),
        "{report}"
    );
    // A storm beyond the retries is exit 2.
    g.gh.route(ACTIVITY, vec![github::error(503, "Unavailable")]);
    assert_refuses(&g, &["could not be reached", "/repos/acme/infra/activity"]);
}

#[test]
fn a_malformed_activity_is_exit_2() {
    let g = Gate::new(CASE);
    g.reviews(vec![approve("carol", 41, g.head())]);
    let mut entry = op_pushed_the_agents_commit(&g).remove(0);
    entry.as_object_mut().unwrap().remove("actor");
    g.pushes(vec![entry]);
    assert_refuses(&g, &["/repos/acme/infra/activity", "has no `actor`"]);
    g.gh.route(ACTIVITY, vec![Reply::json(200, json!({"not": "a list"}))]);
    assert_refuses(&g, &["/repos/acme/infra/activity", "not a JSON array"]);
}

#[test]
fn a_commit_no_push_explains_costs_one_more_approval_with_a_note() {
    let g = Gate::new(CASE);
    let (agent, head) = shas(&g);
    // Only the head's push is listed: who pushed the agent's commit is unknown.
    g.pushes(vec![github::activity(
        2,
        "push",
        &agent,
        &head,
        user("dave", 40),
    )]);
    g.reviews(vec![approve("carol", 41, &head)]);
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report)["approval"]["required"], 2, "{report}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains(&format!(
            "no push in the activity of refs/heads/feature introduced {}",
            short(&agent)
        )),
        "{notes}"
    );
    g.reviews(vec![
        approve("carol", 41, &head),
        approve("erin", 44, &head),
    ]);
    assert_eq!(g.check(&[]).0, 0);
}

#[test]
fn a_reviews_file_may_carry_the_pushes_and_without_them_says_so() {
    let g = Gate::new(CASE);
    let (agent, _) = shas(&g);
    let event = g.file("event.json").display().to_string();
    let file = g.file("reviews.json");
    let args = ["--approvals", file.to_str().unwrap(), "--event", &event];
    let reviews = json!([approve("op", 50, g.head()), approve("carol", 41, g.head())]);
    std::fs::write(
        &file,
        json!({"reviews": reviews, "pushes": op_pushed_the_agents_commit(&g)}).to_string(),
    )
    .unwrap();
    let (code, report) = g.check(&args);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        ignored_why(&report, "op"),
        format!(
            "pushed {}, which the finding is attributed to",
            short(&agent)
        )
    );
    // Pushes with an event that does not name the head branch cannot be
    // placed: exit 2, not a guess.
    let mut bare: Value = serde_json::from_str(&std::fs::read_to_string(&event).unwrap()).unwrap();
    bare["pull_request"]["head"]
        .as_object_mut()
        .unwrap()
        .remove("ref");
    let bare_event = g.file("event-no-ref.json");
    std::fs::write(&bare_event, bare.to_string()).unwrap();
    let out = g.run(&[
        "--format",
        "json",
        "--approvals",
        file.to_str().unwrap(),
        "--event",
        bare_event.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        flat(&stderr(&out)).contains("has no `head.ref`"),
        "{}",
        stderr(&out)
    );
    // A plain array of reviews: pushers are not checked, and the report says so.
    std::fs::write(&file, reviews.to_string()).unwrap();
    let (code, report) = g.check(&args);
    assert_eq!(code, 0, "{report}");
    assert_eq!(ignored_why(&report, "op"), "");
    assert!(
        report["notes"]
            .to_string()
            .contains("has no `pushes`: who pushed the commits was not checked"),
        "{}",
        report["notes"]
    );
    // Offline means offline.
    assert!(g.gh.requests().is_empty());
}
