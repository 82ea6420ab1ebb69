//! The GitHub REST API edge: the pull request, its reviews and commits, and
//! team membership. Every list is read to its last page before anything is
//! decided; failures are retried, then reported (exit 2), never passed over.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::file::{pull_request, review};
use super::{ApprovalError, Reviews, Teams};

/// Attempts per request for 5xx, 429 and transport errors.
const ATTEMPTS: u32 = 4;
/// The longest `Retry-After` plangate waits for before giving up.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Pages per list: 100 pages of 100 is more than any pull request has.
const MAX_PAGES: usize = 100;

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

struct Page {
    status: u16,
    body: String,
    next: Option<String>,
    retry_after: Option<Duration>,
}

impl GitHub {
    /// `api` is GITHUB_API_URL, `repo` GITHUB_REPOSITORY (`owner/name`).
    pub fn new(api: &str, token: &str, repo: &str, backoff: Duration) -> GitHub {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("plangate/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        GitHub {
            api: api.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            repo: repo.to_owned(),
            agent,
            backoff,
        }
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
        Ok(GitHub::new(
            &api,
            &var("GITHUB_TOKEN")?,
            &var("GITHUB_REPOSITORY")?,
            backoff,
        ))
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
        let mut response =
            request
                .send(payload.as_str())
                .map_err(|e| ApprovalError::Unreachable {
                    path: path.clone(),
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
                path,
                help: "commenting needs `permissions: pull-requests: write`".into(),
            }),
            _ => Err(ApprovalError::Http {
                status,
                path,
                message: message_of(&text),
            }),
        }
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
                review(item).map_err(|why| ApprovalError::Malformed {
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
            let login = |k: &str| {
                item.pointer(&format!("/{k}/login"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            commit_logins.insert(sha.to_owned(), (login("author"), login("committer")));
        }
        Ok(Reviews {
            pull_request: Some(pr),
            reviews,
            commit_logins,
        })
    }

    fn get_one(&self, path: &str) -> Result<Value, ApprovalError> {
        let page = self.fetch(&format!("{}{path}", self.api), path)?;
        serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
            path: path.to_owned(),
            why: e.to_string(),
        })
    }

    /// Every item of a paginated list.
    fn get_all(&self, path: &str) -> Result<Vec<Value>, ApprovalError> {
        let mut items = Vec::new();
        let mut url = format!("{}{path}?per_page=100", self.api);
        let mut seen = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.fetch(&url, path)?;
            let value: Value =
                serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
                    path: path.to_owned(),
                    why: e.to_string(),
                })?;
            let list = value.as_array().ok_or_else(|| ApprovalError::Malformed {
                path: path.to_owned(),
                why: "a page is not a JSON array".into(),
            })?;
            items.extend(list.iter().cloned());
            seen.push(url);
            match page.next {
                None => return Ok(items),
                Some(next) if seen.contains(&next) => {
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
                Some(next) => url = next,
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
                    if page.status == 401 || page.status == 403 && page.retry_after.is_none() =>
                {
                    return Err(ApprovalError::Unauthorized {
                        status: page.status,
                        path: path.to_owned(),
                        help: permission_help(path),
                    });
                }
                Ok(page) if page.status == 429 || page.status == 403 || page.status >= 500 => {
                    why = format!("HTTP {}", page.status);
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
                        message: message_of(&page.body),
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
        let next = header("link").and_then(|l| next_link(&l));
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
    if path.starts_with("/orgs/") {
        "reading team membership needs a token with the organization's Members: read \
         permission (a GitHub App or fine-grained token; the default GITHUB_TOKEN cannot)"
            .into()
    } else {
        "give the workflow `permissions: pull-requests: read` and `contents: read`, and pass \
         GITHUB_TOKEN"
            .into()
    }
}

/// GitHub's error message from an error body, or the start of the body.
fn message_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(120).collect())
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
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
            next_link(l).as_deref(),
            Some("https://api.github.com/repos/o/r/pulls/1/reviews?page=2")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
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
