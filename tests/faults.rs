//! Fault injection against the GitHub client: the real `plangate check` on
//! pull request #7 of acme/infra (an agent-written destroy that needs one
//! approval), against the local GitHub stand-in misbehaving in every way we
//! could think of. Each case ends in the right decision or in exit 2 with a
//! message that names the problem; never in a pass that did not see every
//! review. Where a fault, had it been ignored, would change the verdict, the
//! case is built so that ignoring it shows: the approval sits in the faulty
//! reply, or a later "changes requested" sits behind it.

mod common;

use std::time::Duration;

use common::gate::{Gate, PULLS, TOKEN, approve, review};
use common::github::{self, MockGitHub, Reply};
use common::{flat, stderr, stdout};
use serde_json::{Value, json};

/// Per-request timeout for cases that do not test it: ample for a local
/// server on a busy machine, short enough that a hang fails the test quickly.
const TIMEOUT_MS: &str = "5000";
/// Per-request timeout for cases that provoke timeouts.
const SHORT_TIMEOUT_MS: &str = "300";
/// A delay no request waits out: the server is dropped first.
const FOREVER: Duration = Duration::from_secs(120);
const MEMBERSHIP: &str = "/orgs/acme/teams/dba/memberships/carol";
const COMMENTS: &str = "/repos/acme/infra/issues/7/comments";

fn reviews_path() -> String {
    format!("{PULLS}/reviews?per_page=100")
}

/// Page `n` (from 2) of the reviews, as a `Link` names it.
fn page(n: u32) -> String {
    format!("{PULLS}/reviews?per_page=100&page={n}")
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// `plangate check --format json ARGS PLAN` in GitHub Actions on the pull
/// request, with the retry backoff at 1 ms and the request timeout given.
fn check_with(g: &Gate, timeout_ms: &str, args: &[&str]) -> Run {
    let out = g
        .plangate()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(&g.plan)
        .env("PLANGATE_HTTP_TIMEOUT_MS", timeout_ms)
        .output()
        .expect("plangate runs");
    let run = Run {
        code: out.status.code().expect("an exit code, not a signal"),
        out: stdout(&out),
        err: stderr(&out),
    };
    assert!(
        !run.out.contains(TOKEN) && !run.err.contains(TOKEN),
        "the token leaked"
    );
    assert!(!run.err.contains("panicked"), "{}", run.err);
    run
}

fn check(g: &Gate, args: &[&str]) -> Run {
    check_with(g, TIMEOUT_MS, args)
}

/// A decision: `code` (0 pass, 1 blocked) and the JSON report that agrees.
#[track_caller]
fn assert_decides(run: &Run, code: i32) -> Value {
    assert_eq!(run.code, code, "stderr: {}\nstdout: {}", run.err, run.out);
    // The report, then any workflow commands (a warning about the comment).
    let report: Value = serde_json::Deserializer::from_str(&run.out)
        .into_iter()
        .next()
        .expect("a report")
        .expect("a JSON report");
    assert_eq!(report["result"], if code == 0 { "pass" } else { "fail" });
    common::schemas::validate(common::schemas::Kind::Check, &report);
    report
}

/// Exit 2, no report, and a message that says each of `says`.
#[track_caller]
fn assert_refuses(run: &Run, says: &[&str]) {
    assert_eq!(run.code, 2, "stderr: {}\nstdout: {}", run.err, run.out);
    // No report: with --format json, one error document and nothing else.
    if !run.out.is_empty() {
        let doc: Value = serde_json::from_str(&run.out)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", run.out));
        assert_eq!(
            doc["result"], "error",
            "a report despite exit 2: {}",
            run.out
        );
        assert!(
            doc.get("findings").is_none(),
            "a report despite exit 2: {}",
            run.out
        );
        common::schemas::validate(common::schemas::Kind::Error, &doc);
        assert!(!run.out.contains("ghs_"), "the token leaked: {}", run.out);
    }
    let message = flat(&run.err);
    for s in says {
        assert!(message.contains(s), "{s:?} not in: {}", run.err);
    }
}

/// Requests to exactly `path_and_query` so far.
fn hits(gh: &MockGitHub, path_and_query: &str) -> usize {
    gh.requests()
        .iter()
        .filter(|r| r.path == path_and_query)
        .count()
}

/// Carol's review after her approval (review 41), asking for changes.
fn changes_requested(g: &Gate) -> Value {
    github::review(
        70,
        github::user("carol", 41, "User"),
        "CHANGES_REQUESTED",
        g.head(),
        "2026-01-02T13:00:00Z",
    )
}

fn approved(g: &Gate) -> Reply {
    Reply::json(200, json!([approve("carol", 41, g.head())]))
}

/// Why an approval by `user` did not count.
fn ignored_why(report: &Value, user: &str) -> String {
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "agent-destroy")
        .expect("an agent-destroy finding");
    finding["approval"]["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == user)
        .map(|i| i["why"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

// ---- Timeouts ----------------------------------------------------------------

#[test]
fn a_reply_slower_than_the_timeout_is_retried_then_exit_2_naming_the_path() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(&reviews_path(), vec![approved(&g).delay(FOREVER)]);
    let run = check_with(&g, SHORT_TIMEOUT_MS, &[]);
    assert_refuses(
        &run,
        &[
            "could not be reached for /repos/acme/infra/pulls/7/reviews",
            "after 4 attempt(s)",
            "timeout",
        ],
    );
    assert_eq!(hits(&g.gh, &reviews_path()), 4, "every attempt timed out");
}

#[test]
fn one_timeout_is_retried_and_the_next_answer_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).delay(FOREVER), approved(&g)],
    );
    assert_decides(&check_with(&g, SHORT_TIMEOUT_MS, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 2);
}

#[test]
fn a_slow_answer_within_the_timeout_decides() {
    let g = Gate::new("agent-deletes-block");
    let slow = Duration::from_millis(400);
    g.gh.route(&reviews_path(), vec![approved(&g).delay(slow)]);
    g.gh.route(PULLS, vec![pr_reply(&g, g.head()).delay(slow)]);
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 1, "no retry was needed");
}

#[test]
fn a_body_that_drips_past_the_timeout_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    // Over a kilobyte in 16-byte pieces 50 ms apart: never silent for long,
    // but more than 3 s in all.
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).drip(Duration::from_millis(50))],
    );
    let run = check_with(&g, SHORT_TIMEOUT_MS, &[]);
    assert_refuses(
        &run,
        &["could not be reached for /repos/acme/infra/pulls/7/reviews"],
    );
    // Dripping fast enough, the same answer decides.
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).drip(Duration::from_millis(1))],
    );
    assert_decides(&check(&g, &[]), 0);
}

#[test]
fn a_head_whose_body_never_comes_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(&reviews_path(), vec![approved(&g).stalled()]);
    let run = check_with(&g, SHORT_TIMEOUT_MS, &[]);
    assert_refuses(
        &run,
        &[
            "could not be reached for /repos/acme/infra/pulls/7/reviews",
            "timeout",
        ],
    );
    g.gh.route(&reviews_path(), vec![approved(&g).stalled(), approved(&g)]);
    assert_decides(&check_with(&g, SHORT_TIMEOUT_MS, &[]), 0);
}

// ---- Connection resets -----------------------------------------------------------

#[test]
fn a_reset_once_on_any_endpoint_is_retried_and_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(&reviews_path(), vec![Reply::reset(), approved(&g)]);
    g.gh.route(PULLS, vec![Reply::reset(), pr_reply(&g, g.head())]);
    g.gh.route(
        &format!("{PULLS}/commits?per_page=100"),
        vec![Reply::hangup(), Reply::json(200, json!([]))],
    );
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 2);
    assert_eq!(hits(&g.gh, PULLS), 2);
}

#[test]
fn resets_that_persist_are_exit_2_naming_the_path() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(&reviews_path(), vec![Reply::reset()]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7/reviews after 4 attempt(s)"],
    );
    g.gh.route(&reviews_path(), vec![Reply::hangup()]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7/reviews"],
    );
    g.gh.route(&reviews_path(), vec![approved(&g)]);
    g.gh.route(PULLS, vec![Reply::reset()]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7 after 4 attempt(s)"],
    );
}

fn pr_reply(g: &Gate, head: &str) -> Reply {
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &g.steps[0],
        head,
        "feature",
    );
    Reply::json(200, pr)
}

// ---- 5xx storms ----------------------------------------------------------------

#[test]
fn a_server_error_storm_within_the_retry_budget_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![
            github::error(502, "Bad Gateway"),
            github::error(503, "Service Unavailable"),
            Reply::raw(502, "<html><body>upstream connect error</body></html>")
                .with_header("Content-Type", "text/html"),
            approved(&g),
        ],
    );
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 4);
}

#[test]
fn a_server_error_storm_beyond_the_retry_budget_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    let storm = |n: usize| -> Vec<Reply> {
        let mut replies: Vec<Reply> = (0..n)
            .map(|i| match i % 2 {
                0 => github::error(502, "Bad Gateway"),
                _ => github::error(503, "Service Unavailable"),
            })
            .collect();
        replies.push(approved(&g));
        replies
    };
    g.gh.route(&reviews_path(), storm(4));
    assert_refuses(
        &check(&g, &[]),
        &[
            "could not be reached for /repos/acme/infra/pulls/7/reviews after 4 attempt(s)",
            "HTTP 503",
        ],
    );
    // The same on the second page: the first page's approval does not pass
    // alone, though the second page (with carol's later "changes requested")
    // never came.
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).with_link(Some(&page(2)), Some(&page(2)))],
    );
    let mut second = storm(4);
    second.pop();
    second.push(Reply::json(200, json!([changes_requested(&g)])));
    g.gh.route(&page(2), second);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7/reviews after 4 attempt(s)"],
    );
}

// ---- Rate limits -------------------------------------------------------------------

#[test]
fn a_429_with_a_small_retry_after_waits_and_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![
            github::error(429, "Too Many Requests").with_header("Retry-After", "1"),
            approved(&g),
        ],
    );
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 2);
}

#[test]
fn a_429_with_a_huge_retry_after_is_exit_2_without_waiting_for_it() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![
            github::error(429, "Too Many Requests").with_header("Retry-After", "86400"),
            approved(&g),
        ],
    );
    assert_refuses(
        &check(&g, &[]),
        &[
            "could not be reached for /repos/acme/infra/pulls/7/reviews",
            "asks to wait 86400 s",
        ],
    );
    assert_eq!(hits(&g.gh, &reviews_path()), 1, "no retry: it gave up");
}

#[test]
fn a_429_without_retry_after_backs_off_and_retries() {
    let g = Gate::new("agent-deletes-block");
    let limited = || github::error(429, "Too Many Requests");
    g.gh.route(
        &reviews_path(),
        vec![limited(), limited(), limited(), approved(&g)],
    );
    assert_decides(&check(&g, &[]), 0);
    g.gh.route(&reviews_path(), vec![limited()]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached", "after 4 attempt(s)", "HTTP 429"],
    );
}

const SECONDARY: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444.";

#[test]
fn a_403_secondary_rate_limit_with_retry_after_waits_and_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![
            github::error(403, SECONDARY).with_header("Retry-After", "1"),
            approved(&g),
        ],
    );
    assert_decides(&check(&g, &[]), 0);
    g.gh.route(
        &reviews_path(),
        vec![github::error(403, SECONDARY).with_header("Retry-After", "7200")],
    );
    assert_refuses(&check(&g, &[]), &["asks to wait 7200 s"]);
}

#[test]
fn a_403_secondary_rate_limit_without_retry_after_is_a_rate_limit_not_a_bad_token() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![github::error(403, SECONDARY), approved(&g)],
    );
    assert_decides(&check(&g, &[]), 0);
    g.gh.route(&reviews_path(), vec![github::error(403, SECONDARY)]);
    let run = check(&g, &[]);
    assert_refuses(
        &run,
        &[
            "could not be reached for /repos/acme/infra/pulls/7/reviews",
            "secondary rate limit",
        ],
    );
    assert!(!run.err.contains("rejected the token"), "{}", run.err);
}

#[test]
fn a_spent_rate_limit_waits_for_its_reset_or_gives_up_when_it_is_far() {
    let g = Gate::new("agent-deletes-block");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let spent = |status: u16, reset: u64| {
        github::error(status, "API rate limit exceeded for installation ID 1.")
            .with_header("X-RateLimit-Remaining", "0")
            .with_header("X-RateLimit-Reset", &reset.to_string())
    };
    for status in [403, 429] {
        g.gh.route(&reviews_path(), vec![spent(status, now + 1), approved(&g)]);
        assert_decides(&check(&g, &[]), 0);
        let before = hits(&g.gh, &reviews_path());
        g.gh.route(
            &reviews_path(),
            vec![spent(status, now + 3600), approved(&g)],
        );
        assert_refuses(
            &check(&g, &[]),
            &["could not be reached", "GitHub asks to wait"],
        );
        assert_eq!(hits(&g.gh, &reviews_path()), before + 1, "HTTP {status}");
    }
}

// ---- Truncated and malformed bodies --------------------------------------------------

#[test]
fn a_truncated_body_is_retried_then_exit_2() {
    let g = Gate::new("agent-deletes-block");
    let full = json!([approve("carol", 41, g.head())]).to_string();
    g.gh.route(
        &reviews_path(),
        vec![Reply::truncated(200, &full), approved(&g)],
    );
    assert_decides(&check(&g, &[]), 0);
    g.gh.route(&reviews_path(), vec![Reply::truncated(200, &full)]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7/reviews after 4 attempt(s)"],
    );
    // A truncated pull request (its head sha is in the first half) too.
    g.gh.route(&reviews_path(), vec![approved(&g)]);
    let pr = github::pull_request(
        7,
        github::user("dave", 40, "User"),
        &g.steps[0],
        g.head(),
        "f",
    );
    g.gh.route(PULLS, vec![Reply::truncated(200, &pr.to_string())]);
    assert_refuses(
        &check(&g, &[]),
        &["could not be reached for /repos/acme/infra/pulls/7 after"],
    );
}

#[test]
fn bodies_that_are_not_the_documented_json_are_exit_2() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    let without = |key: &str| {
        let mut r = approve("carol", 41, &head);
        r.as_object_mut().unwrap().remove(key);
        Reply::json(200, json!([r]))
    };
    // In each, carol's approval comes first and a later review of hers that
    // plangate cannot read follows: reading around it would pass.
    let later_without = |key: &str| {
        let mut later = changes_requested(&g);
        later.as_object_mut().unwrap().remove(key);
        Reply::json(200, json!([approve("carol", 41, &head), later]))
    };
    let cases: Vec<(&str, Reply, &str)> = vec![
        (
            "HTML",
            Reply::raw(200, "<!DOCTYPE html><html><body>Sign in</body></html>")
                .with_header("Content-Type", "text/html; charset=utf-8"),
            "not what its API documents",
        ),
        (
            "empty",
            Reply::raw(200, "").with_header("Content-Type", "application/json"),
            "not what its API documents",
        ),
        (
            "an object",
            Reply::json(200, json!({"reviews": [approve("carol", 41, &head)]})),
            "not a JSON array",
        ),
        ("null", Reply::json(200, Value::Null), "not a JSON array"),
        (
            "a list of strings",
            Reply::json(200, json!(["APPROVED"])),
            "not what its API documents",
        ),
        ("no user", later_without("user"), "`user`"),
        ("no state", later_without("state"), "`state`"),
        ("no commit_id", later_without("commit_id"), "`commit_id`"),
        ("no id", later_without("id"), "`id`"),
        ("an approval with no user", without("user"), "`user`"),
        (
            // With only one of them, the review is someone's, and approves
            // nothing (tests/pr_signals.rs); with neither, it is nobody's.
            "a user with neither login nor id",
            Reply::json(200, {
                let mut r = approve("carol", 41, &head);
                let user = r["user"].as_object_mut().unwrap();
                user.remove("login");
                user.remove("id");
                json!([r])
            }),
            "`login`",
        ),
        (
            "a numeric state",
            Reply::json(200, {
                let mut r = approve("carol", 41, &head);
                r["state"] = json!(1);
                json!([r])
            }),
            "`state`",
        ),
    ];
    for (what, reply, says) in cases {
        g.gh.route(&reviews_path(), vec![reply]);
        let run = check(&g, &[]);
        assert_eq!(run.code, 2, "{what}: {}", run.err);
        assert_refuses(
            &run,
            &[
                "/repos/acme/infra/pulls/7/reviews",
                "not what its API documents",
                says,
            ],
        );
    }
    // A null user is GitHub's deleted account ("ghost"), not a malformed
    // answer: it decides, and the ghost cannot approve.
    let mut ghost = approve("carol", 41, &head);
    ghost["user"] = Value::Null;
    g.gh.route(&reviews_path(), vec![Reply::json(200, json!([ghost]))]);
    assert_decides(&check(&g, &[]), 1);
    // The commits list and the pull request are held to their shapes too.
    g.gh.route(&reviews_path(), vec![approved(&g)]);
    g.gh.route(
        &format!("{PULLS}/commits?per_page=100"),
        vec![Reply::json(200, json!([{"commit": {}}]))],
    );
    assert_refuses(
        &check(&g, &[]),
        &["/repos/acme/infra/pulls/7/commits", "no `sha`"],
    );
    g.gh.route(
        &format!("{PULLS}/commits?per_page=100"),
        vec![Reply::json(200, json!([]))],
    );
    g.gh.route(
        PULLS,
        vec![Reply::json(
            200,
            json!({"number": 7, "user": {"login": "dave"}}),
        )],
    );
    assert_refuses(&check(&g, &[]), &["/repos/acme/infra/pulls/7", "head.sha"]);
}

#[test]
fn a_wrong_content_type_with_the_right_json_decides_on_the_json() {
    // plangate parses the body strictly whatever it is labelled: a proxy's
    // label does not make a page of reviews unreadable, nor HTML readable.
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).with_header("Content-Type", "text/html")],
    );
    assert_decides(&check(&g, &[]), 0);
}

#[test]
fn an_unknown_review_state_withdraws_the_approval_before_it() {
    // A state plangate does not know cannot be read as an approval: the
    // reviewer's earlier approval no longer counts (blocked, and said), by
    // the rule of src/approvals/mod.rs. It never passes.
    let g = Gate::new("agent-deletes-block");
    g.reviews(vec![
        approve("carol", 41, g.head()),
        review("carol", 41, "REVOKED", g.head()),
    ]);
    let report = assert_decides(&check(&g, &[]), 1);
    assert_eq!(
        ignored_why(&report, "carol"),
        "their latest review is REVOKED, not APPROVED"
    );
}

// ---- Pagination ------------------------------------------------------------------

#[test]
fn a_pagination_loop_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).with_link(Some(&page(2)), Some(&page(3)))],
    );
    g.gh.route(
        &page(2),
        vec![Reply::json(200, json!([])).with_link(Some(&page(3)), Some(&page(3)))],
    );
    g.gh.route(
        &page(3),
        vec![Reply::json(200, json!([])).with_link(Some(&page(2)), Some(&page(3)))],
    );
    assert_refuses(
        &check(&g, &[]),
        &[
            "pagination for /repos/acme/infra/pulls/7/reviews",
            "loops back to a page already read",
        ],
    );
}

#[test]
fn a_next_page_on_another_host_is_exit_2_and_gets_no_token() {
    let g = Gate::new("agent-deletes-block");
    let elsewhere = MockGitHub::start();
    elsewhere.route(
        &page(2),
        vec![Reply::json(200, json!([approve("mallory", 66, g.head())]))],
    );
    let foreign = format!("{}{}", elsewhere.url(), page(2));
    g.gh.route(
        &reviews_path(),
        vec![
            Reply::json(200, json!([review("zed", 60, "COMMENTED", g.head())]))
                .with_link(Some(&foreign), Some(&foreign)),
        ],
    );
    assert_refuses(
        &check(&g, &[]),
        &[
            "pagination for /repos/acme/infra/pulls/7/reviews",
            "points outside",
        ],
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was asked: {:?}",
        elsewhere.requests()
    );
}

#[test]
fn a_redirect_to_another_host_gets_no_token_and_is_not_believed() {
    let g = Gate::new("agent-deletes-block");
    let elsewhere = MockGitHub::start();
    elsewhere.route(
        &reviews_path(),
        vec![Reply::json(200, json!([approve("mallory", 66, g.head())]))],
    );
    g.gh.route(
        &reviews_path(),
        vec![Reply::json(302, json!({"message": "Found"})).with_header(
            "Location",
            &format!("{}{}", elsewhere.url(), reviews_path()),
        )],
    );
    let run = check(&g, &[]);
    for r in elsewhere.requests() {
        assert_eq!(r.header("authorization"), None, "the token went elsewhere");
    }
    assert_refuses(&run, &["/repos/acme/infra/pulls/7/reviews", "302"]);
}

#[test]
fn pagination_that_ends_before_its_announced_last_page_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    // Page 1 says the last page is 3; page 2 says nothing more. Page 3
    // exists, and holds carol's "changes requested".
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).with_link(Some(&page(2)), Some(&page(3)))],
    );
    g.gh.route(&page(2), vec![Reply::json(200, json!([]))]);
    g.gh.route(
        &page(3),
        vec![Reply::json(200, json!([changes_requested(&g)]))],
    );
    assert_refuses(
        &check(&g, &[]),
        &[
            "pagination for /repos/acme/infra/pulls/7/reviews",
            "last page",
        ],
    );
    // Reaching the announced last page is fine.
    g.gh.route(
        &page(2),
        vec![Reply::json(200, json!([])).with_link(Some(&page(3)), Some(&page(3)))],
    );
    assert_decides(&check(&g, &[]), 1);
}

#[test]
fn more_pages_than_the_cap_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    let empty = || Reply::json(200, json!([]));
    g.gh.route(
        &reviews_path(),
        vec![approved(&g).with_link(Some(&page(2)), Some(&page(101)))],
    );
    for n in 2..=101 {
        g.gh.route(
            &page(n),
            vec![empty().with_link(Some(&page(n + 1)), Some(&page(101)))],
        );
    }
    assert_refuses(
        &check(&g, &[]),
        &[
            "pagination for /repos/acme/infra/pulls/7/reviews",
            "has more than 100 pages",
        ],
    );
    assert_eq!(hits(&g.gh, &page(101)), 0, "it stopped at the cap");
}

// ---- A list that changes while it is read ------------------------------------------

#[test]
fn a_stable_list_of_several_pages_is_read_again_and_decides() {
    let g = Gate::new("agent-deletes-block");
    g.gh.route(
        &reviews_path(),
        vec![
            Reply::json(200, json!([review("zed", 60, "COMMENTED", g.head())]))
                .with_link(Some(&page(2)), Some(&page(2))),
        ],
    );
    g.gh.route(&page(2), vec![approved(&g)]);
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), 2, "two reads that agree");
    assert_eq!(hits(&g.gh, &page(2)), 2);
    // One page is one answer, a snapshot: it is read once.
    g.reviews(vec![approve("carol", 41, g.head())]);
    let before = hits(&g.gh, &reviews_path());
    assert_decides(&check(&g, &[]), 0);
    assert_eq!(hits(&g.gh, &reviews_path()), before + 1);
}

#[test]
fn a_review_skipped_by_a_shift_between_pages_is_caught_by_reading_again() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    let zed = review("zed", 60, "COMMENTED", &head);
    let carol_ok = approve("carol", 41, &head);
    let carol_no = changes_requested(&g);
    // Pages of two, as GitHub would cut them: first [zed, carol approves] and
    // [carol requests changes]. Then zed's review goes (a pending review
    // deleted, say), and everything moves up a place: page 2 is empty by the
    // time it is read, and carol's "changes requested" was never seen.
    g.gh.route(
        &reviews_path(),
        vec![
            Reply::json(200, json!([zed, carol_ok.clone()]))
                .with_link(Some(&page(2)), Some(&page(2))),
            Reply::json(200, json!([carol_ok, carol_no])),
        ],
    );
    g.gh.route(&page(2), vec![Reply::json(200, json!([]))]);
    let report = assert_decides(&check(&g, &[]), 1);
    assert_eq!(
        ignored_why(&report, "carol"),
        "their latest review requests changes"
    );
    assert_eq!(hits(&g.gh, &reviews_path()), 2, "read again");
}

#[test]
fn a_list_that_keeps_changing_is_exit_2() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    let first = |n: u64| {
        Reply::json(200, json!([review("zed", 60 + n, "COMMENTED", &head)]))
            .with_link(Some(&page(2)), Some(&page(2)))
    };
    g.gh.route(&reviews_path(), (0..20).map(first).collect());
    g.gh.route(&page(2), vec![approved(&g)]);
    assert_refuses(
        &check(&g, &[]),
        &[
            "pagination for /repos/acme/infra/pulls/7/reviews",
            "changed while being read",
        ],
    );
}

#[test]
fn a_review_listed_twice_is_read_again_or_refused() {
    let g = Gate::new("agent-deletes-block");
    let head = g.head().to_owned();
    let carol_ok = approve("carol", 41, &head);
    let carol_no = changes_requested(&g);
    // A review inserted before page 2 was read pushes carol's approval onto
    // it again: counted in order, her approval would be her latest review.
    g.gh.route(
        &reviews_path(),
        vec![
            Reply::json(200, json!([carol_ok.clone(), carol_no]))
                .with_link(Some(&page(2)), Some(&page(2))),
        ],
    );
    g.gh.route(
        &page(2),
        vec![
            Reply::json(200, json!([carol_ok.clone()])),
            Reply::json(200, json!([])),
        ],
    );
    let report = assert_decides(&check(&g, &[]), 1);
    assert_eq!(
        ignored_why(&report, "carol"),
        "their latest review requests changes"
    );
    // Listed twice on every read: GitHub is not making sense; refuse.
    g.gh.route(&page(2), vec![Reply::json(200, json!([carol_ok]))]);
    assert_refuses(
        &check(&g, &[]),
        &["pagination for /repos/acme/infra/pulls/7/reviews", "twice"],
    );
}

// ---- The pull request's head moves ------------------------------------------------

#[test]
fn approvals_of_a_head_other_than_the_checked_commit_never_count() {
    // The event (and so the checkout and plan) is at the head g.head(); by
    // the time the API is asked, the branch has moved on to `moved`.
    let g = Gate::new("agent-deletes-block");
    let moved = "f".repeat(40);
    g.gh.route(PULLS, vec![pr_reply(&g, &moved)]);
    g.reviews(vec![approve("carol", 41, &moved)]);
    let report = assert_decides(&check(&g, &[]), 1);
    let why = ignored_why(&report, "carol");
    assert!(why.contains("not the head"), "{why}");
    // An approval of the commit that was checked is an approval of this plan.
    g.reviews(vec![
        approve("carol", 41, &moved),
        approve("erin", 42, g.head()),
    ]);
    let report = assert_decides(&check(&g, &[]), 0);
    assert!(ignored_why(&report, "carol").contains("not the head"));
}

// ---- Team membership ----------------------------------------------------------------

#[test]
fn team_membership_failures_never_count_an_approval() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(
        "rule \"agent-destroy\" {\n  require {\n    approvals = 1\n    from      = [\"@acme/dba\"]\n  }\n}\n",
    );
    let args = ["--config", config.as_str()];
    g.reviews(vec![approve("carol", 41, g.head())]);
    let active = || Reply::json(200, github::team_membership("active", "member"));

    // Decided: a member after a hiccup; not a member (404, or no active state).
    for (what, replies, code) in [
        (
            "502 then member",
            vec![github::error(502, "Bad Gateway"), active()],
            0,
        ),
        ("reset then member", vec![Reply::reset(), active()], 0),
        ("404", vec![github::not_found()], 1),
        (
            "reset then 404",
            vec![Reply::reset(), github::not_found()],
            1,
        ),
        (
            "no state",
            vec![Reply::json(200, json!({"role": "member"}))],
            1,
        ),
    ] {
        g.gh.route(MEMBERSHIP, replies);
        let run = check(&g, &args);
        assert_eq!(run.code, code, "{what}: {}", run.err);
        assert_decides(&run, code);
    }
    // Undecided: exit 2 naming the membership path.
    let html = Reply::raw(200, "<html>Unicorn!</html>").with_header("Content-Type", "text/html");
    let cut = Reply::truncated(
        200,
        &github::team_membership("active", "member").to_string(),
    );
    for (what, reply, says) in [
        (
            "5xx storm",
            github::error(503, "Service Unavailable"),
            "after 4 attempt(s)",
        ),
        ("reset storm", Reply::reset(), "after 4 attempt(s)"),
        ("HTML", html, "not what its API documents"),
        ("truncated", cut, "after 4 attempt(s)"),
    ] {
        g.gh.route(MEMBERSHIP, vec![reply]);
        let run = check(&g, &args);
        assert_eq!(run.code, 2, "{what}: {}", run.err);
        assert_refuses(&run, &[MEMBERSHIP, says]);
    }
}

// ---- The sticky comment ---------------------------------------------------------------

#[test]
fn a_comment_that_cannot_be_posted_warns_and_leaves_the_verdict() {
    let g = Gate::new("agent-deletes-block");
    let listed = || Reply::json(200, json!([{"id": 5, "body": "looks good"}]));
    let created = || {
        Reply::json(
            201,
            json!({"id": 901, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-901"}),
        )
    };
    let list = format!("{COMMENTS}?per_page=100");
    let cut = Reply::truncated(200, &json!([{"id": 5, "body": "looks good"}]).to_string());
    let faults: Vec<(&str, Reply, Reply)> = vec![
        ("list reset", Reply::reset(), created()),
        ("list 5xx", github::error(502, "Bad Gateway"), created()),
        ("list truncated", cut, created()),
        ("list HTML", Reply::raw(200, "<html></html>"), created()),
        ("post reset", listed(), Reply::reset()),
        ("post 5xx", listed(), github::error(502, "Bad Gateway")),
        ("post hangup", listed(), Reply::hangup()),
        ("post timeout", listed(), created().delay(FOREVER)),
    ];
    for (approvals, verdict) in [(vec![approve("carol", 41, g.head())], 0), (vec![], 1)] {
        g.reviews(approvals);
        // The set-up is sound: without a fault, the comment is posted quietly.
        g.gh.route(&list, vec![listed()]);
        g.gh.route_method("POST", COMMENTS, vec![created()]);
        let run = check(&g, &["--comment"]);
        assert_decides(&run, verdict);
        assert!(!run.err.contains("could not update"), "{}", run.err);

        for (what, list_reply, post_reply) in &faults {
            g.gh.route(&list, vec![list_reply.clone()]);
            g.gh.route_method("POST", COMMENTS, vec![post_reply.clone()]);
            let run = check_with(&g, "1000", &["--comment"]);
            assert_eq!(run.code, verdict, "{what}: {}", run.err);
            assert_decides(&run, verdict);
            assert!(
                run.err
                    .contains("plangate could not update its report comment"),
                "{what}: {}",
                run.err
            );
            assert!(
                run.out.contains("::warning title=plangate comment::"),
                "{what}: {}",
                run.out
            );
        }
        // A 201 whose body is cut short: the comment was made; only its URL
        // is lost, which nothing needs.
        g.gh.route(&list, vec![listed()]);
        g.gh.route_method(
            "POST",
            COMMENTS,
            vec![Reply::truncated(201, "{\"id\": 901, \"html_url\": \"x\"}")],
        );
        assert_decides(&check(&g, &["--comment"]), verdict);
    }
}
