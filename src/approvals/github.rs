//! The GitHub REST API edge: the pull request, its reviews and commits, and
//! team membership. Every list is read to its last page before anything is
//! decided; failures are retried, then reported (exit 2), never passed over.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::file::{pull_request, review, review_fields};
use super::pushes::{Push, push};
use super::{Account, CommitAccounts, PullRequest};
use super::{ApprovalError, Reviews, Teams};

/// Attempts per request for 5xx, 429 and transport errors.
const ATTEMPTS: u32 = 4;
/// The longest `Retry-After` plangate waits for before giving up.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Pages per list: 100 pages of 100 is more than any pull request has.
const MAX_PAGES: usize = 100;
/// Readings of a list of several pages until two in a row agree: pages are
/// read one by one, and a review that moves between them can be missed or
/// seen twice.
const MAX_READS: usize = 4;
/// The longest one request may take, body included: a server that stops
/// answering half-way must not hold the gate until the job's own timeout.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct GitHub {
    api: String,
    token: String,
    repo: String,
    agent: ureq::Agent,
    /// First retry delay; doubled each time (`Retry-After` wins when given).
    backoff: Duration,
}

// The token must never be printed, not even in a debug dump.
impl fmt::Debug for GitHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api)
            .field("repo", &self.repo)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// A check run as plangate reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub id: u64,
    /// The slug of the app that created it (`github-actions` for a
    /// workflow's `GITHUB_TOKEN`); `None` when GitHub does not say.
    pub app: Option<String>,
    pub head_sha: String,
    /// `output.text`, when it has one.
    pub text: Option<String>,
    pub url: Option<String>,
}

fn check_run(item: &Value) -> Result<CheckRun, String> {
    let str_at = |p: &str| item.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Ok(CheckRun {
        id: item
            .get("id")
            .and_then(Value::as_u64)
            .ok_or("a check run has no `id`")?,
        app: str_at("/app/slug"),
        head_sha: str_at("/head_sha").ok_or("a check run has no `head_sha`")?,
        text: str_at("/output/text"),
        url: str_at("/html_url"),
    })
}

/// A pull request that holds a commit, as `GET commits/{sha}/pulls` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOfCommit {
    pub number: u64,
    /// `head.sha`: the commit its reviews were given on last.
    pub head_sha: String,
    /// Whether it was merged (`merged_at` is set).
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    /// The pull request as listed (its author, branch and body carry its
    /// agent signals).
    pub value: Value,
}

fn pull_of_commit(item: &Value) -> Result<PullOfCommit, String> {
    let str_at = |p: &str| item.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Ok(PullOfCommit {
        number: item
            .get("number")
            .and_then(Value::as_u64)
            .ok_or("a pull request has no `number`")?,
        head_sha: str_at("/head/sha").ok_or("a pull request has no `head.sha`")?,
        merged: match item.get("merged_at") {
            Some(Value::String(_)) => true,
            Some(Value::Null) => false,
            _ => return Err("a pull request has no `merged_at` (a time or null)".into()),
        },
        merge_commit_sha: str_at("/merge_commit_sha"),
        value: item.clone(),
    })
}

struct Page {
    status: u16,
    body: String,
    next: Option<String>,
    last: Option<String>,
    retry_after: Option<Duration>,
}

/// One reading of a list, page by page.
struct Listing {
    items: Vec<Value>,
    pages: usize,
    /// Why this reading may not be the list as it is: it may have missed an
    /// item, or counted one twice.
    doubt: Option<String>,
}

impl GitHub {
    /// `api` is GITHUB_API_URL, `repo` GITHUB_REPOSITORY (`owner/name`).
    pub fn new(api: &str, token: &str, repo: &str, backoff: Duration) -> GitHub {
        GitHub {
            api: api.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            repo: repo.to_owned(),
            agent: agent(TIMEOUT),
            backoff,
        }
    }

    /// The same client with another limit on each request (30 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> GitHub {
        self.agent = agent(timeout);
        self
    }

    /// The client for the repository the workflow runs in: `GITHUB_API_URL`
    /// (default api.github.com), `GITHUB_TOKEN`, `GITHUB_REPOSITORY`.
    pub fn from_env(env: &HashMap<String, String>) -> Result<GitHub, ApprovalError> {
        let var = |k: &str| -> Result<String, ApprovalError> {
            env.get(k)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| ApprovalError::Environment { what: k.to_owned() })
        };
        let api = env
            .get("GITHUB_API_URL")
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| "https://api.github.com".into());
        // Tests shorten the retry delays; nothing else should need to.
        let backoff = env
            .get("PLANGATE_HTTP_BACKOFF_MS")
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_millis(500), Duration::from_millis);
        let timeout = env
            .get("PLANGATE_HTTP_TIMEOUT_MS")
            .and_then(|v| v.parse().ok())
            .map_or(TIMEOUT, Duration::from_millis);
        Ok(GitHub::new(
            &api,
            &var("GITHUB_TOKEN")?,
            &var("GITHUB_REPOSITORY")?,
            backoff,
        )
        .with_timeout(timeout))
    }

    /// Keep one comment on pull request `number` with `body`: update the
    /// comment that carries `marker`, or create it. Returns its URL.
    pub fn upsert_comment(
        &self,
        number: u64,
        marker: &str,
        body: &str,
    ) -> Result<String, ApprovalError> {
        let list = format!("/repos/{}/issues/{number}/comments", self.repo);
        let existing = self.get_all(&list)?.into_iter().find(|c| {
            c.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.contains(marker))
        });
        let payload = serde_json::json!({ "body": body }).to_string();
        let (method, path) = match existing
            .as_ref()
            .and_then(|c| c.get("id"))
            .and_then(Value::as_u64)
        {
            Some(id) => (
                "PATCH",
                format!("/repos/{}/issues/comments/{id}", self.repo),
            ),
            None => ("POST", list),
        };
        self.send(
            method,
            &path,
            &payload,
            "commenting needs `permissions: pull-requests: write`",
        )
    }

    /// Create a completed check run named `name` on commit `sha`, with
    /// `summary` and `text` as its output. Returns its URL.
    pub fn create_check_run(
        &self,
        sha: &str,
        name: &str,
        summary: &str,
        text: &str,
    ) -> Result<String, ApprovalError> {
        let path = format!("/repos/{}/check-runs", self.repo);
        let payload = serde_json::json!({
            "name": name,
            "head_sha": sha,
            "status": "completed",
            "conclusion": "neutral",
            "output": { "title": name, "summary": summary, "text": text },
        })
        .to_string();
        self.send(
            "POST",
            &path,
            &payload,
            "writing plangate's record needs `permissions: checks: write` (and a token of a \
             GitHub App: the workflow's GITHUB_TOKEN is one; a personal token is not)",
        )
    }

    /// The check runs named `name` on commit `sha`, every one (`filter=all`:
    /// a re-run's earlier runs too), from whichever app made them.
    pub fn check_runs(&self, sha: &str, name: &str) -> Result<Vec<CheckRun>, ApprovalError> {
        let path = format!(
            "/repos/{}/commits/{sha}/check-runs?check_name={}&filter=all",
            self.repo,
            encode(name)
        );
        self.get_all_in(&path, Some("check_runs"))?
            .iter()
            .map(|item| {
                check_run(item).map_err(|why| ApprovalError::Malformed {
                    path: path.clone(),
                    why,
                })
            })
            .collect()
    }

    /// The pull requests that hold commit `sha` (`GET
    /// /repos/{o}/{r}/commits/{sha}/pulls`, every page): for a commit of the
    /// default branch, the pull request that merged it.
    pub fn pulls_of_commit(&self, sha: &str) -> Result<Vec<PullOfCommit>, ApprovalError> {
        let path = format!("/repos/{}/commits/{sha}/pulls", self.repo);
        self.get_all(&path)?
            .iter()
            .map(|item| {
                pull_of_commit(item).map_err(|why| ApprovalError::Malformed {
                    path: path.clone(),
                    why,
                })
            })
            .collect()
    }

    /// One write (`POST`, `PATCH`), not retried: a retried write that had
    /// landed would land twice. Returns the URL of what it wrote (`html_url`).
    fn send(
        &self,
        method: &str,
        path: &str,
        payload: &str,
        permission: &str,
    ) -> Result<String, ApprovalError> {
        let url = format!("{}{path}", self.api);
        let builder = if method == "PATCH" {
            self.agent.patch(&url)
        } else {
            self.agent.post(&url)
        };
        let request = builder
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Content-Type", "application/json");
        let mut response = request
            .send(payload)
            .map_err(|e| ApprovalError::Unreachable {
                path: path.to_owned(),
                attempts: 1,
                why: e.to_string(),
            })?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        match status {
            200 | 201 => Ok(serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("html_url").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default()),
            401 | 403 => Err(ApprovalError::Unauthorized {
                status,
                path: path.to_owned(),
                help: permission.to_owned(),
            }),
            _ => Err(ApprovalError::Http {
                status,
                path: path.to_owned(),
                message: message_of(&text, &self.token),
            }),
        }
    }

    /// `GET /repos/{o}/{r}/pulls/{number}`, with the path it was read from.
    pub fn pull_request(&self, number: u64) -> Result<(String, Value), ApprovalError> {
        let path = format!("/repos/{}/pulls/{number}", self.repo);
        let pr = self.get_one(&path)?;
        Ok((path, pr))
    }

    /// Everything `judge` needs for pull request `number`.
    pub fn reviews(&self, number: u64) -> Result<Reviews, ApprovalError> {
        let base = format!("/repos/{}/pulls/{number}", self.repo);
        let pr = pull_request(&self.get_one(&base)?).map_err(|why| ApprovalError::Malformed {
            path: base.clone(),
            why,
        })?;
        let reviews_path = format!("{base}/reviews");
        let reviews = self
            .get_all(&reviews_path)?
            .iter()
            .map(|item| {
                review_fields(item)
                    .and_then(|()| review(item))
                    .map_err(|why| ApprovalError::Malformed {
                        path: reviews_path.clone(),
                        why,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let commits_path = format!("{base}/commits");
        let mut commit_logins = HashMap::new();
        for item in self.get_all(&commits_path)? {
            let sha = item.get("sha").and_then(Value::as_str).ok_or_else(|| {
                ApprovalError::Malformed {
                    path: commits_path.clone(),
                    why: "a commit has no `sha`".into(),
                }
            })?;
            // The linked account (null when the address is linked to none).
            let account = |k: &str| {
                let user = item.get(k).filter(|u| u.is_object())?;
                Some(Account {
                    login: user.get("login").and_then(Value::as_str).map(str::to_owned),
                    id: user.get("id").and_then(Value::as_u64),
                })
            };
            commit_logins.insert(
                sha.to_owned(),
                CommitAccounts {
                    author: account("author"),
                    committer: account("committer"),
                },
            );
        }
        Ok(Reviews {
            pull_request: Some(pr),
            reviews,
            commit_logins,
            pushers: None,
        })
    }

    /// Who pushed to the pull request's head branch: `GET
    /// /repos/{head repo}/activity?ref=refs/heads/{head ref}`, every page, with
    /// the ref it was read for. A token that may not read it (403, 404) is
    /// refused naming the permission.
    pub fn pushes(&self, pr: &PullRequest) -> Result<(String, Vec<Push>), ApprovalError> {
        let missing = |field: &str| ApprovalError::HeadBranch {
            number: pr.number,
            field: field.to_owned(),
        };
        let repo = pr
            .head_repo
            .as_deref()
            .ok_or_else(|| missing("head.repo.full_name"))?;
        let head_ref = pr.head_ref.as_deref().ok_or_else(|| missing("head.ref"))?;
        let git_ref = format!("refs/heads/{head_ref}");
        let path = format!("/repos/{repo}/activity?ref={}", encode(&git_ref));
        let items = self.get_all(&path).map_err(|e| match e {
            ApprovalError::Http {
                status: 404, path, ..
            } => ApprovalError::Unauthorized {
                status: 404,
                help: permission_help(&path),
                path,
            },
            e => e,
        })?;
        let pushes = items
            .iter()
            .map(|item| {
                push(item).map_err(|why| ApprovalError::Malformed {
                    path: path.clone(),
                    why,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((git_ref, pushes))
    }

    fn get_one(&self, path: &str) -> Result<Value, ApprovalError> {
        let page = self.fetch(&format!("{}{path}", self.api), path)?;
        serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
            path: path.to_owned(),
            why: e.to_string(),
        })
    }

    /// Every item of a paginated list. One page is one answer, a snapshot; a
    /// list of several pages is read again until two readings in a row agree.
    fn get_all(&self, path: &str) -> Result<Vec<Value>, ApprovalError> {
        self.get_all_in(path, None)
    }

    /// [`Self::get_all`] for a list whose pages are objects holding it under
    /// `field` (`{"total_count": …, "check_runs": […]}`), or arrays (`None`).
    fn get_all_in(&self, path: &str, field: Option<&str>) -> Result<Vec<Value>, ApprovalError> {
        let mut previous: Option<Listing> = None;
        let mut why = String::new();
        for _ in 0..MAX_READS {
            let listing = self.read_pages(path, field)?;
            match &listing.doubt {
                Some(doubt) => why = doubt.clone(),
                None if listing.pages == 1 => return Ok(listing.items),
                None => {
                    if previous
                        .as_ref()
                        .is_some_and(|p| p.doubt.is_none() && p.items == listing.items)
                    {
                        return Ok(listing.items);
                    }
                    why = "changed while being read".into();
                }
            }
            previous = Some(listing);
        }
        Err(ApprovalError::Pagination {
            path: path.to_owned(),
            why: format!("{why} (after {MAX_READS} readings)"),
        })
    }

    /// One reading of a list, following its `next` links.
    fn read_pages(&self, path: &str, field: Option<&str>) -> Result<Listing, ApprovalError> {
        let mut items = Vec::new();
        let join = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{join}per_page=100", self.api);
        let mut seen = Vec::new();
        let mut last = None;
        for _ in 0..MAX_PAGES {
            let page = self.fetch(&url, path)?;
            let value: Value =
                serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
                    path: path.to_owned(),
                    why: e.to_string(),
                })?;
            let list = match field {
                None => value.as_array(),
                Some(field) => value.get(field).and_then(Value::as_array),
            };
            let list = list.ok_or_else(|| ApprovalError::Malformed {
                path: path.to_owned(),
                why: match field {
                    None => "a page is not a JSON array".into(),
                    Some(field) => format!("a page has no `{field}` list"),
                },
            })?;
            items.extend(list.iter().cloned());
            last = page.last.or(last);
            match page.next {
                None => {
                    let pages = seen.len() + 1;
                    // GitHub names the last page on every page but that one:
                    // ending elsewhere means the list moved while being read,
                    // as does an item on two pages. (One page is one answer.)
                    let doubt = match last {
                        Some(last) if !same_page(&last, &url) => Some(format!(
                            "ended at {url}, before the last page it announced ({last})"
                        )),
                        _ if pages > 1 => {
                            repeated(&items).map(|id| format!("lists item {id} twice"))
                        }
                        _ => None,
                    };
                    return Ok(Listing {
                        items,
                        pages,
                        doubt,
                    });
                }
                Some(next) if next == url || seen.contains(&next) => {
                    return Err(ApprovalError::Pagination {
                        path: path.to_owned(),
                        why: "loops back to a page already read".into(),
                    });
                }
                // Following a link elsewhere would send the token there.
                Some(next) if !next.starts_with(&format!("{}/", self.api)) => {
                    return Err(ApprovalError::Pagination {
                        path: path.to_owned(),
                        why: format!("points outside {}", self.api),
                    });
                }
                Some(next) => seen.push(std::mem::replace(&mut url, next)),
            }
        }
        Err(ApprovalError::Pagination {
            path: path.to_owned(),
            why: format!("has more than {MAX_PAGES} pages"),
        })
    }

    /// One request, retried on 5xx, 429 and transport errors.
    fn fetch(&self, url: &str, path: &str) -> Result<Page, ApprovalError> {
        let mut why = String::new();
        for attempt in 0..ATTEMPTS {
            match self.request(url) {
                Ok(page) if page.status < 300 => return Ok(page),
                Ok(page)
                    if page.status == 401
                        || page.status == 403
                            && page.retry_after.is_none()
                            && !rate_limited(&page.body) =>
                {
                    return Err(ApprovalError::Unauthorized {
                        status: page.status,
                        path: path.to_owned(),
                        help: permission_help(path),
                    });
                }
                Ok(page) if page.status == 429 || page.status == 403 || page.status >= 500 => {
                    why = format!(
                        "HTTP {}: {}",
                        page.status,
                        message_of(&page.body, &self.token)
                    );
                    let wait = page.retry_after.unwrap_or(self.backoff * 2u32.pow(attempt));
                    if wait > MAX_WAIT {
                        return Err(ApprovalError::Unreachable {
                            path: path.to_owned(),
                            attempts: attempt + 1,
                            why: format!("{why}, and GitHub asks to wait {} s", wait.as_secs()),
                        });
                    }
                    if attempt + 1 < ATTEMPTS {
                        std::thread::sleep(wait);
                    }
                }
                Ok(page) => {
                    return Err(ApprovalError::Http {
                        status: page.status,
                        path: path.to_owned(),
                        message: message_of(&page.body, &self.token),
                    });
                }
                Err(e) => {
                    why = e;
                    if attempt + 1 < ATTEMPTS {
                        std::thread::sleep(self.backoff * 2u32.pow(attempt));
                    }
                }
            }
        }
        Err(ApprovalError::Unreachable {
            path: path.to_owned(),
            attempts: ATTEMPTS,
            why,
        })
    }

    /// One HTTP GET; `Err` is a transport failure (its text never holds the token).
    fn request(&self, url: &str) -> Result<Page, String> {
        let mut response = self
            .agent
            .get(url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .call()
            .map_err(|e| e.to_string())?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let link = header("link").unwrap_or_default();
        let (next, last) = (link_of(&link, "next"), link_of(&link, "last"));
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
            .or_else(|| {
                // A spent rate limit says when it resets instead.
                (header("x-ratelimit-remaining").as_deref() == Some("0"))
                    .then(|| header("x-ratelimit-reset"))
                    .flatten()
                    .and_then(|r| r.parse::<u64>().ok())
                    .map(|reset| {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_secs());
                        Duration::from_secs(reset.saturating_sub(now))
                    })
            });
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("reading the answer failed: {e}"))?;
        Ok(Page {
            status,
            body,
            next,
            last,
            retry_after,
        })
    }
}

impl Teams for GitHub {
    /// Active membership of `@org/slug`. A 404 means "not a member, or not
    /// visible to this token": either way the approval does not count.
    fn is_member(&mut self, org: &str, slug: &str, login: &str) -> Result<bool, ApprovalError> {
        let path = format!("/orgs/{org}/teams/{slug}/memberships/{login}");
        let url = format!("{}{path}", self.api);
        match self.fetch(&url, &path) {
            Ok(page) => {
                let value: Value =
                    serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
                        path: path.clone(),
                        why: e.to_string(),
                    })?;
                Ok(value.get("state").and_then(Value::as_str) == Some("active"))
            }
            Err(ApprovalError::Http { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The permission a token needs for an endpoint.
fn permission_help(path: &str) -> String {
    if path.contains("/activity") {
        "reading who pushed the pull request's commits (the repository activity) needs \
         `permissions: contents: read` on the repository of the pull request's head branch"
            .into()
    } else if path.starts_with("/orgs/") {
        "reading team membership needs a token with the organization's Members: read \
         permission (a GitHub App or fine-grained token; the default GITHUB_TOKEN cannot)"
            .into()
    } else {
        "give the workflow `permissions: pull-requests: read` and `contents: read`, and pass \
         GITHUB_TOKEN"
            .into()
    }
}

/// A query value, percent-encoded (a branch name may hold `&`, `#`, `+`, …).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// GitHub's error message from an error body, or the start of the body, with
/// the token taken out: a proxy or a server may echo the request it refused.
fn message_of(body: &str, token: &str) -> String {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| body.to_owned());
    let message = if token.is_empty() {
        message
    } else {
        message.replace(token, "[token]")
    };
    message.chars().take(120).collect()
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        // An answer from wherever a redirect leads is not GitHub's (and would
        // come without the token anyway): a 3xx is reported, not followed.
        .max_redirects(0)
        .user_agent(concat!("plangate/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A 403 that is GitHub's secondary (or primary) rate limit rather than a
/// missing permission: its message says so.
fn rate_limited(body: &str) -> bool {
    message_of(body, "")
        .to_ascii_lowercase()
        .contains("rate limit")
}

/// The first `id` (or `sha`) that occurs twice in a list.
fn repeated(items: &[Value]) -> Option<String> {
    let mut keys = std::collections::HashSet::new();
    items
        .iter()
        .filter_map(|i| i.get("id").or_else(|| i.get("sha")))
        .map(Value::to_string)
        .find(|k| !keys.insert(k.clone()))
}

/// Whether two page URLs name the same page: by their `page` parameter when
/// both have one (the others may come in another order), else exactly.
fn same_page(a: &str, b: &str) -> bool {
    let number = |u: &str| {
        u.split_once('?')?
            .1
            .split('&')
            .find_map(|p| p.strip_prefix("page="))
            .map(str::to_owned)
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The URL of a `Link` header's link with relation `rel`.
fn link_of(link: &str, rel: &str) -> Option<String> {
    let rel = format!("rel=\"{rel}\"");
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.split(';').any(|p| p.trim() == rel).then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link() {
        let l = r#"<https://api.github.com/repos/o/r/pulls/1/reviews?page=2>; rel="next", <https://api.github.com/repos/o/r/pulls/1/reviews?page=5>; rel="last""#;
        assert_eq!(
            link_of(l, "next").as_deref(),
            Some("https://api.github.com/repos/o/r/pulls/1/reviews?page=2")
        );
        assert_eq!(link_of(r#"<https://x/?page=1>; rel="prev""#, "next"), None);
    }

    #[test]
    fn a_branch_name_is_encoded_in_the_query() {
        assert_eq!(encode("refs/heads/feature"), "refs/heads/feature");
        assert_eq!(
            encode("refs/heads/a&b#c+d é"),
            "refs/heads/a%26b%23c%2Bd%20%C3%A9"
        );
    }

    #[test]
    fn the_activity_names_contents_read() {
        assert!(permission_help("/repos/o/r/activity?ref=refs/heads/x").contains("contents: read"));
    }

    #[test]
    fn an_error_body_that_echoes_the_token_is_redacted() {
        let token = "ghs_secret_token_value";
        let json = format!(r#"{{"message": "Bad credentials: Bearer {token}"}}"#);
        assert_eq!(message_of(&json, token), "Bad credentials: Bearer [token]");
        // Cut after the redaction, so no prefix of the token is left either.
        let raw = format!("{}Authorization: Bearer {token}", "x".repeat(90));
        assert!(!message_of(&raw, token).contains("ghs_"));
    }

    #[test]
    fn the_last_link_and_which_page_a_url_names() {
        let l = r#"<https://api.github.com/repositories/9/pulls/1/reviews?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/9/pulls/1/reviews?per_page=100&page=5>; rel="last""#;
        let last = link_of(l, "last").unwrap();
        assert!(last.ends_with("page=5"));
        assert!(same_page(&last, "https://x/r?page=5&per_page=100"));
        assert!(!same_page(&last, "https://x/r?per_page=100&page=4"));
        // `per_page` is not `page`.
        assert!(!same_page(
            "https://x/r?per_page=5",
            "https://x/r?per_page=5&page=2"
        ));
    }

    #[test]
    fn the_token_is_never_in_debug_output() {
        let gh = GitHub::new(
            "https://api.github.com",
            "ghs_secret_token_value",
            "o/r",
            Duration::from_millis(1),
        );
        assert!(!format!("{gh:?}").contains("ghs_secret"));
    }
}
