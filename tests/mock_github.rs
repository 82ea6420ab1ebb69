//! The local GitHub stand-in (`common::github`) itself: routing, sequences,
//! pagination links, the default 404, each fault seen from a raw TCP client,
//! clean shutdown, and the body builders.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::github::{self, MockGitHub, Reply};
use serde_json::{Value, json};

const REVIEWS: &str = "/repos/acme/infra/pulls/7/reviews";

/// What a raw client got back: status line, headers (lower-cased names) and
/// body, or the read error.
struct Raw {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn send(server: &MockGitHub, path: &str) -> std::io::Result<Vec<u8>> {
    let addr = server.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer ghs_test\r\n\
         Accept: application/vnd.github+json\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

fn get(server: &MockGitHub, path: &str) -> Raw {
    let bytes = send(server, path).expect("an answer");
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .map(|l| l.split_once(": ").unwrap())
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    let body = bytes[end + 4..].to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

fn ok(body: Value) -> Reply {
    Reply::json(200, body)
}

#[test]
fn exact_path_and_query_wins_then_path_alone() {
    let gh = MockGitHub::start();
    gh.route(REVIEWS, vec![ok(json!(["path only"]))]);
    gh.route(&format!("{REVIEWS}?page=2"), vec![ok(json!(["page 2"]))]);
    gh.route("/only/with/query?page=1", vec![ok(json!(["never"]))]);

    assert_eq!(
        get(&gh, &format!("{REVIEWS}?page=2")).json(),
        json!(["page 2"])
    );
    assert_eq!(
        get(&gh, &format!("{REVIEWS}?per_page=100")).json(),
        json!(["path only"])
    );
    assert_eq!(get(&gh, REVIEWS).json(), json!(["path only"]));
    assert_eq!(
        get(&gh, "/only/with/query").status,
        "HTTP/1.1 404 Not Found"
    );
}

#[test]
fn replies_are_served_in_order_and_the_last_repeats() {
    let gh = MockGitHub::start();
    gh.route(
        REVIEWS,
        vec![
            ok(json!(1)),
            github::error(502, "Server Error"),
            ok(json!(3)),
        ],
    );
    let seen: Vec<String> = (0..5).map(|_| get(&gh, REVIEWS).status).collect();
    assert_eq!(seen[1], "HTTP/1.1 502 Bad Gateway");
    assert_eq!(get(&gh, REVIEWS).json(), json!(3));
    assert_eq!(
        [&seen[0], &seen[2], &seen[3], &seen[4]],
        ["HTTP/1.1 200 OK"; 4]
    );
}

#[test]
fn json_replies_carry_length_type_close_and_link() {
    let gh = MockGitHub::start();
    let next = format!("{REVIEWS}?per_page=1&page=2");
    let reply = ok(json!([])).with_link(Some(&next), Some("https://elsewhere.test/last"));
    gh.route(
        REVIEWS,
        vec![reply.with_header("x-ratelimit-remaining", "0")],
    );

    let raw = get(&gh, REVIEWS);
    let link = format!(
        r#"<{}{next}>; rel="next", <https://elsewhere.test/last>; rel="last""#,
        gh.url()
    );
    assert_eq!(raw.header("link"), Some(link.as_str()));
    assert_eq!(
        raw.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(raw.header("content-length"), Some("2"));
    assert_eq!(raw.header("connection"), Some("close"));
    // with_header replaces rather than adds.
    let remaining: Vec<_> = raw
        .headers
        .iter()
        .filter(|(n, _)| n == "x-ratelimit-remaining")
        .collect();
    assert_eq!(
        remaining,
        [&("x-ratelimit-remaining".to_string(), "0".to_string())]
    );
}

#[test]
fn unrouted_requests_get_githubs_404() {
    let gh = MockGitHub::start();
    let raw = get(&gh, "/orgs/acme/teams/infra/memberships/someone");
    assert_eq!(raw.status, "HTTP/1.1 404 Not Found");
    let body = raw.json();
    assert_eq!(body["message"], "Not Found");
    assert!(
        body["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.github.com/")
    );
}

#[test]
fn a_delayed_reply_waits_without_blocking_others() {
    let gh = MockGitHub::start();
    gh.route(
        "/slow",
        vec![ok(json!("slow")).delay(Duration::from_millis(800))],
    );
    gh.route("/fast", vec![ok(json!("fast"))]);
    let started = Instant::now();
    std::thread::scope(|s| {
        let slow = s.spawn(|| (get(&gh, "/slow").json(), started.elapsed()));
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(get(&gh, "/fast").json(), json!("fast"));
        assert!(
            started.elapsed() < Duration::from_millis(700),
            "fast waited for slow"
        );
        let (body, took) = slow.join().unwrap();
        assert_eq!(body, json!("slow"));
        assert!(
            took >= Duration::from_millis(800),
            "answered after {took:?}"
        );
    });
}

#[test]
fn dropping_the_server_cuts_delays_short() {
    let gh = MockGitHub::start();
    gh.route("/hang", vec![ok(json!(0)).delay(Duration::from_secs(300))]);
    let addr = gh.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while gh.requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the request was never recorded"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    drop(gh);
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    assert!(out.is_empty(), "no answer after shutdown");
}

#[test]
fn reset_closes_without_answering() {
    let gh = MockGitHub::start();
    gh.route("/reset", vec![Reply::reset(), ok(json!("after"))]);
    let err = send(&gh, "/reset").expect_err("a reset, not an answer");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert_eq!(get(&gh, "/reset").json(), json!("after"));
    assert_eq!(gh.requests().len(), 2, "the reset request is recorded too");
}

#[test]
fn truncated_sends_half_the_promised_body() {
    let gh = MockGitHub::start();
    let body = json!([{"id": 1, "state": "APPROVED"}]).to_string();
    gh.route("/cut", vec![Reply::truncated(200, &body)]);
    let raw = get(&gh, "/cut");
    assert_eq!(
        raw.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(raw.body, body.as_bytes()[..body.len() / 2]);
}

#[test]
fn requests_are_recorded_with_their_headers() {
    let gh = MockGitHub::start();
    get(&gh, "/repos/acme/infra/pulls/7?x=1");
    let requests = gh.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/repos/acme/infra/pulls/7?x=1")
    );
    assert_eq!(r.header("Authorization"), Some("Bearer ghs_test"));
    assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(r.header("x-missing"), None);
}

#[test]
fn garbage_and_half_requests_do_not_bring_the_server_down() {
    let gh = MockGitHub::start();
    let addr = gh.url().trim_start_matches("http://").to_string();
    let mut bad = TcpStream::connect(&addr).unwrap();
    bad.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    bad.write_all(b"NONSENSE\r\n\r\n").unwrap();
    let mut out = String::new();
    bad.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
    drop(TcpStream::connect(&addr).unwrap()); // connects and leaves
    gh.route("/ok", vec![ok(json!(true))]);
    assert_eq!(get(&gh, "/ok").json(), json!(true));
}

/// A client that fails rather than hangs when the server misbehaves.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

#[test]
fn ureq_reads_replies_and_fails_on_faults() {
    let gh = MockGitHub::start();
    let agent = agent();
    gh.route("/ok", vec![ok(json!({"a": 1}))]);
    gh.route("/reset", vec![Reply::reset()]);
    gh.route("/cut", vec![Reply::truncated(200, r#"{"a": 1, "b": 2}"#)]);
    let text = agent
        .get(format!("{}/ok", gh.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string();
    assert_eq!(text.unwrap(), r#"{"a":1}"#);
    assert!(agent.get(format!("{}/reset", gh.url())).call().is_err());
    let mut cut = agent.get(format!("{}/cut", gh.url())).call().unwrap();
    assert!(cut.body_mut().read_to_string().is_err());
    assert!(
        agent.get(format!("{}/none", gh.url())).call().is_err(),
        "404 is an error"
    );
}

#[test]
fn builders_have_githubs_shapes() {
    let alice = github::user("alice", 101, "User");
    let bot = github::user("renovate[bot]", 29139614, "Bot");
    assert_eq!(
        (alice["login"].clone(), alice["type"].clone()),
        (json!("alice"), json!("User"))
    );
    assert_eq!(bot["html_url"], "https://github.com/apps/renovate");

    let approved = github::review(1, alice.clone(), "APPROVED", "abc", "2026-01-02T12:00:00Z");
    assert_eq!(approved["user"]["id"], 101);
    assert_eq!(approved["submitted_at"], "2026-01-02T12:00:00Z");
    let pending = github::review(2, alice.clone(), "PENDING", "abc", "ignored");
    assert!(pending.get("submitted_at").is_none());

    let pr = github::pull_request(7, bot.clone(), "base1", "head1", "renovate/aws");
    assert_eq!(
        (pr["number"].clone(), pr["user"]["type"].clone()),
        (json!(7), json!("Bot"))
    );
    assert_eq!(
        (pr["head"]["sha"].clone(), pr["head"]["ref"].clone()),
        (json!("head1"), json!("renovate/aws"))
    );
    assert_eq!(pr["base"]["sha"], "base1");

    let c = github::pull_commit(
        "head1",
        "Claude",
        "noreply@anthropic.com",
        None,
        Some(alice),
        "m",
    );
    assert_eq!(c["commit"]["author"]["email"], "noreply@anthropic.com");
    assert_eq!(c["commit"]["verification"]["reason"], "unsigned");
    assert!(c["author"].is_null());
    assert_eq!(c["committer"]["login"], "alice");

    let m = github::team_membership("pending", "member");
    assert_eq!(
        (m["state"].clone(), m["role"].clone()),
        (json!("pending"), json!("member"))
    );

    let event = github::pull_request_event("synchronize", pr, "other/repo");
    assert_eq!(event["number"], 7);
    assert_eq!(event["repository"]["full_name"], "other/repo");
    assert_eq!(
        event["pull_request"]["base"]["repo"]["full_name"],
        "other/repo"
    );
    assert_eq!(event["pull_request"]["head"]["sha"], "head1");
}

#[test]
fn drip_sends_the_whole_body_in_pieces() {
    let gh = MockGitHub::start();
    let body =
        json!([{"id": 1, "state": "APPROVED", "body": "long enough to need several pieces"}]);
    gh.route(
        "/drip",
        vec![ok(body.clone()).drip(Duration::from_millis(20))],
    );
    let addr = gh.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /drip HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (mut bytes, mut reads, mut buf) = (Vec::new(), 0, [0u8; 4096]);
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        reads += 1;
        bytes.extend_from_slice(&buf[..n]);
    }
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&bytes[..end]).to_string();
    let text = body.to_string();
    assert!(
        head.contains(&format!("Content-Length: {}\r\n", text.len())),
        "{head}"
    );
    assert_eq!(&bytes[end..], text.as_bytes());
    // The head, then the body in 16-byte pieces 20 ms apart: the pieces come
    // in separate reads unless the client is descheduled for most of them.
    assert!(reads >= 3, "{reads} reads for {} body bytes", text.len());
}

#[test]
fn stalled_sends_the_head_and_never_the_body() {
    let gh = MockGitHub::start();
    gh.route("/stall", vec![ok(json!([1, 2, 3])).stalled()]);
    let addr = gh.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /stall HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (mut bytes, mut buf) = (Vec::new(), [0u8; 4096]);
    while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the head was complete");
        bytes.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&bytes).to_string();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Length: 7\r\n"), "{head}");
    assert!(
        head.ends_with("\r\n\r\n"),
        "no body byte came with the head"
    );
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = stream.read(&mut buf).expect_err("the body does not come");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    // Dropping the server ends the connection, still without a body.
    drop(gh);
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn hangup_closes_without_answering_and_without_a_reset() {
    let gh = MockGitHub::start();
    gh.route("/bye", vec![Reply::hangup(), ok(json!("after"))]);
    let out = send(&gh, "/bye").expect("a clean close, not a reset");
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    assert_eq!(get(&gh, "/bye").json(), json!("after"));
    assert_eq!(gh.requests().len(), 2, "the hung-up request is recorded");
}

#[test]
fn ureq_fails_on_the_slow_faults_within_its_timeout() {
    let gh = MockGitHub::start();
    let short: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(500)))
        .build()
        .into();
    let body = json!({"pieces": "x".repeat(200)});
    gh.route("/stall", vec![ok(json!([1])).stalled()]);
    gh.route("/bye", vec![Reply::hangup()]);
    gh.route(
        "/drip-slow",
        vec![ok(body.clone()).drip(Duration::from_millis(100))],
    );
    gh.route(
        "/drip-fast",
        vec![ok(body.clone()).drip(Duration::from_millis(1))],
    );
    let url = |p: &str| format!("{}{p}", gh.url());
    let mut stalled = short.get(url("/stall")).call().expect("the head comes");
    assert!(stalled.body_mut().read_to_string().is_err());
    assert!(short.get(url("/bye")).call().is_err());
    // 14 pieces 100 ms apart cannot arrive within 500 ms.
    let slow = short
        .get(url("/drip-slow"))
        .call()
        .and_then(|mut r| r.body_mut().read_to_string());
    assert!(slow.is_err(), "{slow:?}");
    let fast = agent()
        .get(url("/drip-fast"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&fast).unwrap(), body);
}
