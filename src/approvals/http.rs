//! The REST edge GitHub's and GitLab's clients share: one request retried on
//! 5xx, 429 and transport errors (waiting as `Retry-After` or a spent rate
//! limit's reset says), every page of a list read, and read again until two
//! readings agree, and writes that are never retried. The token goes only
//! to the API it was given for and never into a message.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::ApprovalError;

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

/// One forge's REST API, as plangate calls it.
pub struct Api {
    /// `GitHub` or `GitLab`, for messages.
    pub service: &'static str,
    api: String,
    token: String,
    /// The header the token goes in, and what comes before it there.
    auth: (&'static str, &'static str),
    /// Further headers on every request (the media type, the API version).
    headers: &'static [(&'static str, &'static str)],
    agent: ureq::Agent,
    /// First retry delay; doubled each time (`Retry-After` wins when given).
    backoff: Duration,
    /// What a token refused for a path needs.
    help: fn(&str) -> String,
}

// The token must never be printed, not even in a debug dump.
impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("service", &self.service)
            .field("api", &self.api)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// How a forge's API is called: where, with which token and headers, and
/// what a refused token needs.
pub struct Calls {
    pub service: &'static str,
    pub auth: (&'static str, &'static str),
    pub headers: &'static [(&'static str, &'static str)],
    pub help: fn(&str) -> String,
}

pub struct Page {
    pub status: u16,
    pub body: String,
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

impl Api {
    pub fn new(calls: Calls, api: &str, token: &str, backoff: Duration) -> Api {
        Api {
            service: calls.service,
            api: api.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            auth: calls.auth,
            headers: calls.headers,
            agent: agent(TIMEOUT),
            backoff,
            help: calls.help,
        }
    }

    /// The same client with another limit on each request (30 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> Api {
        self.agent = agent(timeout);
        self
    }

    /// The API's root (`https://api.github.com`, `…/api/v4`).
    pub fn url(&self) -> &str {
        &self.api
    }

    /// Retry delays and the request limit from the environment: tests
    /// shorten them; nothing else should need to.
    pub fn tuned(self, env: &std::collections::HashMap<String, String>) -> Api {
        let backoff = env
            .get("PLANGATE_HTTP_BACKOFF_MS")
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_millis(500), Duration::from_millis);
        let timeout = env
            .get("PLANGATE_HTTP_TIMEOUT_MS")
            .and_then(|v| v.parse().ok())
            .map_or(TIMEOUT, Duration::from_millis);
        Api { backoff, ..self }.with_timeout(timeout)
    }

    fn authorize<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let mut request = request.header(self.auth.0, &format!("{}{}", self.auth.1, self.token));
        for (k, v) in self.headers {
            request = request.header(*k, *v);
        }
        request
    }

    /// One write (`POST`, `PATCH`), not retried: a retried write that had
    /// landed would land twice. Returns the URL of what it wrote (`html_url`).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        payload: &str,
        permission: &str,
    ) -> Result<String, ApprovalError> {
        let url = format!("{}{path}", self.api);
        let builder = match method {
            "PATCH" => self.agent.patch(&url),
            "PUT" => self.agent.put(&url),
            _ => self.agent.post(&url),
        };
        let request = self
            .authorize(builder)
            .header("Content-Type", "application/json");
        let mut response = request
            .send(payload)
            .map_err(|e| ApprovalError::Unreachable {
                service: self.service,
                path: path.to_owned(),
                attempts: 1,
                why: e.to_string(),
            })?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        match status {
            200 | 201 => Ok(serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    ["html_url", "web_url"]
                        .iter()
                        .find_map(|k| v.get(*k).and_then(Value::as_str))
                        .map(str::to_owned)
                })
                .unwrap_or_default()),
            401 | 403 => Err(ApprovalError::Unauthorized {
                service: self.service,
                status,
                path: path.to_owned(),
                help: permission.to_owned(),
            }),
            _ => Err(ApprovalError::Http {
                service: self.service,
                status,
                path: path.to_owned(),
                message: message_of(&text, &self.token),
            }),
        }
    }

    pub fn get_one(&self, path: &str) -> Result<Value, ApprovalError> {
        let page = self.fetch(&format!("{}{path}", self.api), path)?;
        serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
            service: self.service,
            path: path.to_owned(),
            why: e.to_string(),
        })
    }

    /// Every item of a paginated list. One page is one answer, a snapshot; a
    /// list of several pages is read again until two readings in a row agree.
    pub fn get_all(&self, path: &str) -> Result<Vec<Value>, ApprovalError> {
        self.get_all_in(path, None)
    }

    /// [`Self::get_all`] for a list whose pages are objects holding it under
    /// `field` (`{"total_count": …, "check_runs": […]}`), or arrays (`None`).
    pub fn get_all_in(&self, path: &str, field: Option<&str>) -> Result<Vec<Value>, ApprovalError> {
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
            service: self.service,
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
                    service: self.service,
                    path: path.to_owned(),
                    why: e.to_string(),
                })?;
            let list = match field {
                None => value.as_array(),
                Some(field) => value.get(field).and_then(Value::as_array),
            };
            let list = list.ok_or_else(|| ApprovalError::Malformed {
                service: self.service,
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
                    // The last page is named on every page but that one:
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
                        service: self.service,
                        path: path.to_owned(),
                        why: "loops back to a page already read".into(),
                    });
                }
                // Following a link elsewhere would send the token there.
                Some(next) if !next.starts_with(&format!("{}/", self.api)) => {
                    return Err(ApprovalError::Pagination {
                        service: self.service,
                        path: path.to_owned(),
                        why: format!("points outside {}", self.api),
                    });
                }
                Some(next) => seen.push(std::mem::replace(&mut url, next)),
            }
        }
        Err(ApprovalError::Pagination {
            service: self.service,
            path: path.to_owned(),
            why: format!("has more than {MAX_PAGES} pages"),
        })
    }

    /// One request, retried on 5xx, 429 and transport errors.
    pub fn fetch(&self, url: &str, path: &str) -> Result<Page, ApprovalError> {
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
                        service: self.service,
                        status: page.status,
                        path: path.to_owned(),
                        help: (self.help)(path),
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
                            service: self.service,
                            path: path.to_owned(),
                            attempts: attempt + 1,
                            why: format!(
                                "{why}, and {} asks to wait {} s",
                                self.service,
                                wait.as_secs()
                            ),
                        });
                    }
                    if attempt + 1 < ATTEMPTS {
                        std::thread::sleep(wait);
                    }
                }
                Ok(page) => {
                    return Err(ApprovalError::Http {
                        service: self.service,
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
            service: self.service,
            path: path.to_owned(),
            attempts: ATTEMPTS,
            why,
        })
    }

    /// One HTTP GET; `Err` is a transport failure (its text never holds the token).
    fn request(&self, url: &str) -> Result<Page, String> {
        let mut response = self
            .authorize(self.agent.get(url))
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
                // GitHub's `x-ratelimit-*`, GitLab's `ratelimit-*`.
                let spent = ["x-ratelimit-remaining", "ratelimit-remaining"]
                    .iter()
                    .any(|h| header(h).as_deref() == Some("0"));
                spent
                    .then(|| header("x-ratelimit-reset").or_else(|| header("ratelimit-reset")))
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

/// A query value, percent-encoded (a branch name may hold `&`, `#`, `+`, …).
pub fn encode(value: &str) -> String {
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

/// The API's error message from an error body, or the start of the body, with
/// the token taken out: a proxy or a server may echo the request it refused.
pub fn message_of(body: &str, token: &str) -> String {
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
        // An answer from wherever a redirect leads is not the API's (and would
        // come without the token anyway): a 3xx is reported, not followed.
        .max_redirects(0)
        .user_agent(concat!("plangate/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A 403 that is a rate limit (GitHub's secondary or primary one) rather than a
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
}
