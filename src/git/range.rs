//! Which commits a run is about. The request is decided from plain inputs
//! (flags, environment, the GitHub event payload) by a pure function; resolving
//! it against the repository is [`super::Git::resolve`].

use std::collections::HashMap;

use serde_json::Value;

use super::GitError;

/// Where the range came from, for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RangeSource {
    /// `--base` / `--head`.
    Flags,
    /// A GitHub Actions pull request event (`pull_request`, `pull_request_target`,
    /// `pull_request_review`, …).
    PullRequest { number: Option<u64> },
    /// A GitHub Actions `merge_group` event.
    MergeGroup,
    /// A GitHub Actions `push` event, or a GitLab CI branch pipeline.
    Push,
    /// A GitLab CI merge request pipeline (`CI_MERGE_REQUEST_IID`).
    MergeRequest { iid: Option<u64> },
    /// A pre-commit pre-push hook (`PRE_COMMIT_FROM_REF` / `PRE_COMMIT_TO_REF`).
    PreCommit,
    /// The local branch's upstream.
    Upstream,
}

/// What the caller asked for, before git has been asked anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeRequest {
    /// A revision, or `None` for "the merge base with the default branch".
    pub base: Option<String>,
    pub head: String,
    pub source: RangeSource,
    /// The default branch to fall back to when `base` is `None` (from the event
    /// payload when it says; otherwise the remote's HEAD is asked).
    pub default_branch: Option<String>,
}

/// The resolved range: commits reachable from `head` and not from `base`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Range {
    pub base: String,
    pub head: String,
    /// Where `head` left `base`'s history: the "before" of the whole change.
    pub merge_base: String,
    pub source: RangeSource,
}

/// git's name for "no commit" in push events and pre-push hooks.
fn is_zero(rev: &str) -> bool {
    !rev.is_empty() && rev.bytes().all(|b| b == b'0')
}

impl RangeRequest {
    /// Decide the range request. Precedence: flags, then GitHub Actions, then
    /// GitLab CI, then a pre-commit pre-push hook, then the upstream branch.
    ///
    /// `env` holds the process environment; `event` the parsed `GITHUB_EVENT_PATH`.
    pub fn new(
        base: Option<&str>,
        head: Option<&str>,
        env: &HashMap<String, String>,
        event: Option<&Value>,
    ) -> Result<RangeRequest, GitError> {
        request(base, head, env, event)
    }
}

fn request(
    base: Option<&str>,
    head: Option<&str>,
    env: &HashMap<String, String>,
    event: Option<&Value>,
) -> Result<RangeRequest, GitError> {
    let var = |k: &str| env.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if let Some(base) = base {
        return Ok(RangeRequest {
            base: Some(base.to_owned()),
            head: head.unwrap_or("HEAD").to_owned(),
            source: RangeSource::Flags,
            default_branch: None,
        });
    }
    if var("GITHUB_ACTIONS") == Some("true")
        && let Some(event) = event
    {
        return from_event(var("GITHUB_EVENT_NAME").unwrap_or(""), event, head);
    }
    if var("GITLAB_CI") == Some("true") {
        return from_gitlab(&var, head);
    }
    if let (Some(from), Some(to)) = (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF")) {
        return Ok(RangeRequest {
            base: (!is_zero(from)).then(|| from.to_owned()),
            head: head.unwrap_or(to).to_owned(),
            source: RangeSource::PreCommit,
            default_branch: None,
        });
    }
    Ok(RangeRequest {
        base: Some("@{upstream}".to_owned()),
        head: head.unwrap_or("HEAD").to_owned(),
        source: RangeSource::Upstream,
        default_branch: None,
    })
}

/// GitLab CI: a merge request pipeline's diff base and the commit the job
/// checked out; a branch pipeline's push (`CI_COMMIT_BEFORE_SHA`, all zeros
/// for a new branch, which is then compared with the default branch).
///
/// In a merged-results pipeline the commit checked out is the merge of the
/// source and the target branch: the range from the diff base then also
/// holds the target branch's newer commits, which can only widen what a
/// finding is attributed to.
fn from_gitlab<'a>(
    var: &dyn Fn(&str) -> Option<&'a str>,
    head: Option<&str>,
) -> Result<RangeRequest, GitError> {
    let missing = |what: &str| GitError::NoRange {
        why: format!("GitLab CI did not set {what}"),
    };
    let checked = match head {
        Some(h) => h.to_owned(),
        None => var("CI_COMMIT_SHA")
            .ok_or_else(|| missing("CI_COMMIT_SHA"))?
            .to_owned(),
    };
    let default_branch = var("CI_DEFAULT_BRANCH").map(str::to_owned);
    if let Some(iid) = var("CI_MERGE_REQUEST_IID") {
        let base = var("CI_MERGE_REQUEST_DIFF_BASE_SHA")
            .ok_or_else(|| missing("CI_MERGE_REQUEST_DIFF_BASE_SHA in a merge request pipeline"))?;
        return Ok(RangeRequest {
            base: Some(base.to_owned()),
            head: checked,
            source: RangeSource::MergeRequest {
                iid: iid.parse().ok(),
            },
            default_branch,
        });
    }
    let before = var("CI_COMMIT_BEFORE_SHA").filter(|b| !is_zero(b));
    Ok(RangeRequest {
        base: before.map(str::to_owned),
        head: checked,
        source: RangeSource::Push,
        default_branch,
    })
}

fn from_event(name: &str, event: &Value, head: Option<&str>) -> Result<RangeRequest, GitError> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let default_branch = event.pointer("/repository/default_branch").and_then(text);
    let missing = |what: &str| GitError::NoRange {
        why: format!("the `{name}` event payload has no {what}"),
    };
    let (base, event_head, source) = if let Some(pr) = event.get("pull_request") {
        (
            pr.pointer("/base/sha")
                .and_then(text)
                .ok_or_else(|| missing("pull_request.base.sha"))?,
            pr.pointer("/head/sha")
                .and_then(text)
                .ok_or_else(|| missing("pull_request.head.sha"))?,
            RangeSource::PullRequest {
                number: pr.get("number").and_then(Value::as_u64),
            },
        )
    } else if let Some(mg) = event.get("merge_group") {
        (
            mg.get("base_sha")
                .and_then(text)
                .ok_or_else(|| missing("merge_group.base_sha"))?,
            mg.get("head_sha")
                .and_then(text)
                .ok_or_else(|| missing("merge_group.head_sha"))?,
            RangeSource::MergeGroup,
        )
    } else if let (Some(before), Some(after)) = (event.get("before"), event.get("after")) {
        (
            text(before).ok_or_else(|| missing("before"))?,
            text(after).ok_or_else(|| missing("after"))?,
            RangeSource::Push,
        )
    } else {
        return Err(GitError::NoRange {
            why: format!(
                "the `{name}` event is not a pull request, merge group or push, so it names no commits"
            ),
        });
    };
    Ok(RangeRequest {
        // A push that creates a branch has an all-zero `before`.
        base: (!is_zero(&base)).then_some(base),
        head: head.map_or(event_head, str::to_owned),
        source,
        default_branch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_win_over_everything() {
        let e = env(&[("GITHUB_ACTIONS", "true"), ("PRE_COMMIT_FROM_REF", "a")]);
        let r = request(
            Some("main"),
            None,
            &e,
            Some(&json!({"before":"x","after":"y"})),
        )
        .unwrap();
        assert_eq!(r.base.as_deref(), Some("main"));
        assert_eq!(r.head, "HEAD");
        assert_eq!(r.source, RangeSource::Flags);
    }

    #[test]
    fn a_pull_request_event_names_base_and_head() {
        let e = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request_review"),
        ]);
        let ev = json!({"pull_request": {"number": 7, "base": {"sha": "b1"}, "head": {"sha": "h1"}},
                        "repository": {"default_branch": "trunk"}});
        let r = request(None, None, &e, Some(&ev)).unwrap();
        assert_eq!((r.base.as_deref(), r.head.as_str()), (Some("b1"), "h1"));
        assert_eq!(r.source, RangeSource::PullRequest { number: Some(7) });
        assert_eq!(r.default_branch.as_deref(), Some("trunk"));
    }

    #[test]
    fn merge_group_and_push_events() {
        let e = env(&[("GITHUB_ACTIONS", "true")]);
        let r = request(
            None,
            None,
            &e,
            Some(&json!({"merge_group": {"base_sha": "b", "head_sha": "h"}})),
        )
        .unwrap();
        assert_eq!((r.base.as_deref(), r.head.as_str()), (Some("b"), "h"));
        let zero = "0".repeat(40);
        let r = request(
            None,
            None,
            &e,
            Some(&json!({"before": zero, "after": "h2"})),
        )
        .unwrap();
        assert_eq!((r.base, r.head.as_str()), (None, "h2"), "a new branch");
    }

    #[test]
    fn an_event_that_names_no_commits_is_an_error() {
        let e = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "workflow_dispatch"),
        ]);
        let err = request(None, None, &e, Some(&json!({"inputs": {}}))).unwrap_err();
        assert!(err.to_string().contains("workflow_dispatch"));
    }

    #[test]
    fn a_pre_push_hook_gives_the_pushed_range() {
        let zero = "0".repeat(40);
        let e = env(&[("PRE_COMMIT_FROM_REF", &zero), ("PRE_COMMIT_TO_REF", "abc")]);
        let r = request(None, None, &e, None).unwrap();
        assert_eq!((r.base, r.head.as_str()), (None, "abc"));
        assert_eq!(r.source, RangeSource::PreCommit);
    }

    #[test]
    fn gitlab_ci_names_the_merge_requests_diff_base_or_the_push() {
        let e = env(&[
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "b1"),
            ("CI_COMMIT_SHA", "h1"),
            ("CI_DEFAULT_BRANCH", "trunk"),
        ]);
        let r = request(None, None, &e, None).unwrap();
        assert_eq!((r.base.as_deref(), r.head.as_str()), (Some("b1"), "h1"));
        assert_eq!(r.source, RangeSource::MergeRequest { iid: Some(12) });
        assert_eq!(r.default_branch.as_deref(), Some("trunk"));
        let zero = "0".repeat(40);
        let e = env(&[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_BEFORE_SHA", &zero),
            ("CI_COMMIT_SHA", "h2"),
        ]);
        let r = request(None, None, &e, None).unwrap();
        assert_eq!((r.base, r.head.as_str()), (None, "h2"), "a new branch");
        assert_eq!(r.source, RangeSource::Push);
        let e = env(&[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_BEFORE_SHA", "p"),
            ("CI_COMMIT_SHA", "h3"),
        ]);
        let r = request(None, None, &e, None).unwrap();
        assert_eq!(r.base.as_deref(), Some("p"));
        // A merge request pipeline without its diff base names no range.
        let e = env(&[
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_COMMIT_SHA", "h1"),
        ]);
        let err = request(None, None, &e, None).unwrap_err();
        assert!(err.to_string().contains("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
        // Flags still win.
        let r = request(Some("main"), None, &e, None).unwrap();
        assert_eq!(r.source, RangeSource::Flags);
    }

    #[test]
    fn locally_the_upstream_is_the_base() {
        let r = request(None, None, &env(&[]), None).unwrap();
        assert_eq!(r.base.as_deref(), Some("@{upstream}"));
        assert_eq!(r.source, RangeSource::Upstream);
    }
}
