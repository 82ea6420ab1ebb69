//! The GitLab REST API edge: a merge request, its versions (each push's
//! head, newest first) and its approvals, and group membership, mapped onto
//! the same [`Reviews`] GitHub's reviews become, so that one judge decides.
//!
//! GitLab records no commit on an approval, only when it was given
//! (`approved_by[].approved_at`). An approval is taken as given on the head
//! of the merge request's version that was newest at that moment: given after
//! the last push, it approves the head; given before, the head it saw. An
//! approval without its time, versions that do not end at the merge
//! request's head, a time that cannot be read: exit 2, never a guess.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::http::{Api, Calls};
use super::{ApprovalError, PullRequest, Review, Reviews, Teams};
use crate::classify::pull::PullFacts;

const SERVICE: &str = "GitLab";

const CALLS: Calls = Calls {
    service: SERVICE,
    auth: ("PRIVATE-TOKEN", ""),
    headers: &[("Accept", "application/json")],
    help: permission_help,
};

#[derive(Debug)]
pub struct GitLab {
    api: Api,
    /// The project's id (or URL-encoded path), as `:id` in the API's paths.
    project: String,
}

/// One version of a merge request: a push, and the head it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub head: String,
    pub created_at: Timestamp,
}

impl GitLab {
    pub fn new(api: &str, token: &str, project: &str, backoff: Duration) -> GitLab {
        GitLab {
            api: Api::new(CALLS, api, token, backoff),
            project: project.to_owned(),
        }
    }

    /// The client for the project the pipeline runs in: `CI_API_V4_URL`,
    /// `CI_PROJECT_ID` and the token in `PLANGATE_GITLAB_TOKEN`.
    pub fn from_env(env: &HashMap<String, String>) -> Result<GitLab, ApprovalError> {
        let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        let token =
            var("PLANGATE_GITLAB_TOKEN").ok_or_else(|| ApprovalError::GitLabEnvironment {
                what: match var("CI_JOB_TOKEN") {
                    Some(_) => "PLANGATE_GITLAB_TOKEN is not set, and the job token cannot read \
                            approvals"
                        .into(),
                    None => "PLANGATE_GITLAB_TOKEN is not set".into(),
                },
            })?;
        let api = var("CI_API_V4_URL").ok_or_else(|| ApprovalError::GitLabEnvironment {
            what: "CI_API_V4_URL is not set (GitLab CI sets it in every job)".into(),
        })?;
        let project = var("CI_PROJECT_ID").ok_or_else(|| ApprovalError::GitLabEnvironment {
            what: "CI_PROJECT_ID is not set (GitLab CI sets it in every job)".into(),
        })?;
        Ok(GitLab {
            api: Api::new(CALLS, &api, &token, Duration::ZERO).tuned(env),
            project: encode_path(&project),
        })
    }

    /// `GET /projects/:id/merge_requests/:iid`, with the path it was read from.
    pub fn merge_request(&self, iid: u64) -> Result<(String, Value), ApprovalError> {
        let path = format!("/projects/{}/merge_requests/{iid}", self.project);
        let mr = self.api.get_one(&path)?;
        Ok((path, mr))
    }

    /// Keep one note on merge request `iid` with `body`: update the note
    /// that carries `marker`, or create it. Returns its URL, when GitLab
    /// gives one.
    pub fn upsert_note(&self, iid: u64, marker: &str, body: &str) -> Result<String, ApprovalError> {
        let list = format!("/projects/{}/merge_requests/{iid}/notes", self.project);
        let existing = self.api.get_all(&list)?.into_iter().find(|n| {
            n.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.contains(marker))
        });
        let payload = serde_json::json!({ "body": body }).to_string();
        let help = "keeping the merge request note needs a token with the `api` scope and at \
                    least the Reporter role in PLANGATE_GITLAB_TOKEN";
        match existing
            .as_ref()
            .and_then(|n| n.get("id"))
            .and_then(Value::as_u64)
        {
            Some(id) => self
                .api
                .send("PUT", &format!("{list}/{id}"), &payload, help),
            None => self.api.send("POST", &list, &payload, help),
        }
    }

    /// Everything the judge needs for merge request `iid`.
    pub fn reviews(&self, iid: u64) -> Result<Reviews, ApprovalError> {
        let (base, mr) = self.merge_request(iid)?;
        let malformed = |path: &str, why: String| ApprovalError::Malformed {
            service: SERVICE,
            path: path.to_owned(),
            why,
        };
        let pull_request = merge_request(&mr).map_err(|why| malformed(&base, why))?;
        let versions_path = format!("{base}/versions");
        let versions = self
            .api
            .get_all(&versions_path)?
            .iter()
            .map(version)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|why| malformed(&versions_path, why))?;
        let approvals_path = format!("{base}/approvals");
        let approvals = self.api.get_one(&approvals_path)?;
        let reviews = approvals_on(iid, &pull_request.head_sha, &versions, &approvals).map_err(
            |e| match e {
                Mapped::Malformed(why) => malformed(&approvals_path, why),
                Mapped::Undecidable(why) => ApprovalError::GitLabApprovals { iid, why },
            },
        )?;
        Ok(Reviews {
            pull_request: Some(pull_request),
            reviews,
            commit_logins: HashMap::new(),
            pushers: None,
        })
    }
}

impl Teams for GitLab {
    /// Membership of the group `org/slug` (subgroups as `org/sub/…`),
    /// inherited membership included, of the user named `login`. A group or
    /// user GitLab does not show this token is no membership.
    fn is_member(&mut self, org: &str, slug: &str, login: &str) -> Result<bool, ApprovalError> {
        let users_path = format!("/users?username={}", super::http::encode(login));
        let users = self.api.get_all(&users_path)?;
        let Some(id) = users
            .iter()
            .find(|u| {
                u.get("username")
                    .and_then(Value::as_str)
                    .is_some_and(|u| u.eq_ignore_ascii_case(login))
            })
            .and_then(|u| u.get("id"))
            .and_then(Value::as_u64)
        else {
            return Ok(false);
        };
        let path = format!(
            "/groups/{}/members/all/{id}",
            encode_path(&format!("{org}/{slug}"))
        );
        match self.api.get_one(&path) {
            Ok(member) => Ok(member.get("state").and_then(Value::as_str) == Some("active")),
            Err(ApprovalError::Http { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Why approvals could not be mapped.
#[derive(Debug, PartialEq, Eq)]
pub enum Mapped {
    /// The answer is not what the API documents.
    Malformed(String),
    /// The answer is well-formed, but cannot show on what an approval was given.
    Undecidable(String),
}

/// Each approval of `approvals` (`GET …/approvals`) as a review of the head
/// it was given on, by `versions` (newest first, as GitLab lists them).
pub fn approvals_on(
    iid: u64,
    head: &str,
    versions: &[Version],
    approvals: &Value,
) -> Result<Vec<Review>, Mapped> {
    let list = approvals
        .get("approved_by")
        .and_then(Value::as_array)
        .ok_or_else(|| Mapped::Malformed("no `approved_by` list".into()))?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    // Newest first by time, whatever order they came in.
    let mut versions = versions.to_vec();
    versions.sort_by_key(|v| std::cmp::Reverse(v.created_at));
    let Some(latest) = versions.first() else {
        return Err(Mapped::Undecidable(
            "GitLab lists no version of the merge request, so no approval can be placed on a \
             push"
                .into(),
        ));
    };
    if !latest.head.eq_ignore_ascii_case(head) {
        return Err(Mapped::Undecidable(format!(
            "its newest version's head is {}, but its head is {head}: GitLab has not yet \
             recorded the last push",
            latest.head
        )));
    }
    list.iter()
        .map(|a| {
            let user = a
                .get("user")
                .filter(|u| u.is_object())
                .ok_or_else(|| Mapped::Malformed("an approval has no `user`".into()))?;
            let at = a
                .get("approved_at")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    let who = user.get("username").and_then(Value::as_str).unwrap_or("?");
                    Mapped::Undecidable(format!(
                        "the approval by {who} has no `approved_at`, so whether it was given \
                         after the last push cannot be told (merge request !{iid})"
                    ))
                })?;
            let at = time(at).map_err(Mapped::Malformed)?;
            // The newest version made before the approval: what it approved.
            let seen = versions.iter().find(|v| v.created_at <= at);
            let login = user
                .get("username")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Ok(Review {
                user_type: user_type(user, &login),
                user_id: user.get("id").and_then(Value::as_u64),
                login,
                state: "APPROVED".into(),
                commit_id: seen.map(|v| v.head.clone()),
            })
        })
        .collect()
}

/// `Bot` for the users GitLab makes for access tokens and its own internal
/// users, else `User`. The approvals API gives no `bot` field; these
/// accounts are told by their usernames.
fn user_type(user: &Value, login: &str) -> String {
    let l = login.to_ascii_lowercase();
    let token_bot = ["project_", "group_"].iter().any(|p| {
        l.strip_prefix(p)
            .and_then(|rest| rest.split_once("_bot"))
            .is_some_and(|(id, _)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    });
    let internal = matches!(
        l.as_str(),
        "ghost" | "support-bot" | "alert-bot" | "gitlab-admin-bot" | "gitlab-security-bot"
    );
    let flagged = user.get("bot").and_then(Value::as_bool) == Some(true);
    if token_bot || internal || flagged {
        "Bot".into()
    } else {
        "User".into()
    }
}

/// What the agent signals read of a merge request: its author's username,
/// its source branch, its description. GitLab's user ids are not GitHub's,
/// so none is given (the catalog's account ids are GitHub's). `Err` names a
/// field the object lacks.
pub fn pull_facts(mr: &Value) -> Result<PullFacts, &'static str> {
    Ok(PullFacts {
        number: mr.get("iid").and_then(Value::as_u64).ok_or("iid")?,
        login: mr
            .pointer("/author/username")
            .and_then(Value::as_str)
            .ok_or("author.username")?
            .to_owned(),
        id: None,
        head_ref: Some(
            mr.get("source_branch")
                .and_then(Value::as_str)
                .ok_or("source_branch")?
                .to_owned(),
        ),
        body: mr
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// A merge request object as the pull request the approvals are for.
fn merge_request(mr: &Value) -> Result<PullRequest, String> {
    let text = |p: &str| mr.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Ok(PullRequest {
        number: mr
            .get("iid")
            .and_then(Value::as_u64)
            .ok_or("the merge request has no `iid`")?,
        author: text("/author/username").ok_or("the merge request has no `author.username`")?,
        author_id: mr.pointer("/author/id").and_then(Value::as_u64),
        head_sha: text("/sha").ok_or("the merge request has no `sha`")?,
        head_ref: text("/source_branch"),
        head_repo: None,
    })
}

fn version(v: &Value) -> Result<Version, String> {
    Ok(Version {
        head: v
            .get("head_commit_sha")
            .and_then(Value::as_str)
            .ok_or("a version has no `head_commit_sha`")?
            .to_owned(),
        created_at: time(
            v.get("created_at")
                .and_then(Value::as_str)
                .ok_or("a version has no `created_at`")?,
        )?,
    })
}

fn time(text: &str) -> Result<Timestamp, String> {
    text.parse()
        .map_err(|e| format!("`{text}` is not a time plangate reads ({e})"))
}

/// A project or group path as one `:id` segment (`acme/infra` → `acme%2Finfra`).
fn encode_path(path: &str) -> String {
    super::http::encode(path).replace('/', "%2F")
}

/// What a token refused for a path needs.
fn permission_help(path: &str) -> String {
    if path.starts_with("/groups/") || path.starts_with("/users") {
        "reading group membership needs a token that can see the group (`read_api`, and a \
         member of the group or an administrator behind it)"
            .into()
    } else if path.contains("/notes") {
        "keeping the merge request note needs a token with the `api` scope and at least the \
         Reporter role"
            .into()
    } else {
        "give plangate a project or group access token with the `read_api` scope in \
         PLANGATE_GITLAB_TOKEN (the job token, CI_JOB_TOKEN, cannot read approvals)"
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn versions() -> Vec<Version> {
        vec![
            Version {
                head: B.into(),
                created_at: "2026-01-02T12:00:00.500Z".parse().unwrap(),
            },
            Version {
                head: A.into(),
                created_at: "2026-01-02T10:00:00Z".parse().unwrap(),
            },
        ]
    }

    fn approval(login: &str, id: u64, at: &str) -> Value {
        json!({"user": {"id": id, "username": login, "name": login, "state": "active"},
               "approved_at": at})
    }

    #[test]
    fn an_approval_is_of_the_version_newest_when_it_was_given() {
        let reviews = approvals_on(
            7,
            B,
            &versions(),
            &json!({"approved_by": [
                approval("carol", 3, "2026-01-02T11:00:00Z"),
                // The same instant written with an offset, after the last push.
                approval("dave", 4, "2026-01-02T13:00:01+01:00"),
                approval("erin", 5, "2026-01-02T12:00:00.500Z"),
                approval("early", 6, "2026-01-01T00:00:00Z"),
            ]}),
        )
        .unwrap();
        let of: Vec<(&str, Option<&str>)> = reviews
            .iter()
            .map(|r| (r.login.as_str(), r.commit_id.as_deref()))
            .collect();
        assert_eq!(
            of,
            [
                ("carol", Some(A)),
                ("dave", Some(B)),
                ("erin", Some(B)),
                ("early", None)
            ]
        );
        assert!(reviews.iter().all(|r| r.state == "APPROVED"));
        assert_eq!(reviews[0].user_id, Some(3));
    }

    #[test]
    fn what_cannot_show_the_head_is_undecidable() {
        let no_time = json!({"approved_by": [{"user": {"id": 3, "username": "carol"}}]});
        assert!(matches!(
            approvals_on(7, B, &versions(), &no_time),
            Err(Mapped::Undecidable(why)) if why.contains("approved_at")
        ));
        let one = json!({"approved_by": [approval("carol", 3, "2026-01-02T13:00:00Z")]});
        // The last push is not among the versions yet.
        assert!(matches!(
            approvals_on(7, "cccc", &versions(), &one),
            Err(Mapped::Undecidable(why)) if why.contains("not yet recorded")
        ));
        assert!(matches!(
            approvals_on(7, B, &[], &one),
            Err(Mapped::Undecidable(_))
        ));
        assert!(matches!(
            approvals_on(
                7,
                B,
                &versions(),
                &json!({"approved_by": [{"user": {"id": 3}, "approved_at": "yesterday"}]})
            ),
            Err(Mapped::Malformed(_))
        ));
        assert!(matches!(
            approvals_on(7, B, &versions(), &json!({})),
            Err(Mapped::Malformed(_))
        ));
        // No approval needs no versions.
        assert_eq!(
            approvals_on(7, B, &[], &json!({"approved_by": []})),
            Ok(Vec::new())
        );
    }

    #[test]
    fn token_users_and_internal_users_are_bots() {
        for (login, kind) in [
            ("project_123_bot_3f2a1b", "Bot"),
            ("project_9_bot2", "Bot"),
            ("group_77_bot_ab12", "Bot"),
            ("ghost", "Bot"),
            ("carol", "User"),
            ("project_manager_bot", "User"),
        ] {
            assert_eq!(user_type(&json!({}), login), kind, "{login}");
        }
        assert_eq!(user_type(&json!({"bot": true}), "renovate"), "Bot");
    }

    #[test]
    fn a_path_is_one_segment() {
        assert_eq!(encode_path("acme/infra"), "acme%2Finfra");
        assert_eq!(encode_path("42"), "42");
    }
}
