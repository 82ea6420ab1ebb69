//! The GitHub REST API edge: the pull request, its reviews and commits, and
//! team membership. Every list is read to its last page before anything is
//! decided; failures are retried, then reported (exit 2), never passed over.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::file::{pull_request, review, review_fields};
use super::http::{Api, Calls, encode};
use super::pushes::{Push, push};
use super::{Account, CommitAccounts, PullRequest};
use super::{ApprovalError, Reviews, Teams};

#[derive(Debug)]
pub struct GitHub {
    api: Api,
    repo: String,
}

const CALLS: Calls = Calls {
    service: "GitHub",
    auth: ("Authorization", "Bearer "),
    headers: &[
        ("Accept", "application/vnd.github+json"),
        ("X-GitHub-Api-Version", "2022-11-28"),
    ],
    help: permission_help,
};

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

impl GitHub {
    /// `api` is GITHUB_API_URL, `repo` GITHUB_REPOSITORY (`owner/name`).
    pub fn new(api: &str, token: &str, repo: &str, backoff: Duration) -> GitHub {
        GitHub {
            api: Api::new(CALLS, api, token, backoff),
            repo: repo.to_owned(),
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
        Ok(GitHub {
            api: Api::new(CALLS, &api, &var("GITHUB_TOKEN")?, Duration::ZERO).tuned(env),
            repo: var("GITHUB_REPOSITORY")?,
        })
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
        let existing = self.api.get_all(&list)?.into_iter().find(|c| {
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
        self.api.send(
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
        self.api.send(
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
        self.api
            .get_all_in(&path, Some("check_runs"))?
            .iter()
            .map(|item| {
                check_run(item).map_err(|why| ApprovalError::Malformed {
                    service: "GitHub",
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
        self.api
            .get_all(&path)?
            .iter()
            .map(|item| {
                pull_of_commit(item).map_err(|why| ApprovalError::Malformed {
                    service: "GitHub",
                    path: path.clone(),
                    why,
                })
            })
            .collect()
    }

    /// `GET /repos/{o}/{r}/pulls/{number}`, with the path it was read from.
    pub fn pull_request(&self, number: u64) -> Result<(String, Value), ApprovalError> {
        let path = format!("/repos/{}/pulls/{number}", self.repo);
        let pr = self.api.get_one(&path)?;
        Ok((path, pr))
    }

    /// Everything `judge` needs for pull request `number`.
    pub fn reviews(&self, number: u64) -> Result<Reviews, ApprovalError> {
        let base = format!("/repos/{}/pulls/{number}", self.repo);
        let pr =
            pull_request(&self.api.get_one(&base)?).map_err(|why| ApprovalError::Malformed {
                service: "GitHub",
                path: base.clone(),
                why,
            })?;
        let reviews_path = format!("{base}/reviews");
        let reviews = self
            .api
            .get_all(&reviews_path)?
            .iter()
            .map(|item| {
                review_fields(item)
                    .and_then(|()| review(item))
                    .map_err(|why| ApprovalError::Malformed {
                        service: "GitHub",
                        path: reviews_path.clone(),
                        why,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let commits_path = format!("{base}/commits");
        let mut commit_logins = HashMap::new();
        for item in self.api.get_all(&commits_path)? {
            let sha = item.get("sha").and_then(Value::as_str).ok_or_else(|| {
                ApprovalError::Malformed {
                    service: "GitHub",
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
        let items = self.api.get_all(&path).map_err(|e| match e {
            ApprovalError::Http {
                service: "GitHub",
                status: 404,
                path,
                ..
            } => ApprovalError::Unauthorized {
                service: "GitHub",
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
                    service: "GitHub",
                    path: path.clone(),
                    why,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((git_ref, pushes))
    }
}

impl Teams for GitHub {
    /// Active membership of `@org/slug`. A 404 means "not a member, or not
    /// visible to this token": either way the approval does not count.
    fn is_member(&mut self, org: &str, slug: &str, login: &str) -> Result<bool, ApprovalError> {
        let path = format!("/orgs/{org}/teams/{slug}/memberships/{login}");
        let url = format!("{}{path}", self.api.url());
        match self.api.fetch(&url, &path) {
            Ok(page) => {
                let value: Value =
                    serde_json::from_str(&page.body).map_err(|e| ApprovalError::Malformed {
                        service: "GitHub",
                        path: path.clone(),
                        why: e.to_string(),
                    })?;
                Ok(value.get("state").and_then(Value::as_str) == Some("active"))
            }
            Err(ApprovalError::Http {
                service: "GitHub",
                status: 404,
                ..
            }) => Ok(false),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activity_names_contents_read() {
        assert!(permission_help("/repos/o/r/activity?ref=refs/heads/x").contains("contents: read"));
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
