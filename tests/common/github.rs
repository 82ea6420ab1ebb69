//! A local stand-in for the GitHub REST API: scripted replies per path, every
//! request recorded, and faults (delays, resets, truncated bodies) on demand.
//!
//! Plain `std::net` and one thread per connection, so that a delayed reply
//! never holds up another request. Each connection carries one request and is
//! closed after the reply (`Connection: close`): the client must cope, as it
//! must with any proxy that does the same.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The repository and pull request that builders use for URLs they are not
/// told about (a review's `pull_request_url`, say). plangate must not depend
/// on those URLs; a test that cares overwrites the field.
pub const REPO: &str = "acme/infra";
pub const PULL: u64 = 7;

/// How long a connection may take to send its request, so that a client that
/// connects and says nothing cannot keep a thread forever.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Larger request heads are refused; plangate's are a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;
const DOCS: &str = "https://docs.github.com/rest";

pub struct MockGitHub {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    requests: Mutex<Vec<Request>>,
    /// A second handle on each open connection, for Drop to shut it down.
    open: Mutex<HashMap<usize, TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    stopping: Mutex<bool>,
    /// Wakes delayed replies early when the server is dropped.
    stop: Condvar,
    /// Check runs created (`POST …/check-runs`) and listed back (`GET
    /// …/commits/{sha}/check-runs`), once [`MockGitHub::learn_check_runs`]
    /// is on: (the app slug the token writes as, the runs).
    checks: Mutex<Option<(String, Vec<Value>)>>,
}

struct Route {
    replies: Vec<Reply>,
    served: usize,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The request body (POST, PATCH), once read.
    pub body: String,
}

impl Request {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// `Link` targets, made absolute on this server when the reply is sent.
    links: Vec<(String, &'static str)>,
    delay: Option<Duration>,
    fault: Fault,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    Reset,
    Truncated,
    /// The body a few bytes at a time, this long apart.
    Drip(Duration),
    /// The head, then nothing until the server is dropped.
    Stall,
    /// The connection closed (FIN) without an answer.
    Hangup,
}

/// Bytes per piece of a dripped body.
const DRIP_BYTES: usize = 16;
/// The longest a stalled reply holds its connection when nobody drops the server.
const STALL_LIMIT: Duration = Duration::from_secs(300);

impl Reply {
    /// A JSON reply with the headers GitHub sends with every API answer; the
    /// rate-limit ones can be overridden with [`Reply::with_header`].
    pub fn json(status: u16, body: Value) -> Reply {
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() + 3600);
        Reply::raw(status, &body.to_string())
            .with_header("Content-Type", "application/json; charset=utf-8")
            .with_header("X-GitHub-Media-Type", "github.v3; format=json")
            .with_header("X-RateLimit-Limit", "5000")
            .with_header("X-RateLimit-Remaining", "4999")
            .with_header("X-RateLimit-Reset", &reset.to_string())
    }

    /// Any body, with no Content-Type (add one with `with_header`): malformed
    /// JSON, a proxy's HTML error page.
    pub fn raw(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            links: Vec::new(),
            delay: None,
            fault: Fault::None,
        }
    }

    /// Sets a header, replacing any of the same name (any case).
    /// `Content-Length` and `Connection` are always written by the server.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// GitHub's pagination header. Paths ("/repos/…?page=2") are made absolute
    /// on this server when sent; absolute URLs are sent as they are.
    pub fn with_link(mut self, next: Option<&str>, last: Option<&str>) -> Reply {
        self.links.extend(next.map(|u| (u.to_string(), "next")));
        self.links.extend(last.map(|u| (u.to_string(), "last")));
        self
    }

    /// Waits this long before answering (or before the fault). Cut short when
    /// the server is dropped, so a test never waits for a timeout it provoked.
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = Some(d);
        self
    }

    /// Closes the connection with a TCP reset, without answering.
    pub fn reset() -> Reply {
        Reply {
            fault: Fault::Reset,
            ..Reply::raw(0, "")
        }
    }

    /// `Content-Length` gives the full length; half the body is sent, then the
    /// connection is closed. Sent as JSON, since that is what plangate expects.
    pub fn truncated(status: u16, body: &str) -> Reply {
        Reply {
            fault: Fault::Truncated,
            ..Reply::raw(status, body)
                .with_header("Content-Type", "application/json; charset=utf-8")
        }
    }

    /// Sends the body in pieces of a few bytes, `every` apart: a slow link
    /// that is never quite silent (a per-read timeout would not fire).
    pub fn drip(mut self, every: Duration) -> Reply {
        self.fault = Fault::Drip(every);
        self
    }

    /// Sends the head (with the full `Content-Length`), then none of the
    /// body until the server is dropped: a reply that hangs half-way.
    pub fn stalled(mut self) -> Reply {
        self.fault = Fault::Stall;
        self
    }

    /// Reads the request, then closes the connection without a word (a FIN,
    /// not a reset): a proxy that gives up.
    pub fn hangup() -> Reply {
        Reply {
            fault: Fault::Hangup,
            ..Reply::raw(0, "")
        }
    }
}

impl MockGitHub {
    pub fn start() -> MockGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        let acceptor = {
            let shared = Arc::clone(&shared);
            let base = format!("http://{addr}");
            thread::spawn(move || accept_loop(&listener, &shared, &base))
        };
        MockGitHub {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serve `responses` for `method` (POST, PATCH, …) requests to `path`.
    pub fn route_method(&self, method: &str, path: &str, responses: Vec<Reply>) {
        self.route(&format!("{method} {path}"), responses);
    }

    /// Replaces any earlier route for the same `path_and_query`.
    pub fn route(&self, path_and_query: &str, responses: Vec<Reply>) {
        assert!(!responses.is_empty(), "route {path_and_query}: no replies");
        let route = Route {
            replies: responses,
            served: 0,
        };
        lock(&self.shared.routes).insert(path_and_query.to_string(), route);
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    /// Keep the check runs created through the API and list them back, as
    /// GitHub does; the token writes as the app `slug` (`github-actions` for
    /// a workflow's GITHUB_TOKEN). Routes set for those paths still win.
    pub fn learn_check_runs(&self, slug: &str) {
        let mut checks = lock(&self.shared.checks);
        match checks.as_mut() {
            Some((app, _)) => *app = slug.to_owned(),
            None => *checks = Some((slug.to_owned(), Vec::new())),
        }
    }

    /// A check run made by someone else (another app, another workflow):
    /// `run` as GitHub lists it, with its `head_sha`, `name` and `app`.
    pub fn add_check_run(&self, run: Value) {
        let mut checks = lock(&self.shared.checks);
        checks
            .get_or_insert_with(|| ("github-actions".to_owned(), Vec::new()))
            .1
            .push(run);
    }

    /// Forget every check run (the app they are written as stays).
    #[allow(dead_code)] // not every test binary uses every helper
    pub fn clear_check_runs(&self) {
        if let Some((_, runs)) = lock(&self.shared.checks).as_mut() {
            runs.clear();
        }
    }

    /// The check runs created so far.
    pub fn check_runs(&self) -> Vec<Value> {
        lock(&self.shared.checks)
            .as_ref()
            .map(|(_, runs)| runs.clone())
            .unwrap_or_default()
    }
}

/// `POST /repos/{o}/{r}/check-runs` kept, or `GET
/// /repos/{o}/{r}/commits/{sha}/check-runs?check_name=…` answered, when check
/// runs are learned and the request is one of those.
fn check_runs_reply(shared: &Shared, request: &Request) -> Option<Reply> {
    let mut checks = lock(&shared.checks);
    let (app, runs) = checks.as_mut()?;
    let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (request.method.as_str(), parts.as_slice()) {
        ("POST", ["repos", owner, repo, "check-runs"]) => {
            let body: Value = serde_json::from_str(&request.body).ok()?;
            let id = runs.len() as u64 + 1;
            let sha = body["head_sha"].as_str()?.to_owned();
            let run = json!({
                "id": id,
                "name": body["name"],
                "head_sha": sha,
                "status": body["status"],
                "conclusion": body["conclusion"],
                "output": body["output"],
                "html_url": format!("https://github.com/{owner}/{repo}/runs/{id}"),
                "app": {"id": fake_id(app), "slug": app.clone(), "name": app.clone()},
            });
            runs.push(run.clone());
            Some(Reply::json(201, run))
        }
        ("GET", ["repos", _, _, "commits", sha, "check-runs"]) => {
            let name = query
                .split('&')
                .find_map(|p| p.strip_prefix("check_name="))
                .map(|n| n.replace("%20", " "));
            let listed: Vec<Value> = runs
                .iter()
                .filter(|r| r["head_sha"] == *sha)
                .filter(|r| name.as_ref().is_none_or(|n| r["name"] == n.as_str()))
                .rev() // newest first
                .cloned()
                .collect();
            Some(Reply::json(
                200,
                json!({"total_count": listed.len(), "check_runs": listed}),
            ))
        }
        _ => None,
    }
}

impl Drop for MockGitHub {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.stop.notify_all();
        // accept() blocks: a connection of our own wakes it to see `stopping`.
        // Should that fail, the acceptor is left behind rather than hang here.
        if let Some(acceptor) = self.acceptor.take()
            && TcpStream::connect(self.addr).is_ok()
        {
            let _ = acceptor.join();
        }
        for (_, stream) in lock(&self.shared.open).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for thread in lock(&self.shared.threads).drain(..) {
            let _ = thread.join();
        }
    }
}

/// Mutexes here only guard plain data, so a panic elsewhere leaves nothing
/// half-done: take the data rather than propagate the poison.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, base: &str) {
    for (id, stream) in listener.incoming().enumerate() {
        if *lock(&shared.stopping) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let Ok(second) = stream.try_clone() else {
            continue;
        };
        // Registered before the thread starts, so that it is there to remove.
        lock(&shared.open).insert(id, second);
        let thread = {
            let (shared, base) = (Arc::clone(shared), base.to_string());
            thread::spawn(move || serve(&shared, &base, id, stream))
        };
        let mut threads = lock(&shared.threads);
        threads.retain(|t| !t.is_finished());
        threads.push(thread);
    }
}

/// The socket closes only when its last handle goes: the second handle in
/// `open` is removed first, so that the client sees EOF (or the reset) now
/// rather than when the server is dropped.
fn serve(shared: &Shared, base: &str, id: usize, mut stream: TcpStream) {
    answer(shared, base, &mut stream);
    lock(&shared.open).remove(&id);
}

fn answer(shared: &Shared, base: &str, stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Some((head_len, head)) = peek_head(stream) else {
        return;
    };
    let request = parse_head(&head);
    let mut recorded = None;
    let reply = match &request {
        Some(request) => {
            let mut requests = lock(&shared.requests);
            requests.push(request.clone());
            recorded = Some(requests.len() - 1);
            drop(requests);
            pick_reply(shared, request)
        }
        None => Some(error(400, "Bad Request")),
    };
    // A request no route answers may be a check run's, answered once its body is read.
    let routed = reply.is_some();
    let mut reply = reply.unwrap_or_else(not_found);
    if let Some(d) = reply.delay
        && wait_or_stop(shared, d)
    {
        return;
    }
    // The request is still unread in the socket: closing now makes the kernel
    // answer with RST rather than FIN, which is what a reset has to look like.
    if reply.fault == Fault::Reset {
        return;
    }
    let body_len = request
        .as_ref()
        .and_then(|r| r.header("content-length")?.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    if stream.read_exact(&mut vec![0; head_len]).is_err()
        || io::copy(&mut (&*stream).take(body_len), &mut body).is_err()
    {
        return;
    }
    if let Some(i) = recorded {
        lock(&shared.requests)[i].body = String::from_utf8_lossy(&body).into_owned();
    }
    if let (false, Some(request)) = (routed, &request) {
        let mut request = request.clone();
        request.body = String::from_utf8_lossy(&body).into_owned();
        if let Some(r) = check_runs_reply(shared, &request) {
            reply = r;
        }
    }
    if reply.fault == Fault::Hangup {
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    if write_reply(shared, stream, base, &reply).is_ok() {
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Reads the request head without consuming it (see the reset above).
/// Returns its length and text, or None if the client closed, stalled or
/// sent more than MAX_HEAD bytes without finishing its head.
fn peek_head(stream: &TcpStream) -> Option<(usize, String)> {
    let mut buf = vec![0; MAX_HEAD];
    let (mut seen, deadline) = (0, Instant::now() + IO_TIMEOUT);
    loop {
        let n = stream.peek(&mut buf).ok().filter(|&n| n > 0)?;
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            return Some((end + 4, String::from_utf8_lossy(&buf[..end]).into_owned()));
        }
        if n == MAX_HEAD || Instant::now() > deadline {
            return None;
        }
        // peek returns at once while part of the head is waiting: don't spin.
        if n == seen {
            thread::sleep(Duration::from_millis(2));
        }
        seen = n;
    }
}

fn parse_head(head: &str) -> Option<Request> {
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    if method.is_empty() || !path.starts_with('/') || !version.starts_with("HTTP/") {
        return None;
    }
    let headers = lines
        .map(|l| l.split_once(':'))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        headers,
        body: String::new(),
    })
}

/// Exact path and query first, then the path alone. GET routes are keyed by
/// path; other methods by "METHOD path" (see `route_method`).
fn pick_reply(shared: &Shared, request: &Request) -> Option<Reply> {
    let mut routes = lock(&shared.routes);
    let path_only = request.path.split('?').next().unwrap_or_default();
    let prefix = if request.method == "GET" {
        String::new()
    } else {
        format!("{} ", request.method)
    };
    let candidates = [
        format!("{prefix}{}", request.path),
        format!("{prefix}{path_only}"),
    ];
    let key = candidates
        .iter()
        .find(|k| routes.contains_key(k.as_str()))
        .cloned();
    match key {
        Some(key) => {
            let route = routes.get_mut(&key).expect("key was found");
            let reply = route.replies[route.served.min(route.replies.len() - 1)].clone();
            route.served += 1;
            Some(reply)
        }
        None => None,
    }
}

/// Waits `d`, or less if the server is being dropped; true when it is.
fn wait_or_stop(shared: &Shared, d: Duration) -> bool {
    let stopping = lock(&shared.stopping);
    let (stopping, _) = shared
        .stop
        .wait_timeout_while(stopping, d, |s| !*s)
        .unwrap_or_else(|e| e.into_inner());
    *stopping
}

fn write_reply(
    shared: &Shared,
    stream: &mut TcpStream,
    base: &str,
    reply: &Reply,
) -> io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        if !["content-length", "connection"].contains(&name.to_ascii_lowercase().as_str()) {
            out += &format!("{name}: {value}\r\n");
        }
    }
    if !reply.links.is_empty() {
        let links: Vec<String> = reply
            .links
            .iter()
            .map(|(url, rel)| match url.starts_with("http") {
                true => format!("<{url}>; rel=\"{rel}\""),
                false => format!("<{base}{url}>; rel=\"{rel}\""),
            })
            .collect();
        out += &format!("Link: {}\r\n", links.join(", "));
    }
    out += &format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    );
    let body = match reply.fault {
        Fault::Truncated => &reply.body[..reply.body.len() / 2],
        _ => &reply.body[..],
    };
    stream.write_all(out.as_bytes())?;
    match reply.fault {
        Fault::Drip(every) => {
            stream.flush()?;
            for piece in body.chunks(DRIP_BYTES) {
                if wait_or_stop(shared, every) {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                stream.write_all(piece)?;
                stream.flush()?;
            }
        }
        Fault::Stall => {
            stream.flush()?;
            wait_or_stop(shared, STALL_LIMIT);
            return Err(io::ErrorKind::TimedOut.into());
        }
        _ => stream.write_all(body)?,
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

// ---- GitHub-shaped bodies -------------------------------------------------

/// A stable made-up number for ids that the builders are not given.
fn fake_id(s: &str) -> u64 {
    s.bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
        % 1_000_000_000
}

/// A user, bot or organization (`kind` is the `type` field). Bots' logins
/// end in `[bot]` and their pages live under /apps/.
pub fn user(login: &str, id: u64, kind: &str) -> Value {
    let api = format!("https://api.github.com/users/{login}");
    let (node, html, avatar) = match kind {
        "Bot" => {
            let app = login.trim_end_matches("[bot]");
            let avatar = format!("https://avatars.githubusercontent.com/in/{id}?v=4");
            ("BOT_kgDO", format!("https://github.com/apps/{app}"), avatar)
        }
        _ => {
            let avatar = format!("https://avatars.githubusercontent.com/u/{id}?v=4");
            ("U_kgDO", format!("https://github.com/{login}"), avatar)
        }
    };
    json!({
        "login": login, "id": id, "node_id": format!("{node}{id:08X}"),
        "avatar_url": avatar, "gravatar_id": "", "url": api, "html_url": html,
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind, "user_view_type": "public", "site_admin": false
    })
}

/// A repository as nested in pull requests and events (owned by an
/// organization named by the first half of `full_name`).
pub fn repository(full_name: &str) -> Value {
    let (owner, name) = full_name.split_once('/').unwrap_or((full_name, full_name));
    let (id, api) = (
        fake_id(full_name),
        format!("https://api.github.com/repos/{full_name}"),
    );
    json!({
        "id": id, "node_id": format!("R_kgDO{id:08X}"), "name": name, "full_name": full_name,
        "owner": user(owner, fake_id(owner), "Organization"), "private": true,
        "html_url": format!("https://github.com/{full_name}"), "description": null,
        "fork": false, "url": api, "pulls_url": format!("{api}/pulls{{/number}}"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "clone_url": format!("https://github.com/{full_name}.git"),
        "default_branch": "main", "visibility": "private", "archived": false,
        "created_at": "2024-03-01T09:00:00Z", "pushed_at": "2026-01-01T00:00:00Z"
    })
}

/// A review as listed by `GET …/pulls/{n}/reviews`. PENDING reviews have no
/// `submitted_at` (GitHub leaves it out). For a garbage-collected commit, set
/// `commit_id` to null afterwards.
pub fn review(id: u64, user: Value, state: &str, commit_id: &str, submitted_at: &str) -> Value {
    let html = format!("https://github.com/{REPO}/pull/{PULL}#pullrequestreview-{id}");
    let pull = format!("https://api.github.com/repos/{REPO}/pulls/{PULL}");
    let mut review = json!({
        "id": id, "node_id": format!("PRR_kwDO{id:08X}"), "user": user, "body": "",
        "state": state, "html_url": html, "pull_request_url": pull,
        "_links": { "html": { "href": html }, "pull_request": { "href": pull } },
        "submitted_at": submitted_at, "commit_id": commit_id,
        "author_association": "MEMBER"
    });
    if let Some(fields) = review.as_object_mut().filter(|_| state == "PENDING") {
        fields.remove("submitted_at");
    }
    review
}

fn branch(label_owner: &str, git_ref: &str, sha: &str, repo: Value) -> Value {
    json!({
        "label": format!("{label_owner}:{git_ref}"), "ref": git_ref, "sha": sha,
        "user": repo["owner"].clone(), "repo": repo
    })
}

/// `GET /repos/{o}/{r}/pulls/{n}` for an open, non-draft pull request from a
/// branch of [`REPO`] into `main`.
pub fn pull_request(
    number: u64,
    author: Value,
    base_sha: &str,
    head_sha: &str,
    head_ref: &str,
) -> Value {
    let (api, html) = (
        format!("https://api.github.com/repos/{REPO}"),
        format!("https://github.com/{REPO}/pull/{number}"),
    );
    let owner = REPO.split('/').next().unwrap_or(REPO);
    let id = fake_id(&format!("{REPO}#{number}"));
    let mut pr = json!({
        "url": format!("{api}/pulls/{number}"), "id": id,
        "node_id": format!("PR_kwDO{id:08X}"), "html_url": html,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "issue_url": format!("{api}/issues/{number}"),
        "commits_url": format!("{api}/pulls/{number}/commits"),
        "review_comments_url": format!("{api}/pulls/{number}/comments"),
        "comments_url": format!("{api}/issues/{number}/comments"),
        "statuses_url": format!("{api}/statuses/{head_sha}"),
        "_links": {
            "self": { "href": format!("{api}/pulls/{number}") }, "html": { "href": html },
            "commits": { "href": format!("{api}/pulls/{number}/commits") }
        },
    });
    // Two halves: one json! this size overflows the macro recursion limit.
    let state = json!({
        "number": number, "state": "open", "locked": false,
        "title": format!("Change infrastructure ({head_ref})"), "user": author,
        "body": null, "labels": [], "milestone": null, "active_lock_reason": null,
        "created_at": "2026-01-02T10:00:00Z", "updated_at": "2026-01-02T11:00:00Z",
        "closed_at": null, "merged_at": null, "merge_commit_sha": null,
        "assignee": null, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": branch(owner, head_ref, head_sha, repository(REPO)),
        "base": branch(owner, "main", base_sha, repository(REPO)),
        "author_association": "MEMBER", "auto_merge": null, "draft": false,
        "merged": false, "mergeable": true, "rebaseable": true, "mergeable_state": "clean",
        "merged_by": null, "comments": 0, "review_comments": 0,
        "maintainer_can_modify": false, "commits": 1, "additions": 1, "deletions": 1,
        "changed_files": 1
    });
    if let (Some(pr), Value::Object(state)) = (pr.as_object_mut(), state) {
        pr.extend(state);
    }
    pr
}

/// An item of `GET …/pulls/{n}/commits`. The logins are GitHub user objects,
/// null when the e-mail is linked to no account. Unsigned, no parents listed.
pub fn pull_commit(
    sha: &str,
    author_name: &str,
    author_email: &str,
    author_login: Option<Value>,
    committer_login: Option<Value>,
    message: &str,
) -> Value {
    let api = format!("https://api.github.com/repos/{REPO}");
    let person =
        json!({ "name": author_name, "email": author_email, "date": "2026-01-02T10:00:00Z" });
    json!({
        "url": format!("{api}/commits/{sha}"), "sha": sha,
        "node_id": format!("C_kwDO{}", sha.get(..12).unwrap_or(sha)),
        "html_url": format!("https://github.com/{REPO}/commit/{sha}"),
        "comments_url": format!("{api}/commits/{sha}/comments"),
        "commit": {
            "url": format!("{api}/git/commits/{sha}"),
            "author": person, "committer": person, "message": message,
            "tree": { "url": format!("{api}/git/trees/{sha}"), "sha": sha },
            "comment_count": 0,
            "verification": {
                "verified": false, "reason": "unsigned", "signature": null,
                "payload": null, "verified_at": null
            }
        },
        "author": author_login, "committer": committer_login, "parents": []
    })
}

/// An entry of `GET /repos/{o}/{r}/activity?ref=refs/heads/feature`: a push
/// (`push`, `force_push`, `branch_creation`, …) by `actor` (a user object).
pub fn activity(id: u64, kind: &str, before: &str, after: &str, actor: Value) -> Value {
    json!({
        "id": id, "node_id": format!("RA_kwDO{id:08X}"), "before": before, "after": after,
        "ref": "refs/heads/feature",
        "timestamp": format!("2026-01-02T10:{:02}:{:02}Z", id / 60 % 60, id % 60),
        "activity_type": kind, "actor": actor
    })
}

/// `GET /orgs/{org}/teams/{slug}/memberships/{user}`.
pub fn team_membership(state: &str, role: &str) -> Value {
    json!({ "url": "https://api.github.com/organizations/1/team/2/memberships/member", "role": role, "state": state })
}

pub fn not_found() -> Reply {
    error(404, "Not Found")
}

/// GitHub's error body; `status` is a string there.
pub fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        json!({ "message": message, "documentation_url": DOCS, "status": status.to_string() }),
    )
}

/// The `pull_request` event payload that Actions writes to GITHUB_EVENT_PATH.
/// The PR's head and base repositories become `repo_full_name`, as in a real
/// same-repository PR; `sender` is the PR author.
pub fn pull_request_event(action: &str, mut pr: Value, repo_full_name: &str) -> Value {
    let repo = repository(repo_full_name);
    for side in ["head", "base"] {
        if pr[side].is_object() {
            pr[side]["repo"] = repo.clone();
            pr[side]["user"] = repo["owner"].clone();
            let label = format!(
                "{}:{}",
                repo["owner"]["login"].as_str().unwrap_or(""),
                pr[side]["ref"].as_str().unwrap_or("")
            );
            pr[side]["label"] = label.into();
        }
    }
    json!({
        "action": action, "number": pr["number"].clone(), "sender": pr["user"].clone(),
        "organization": { "login": repo["owner"]["login"].clone(), "id": repo["owner"]["id"].clone() },
        "pull_request": pr, "repository": repo
    })
}
