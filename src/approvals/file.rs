//! Approvals offline: a saved `GET /repos/{o}/{r}/pulls/{n}/reviews` response,
//! with the pull request taken from an event payload. The file is that JSON
//! array, or an object `{"reviews": [...], "pushes": [...]}` whose `pushes`
//! are a saved `GET /repos/{o}/{r}/activity?ref=refs/heads/{head}` response.

use serde_json::Value;

use super::pushes::{Push, push};
use super::{ApprovalError, PullRequest, Review, Reviews};

/// Reviews from a JSON array as the API returns them, read as strictly as the
/// API's answer ([`review_fields`]).
pub fn parse_reviews(path: &str, text: &str) -> Result<Vec<Review>, ApprovalError> {
    Ok(parse(path, text)?.0)
}

/// The reviews of a reviews file, and its pushes when it has them.
pub fn parse(path: &str, text: &str) -> Result<(Vec<Review>, Option<Vec<Push>>), ApprovalError> {
    let bad = |why: String| ApprovalError::File {
        path: path.to_owned(),
        why,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let (items, pushes) = match &value {
        Value::Array(items) => (items, None),
        Value::Object(fields) => {
            if let Some(key) = fields.keys().find(|k| *k != "reviews" && *k != "pushes") {
                return Err(bad(format!(
                    "it has `{key}`: only `reviews` and `pushes` are read"
                )));
            }
            let items = fields
                .get("reviews")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("its `reviews` is not a JSON array of reviews".into()))?;
            let pushes = match fields.get("pushes") {
                None => None,
                Some(Value::Array(list)) => Some(
                    list.iter()
                        .enumerate()
                        .map(|(i, item)| {
                            push(item).map_err(|why| bad(format!("push {}: {why}", i + 1)))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                Some(_) => {
                    return Err(bad(
                        "its `pushes` is not a JSON array of activity entries".into()
                    ));
                }
            };
            (items, pushes)
        }
        _ => return Err(bad("it is not a JSON array of reviews".into())),
    };
    let reviews = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            review_fields(item)
                .and_then(|()| review(item))
                .map_err(|why| bad(format!("review {}: {why}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((reviews, pushes))
}

/// The fields of a review that `review` reads as absent but GitHub always
/// sends (`user` and `commit_id` may be null, never missing). A review whose
/// `user` is missing would be nobody's, and would not withdraw its author's
/// earlier approval.
pub fn review_fields(item: &Value) -> Result<(), String> {
    if item.get("id").and_then(Value::as_u64).is_none() {
        return Err("a review has no `id`".into());
    }
    match ["user", "state", "commit_id"]
        .into_iter()
        .find(|key| item.get(key).is_none())
    {
        Some(key) => Err(format!("a review has no `{key}`")),
        None => Ok(()),
    }
}

/// One review object; `Err` says which field is wrong. A `user` without its
/// `login`, `id` or `type` is read with that fact empty, and such a review
/// approves nothing (the judge says why); a null `user` is a deleted account.
pub fn review(item: &Value) -> Result<Review, String> {
    let state = item
        .get("state")
        .and_then(Value::as_str)
        .ok_or("it has no `state`")?;
    let user = item.get("user").filter(|u| !u.is_null());
    // A deleted account shows as a null user: nobody who can approve.
    let (login, user_id, user_type) = match user {
        // Whose review it is must be known even when it approves nothing: a
        // later request for changes withdraws that reviewer's approval.
        Some(u)
            if u.get("login").and_then(Value::as_str).is_none()
                && u.get("id").and_then(Value::as_u64).is_none() =>
        {
            return Err(
                "its `user` has neither a `login` nor an `id`: whose review it is cannot be told"
                    .into(),
            );
        }
        Some(u) => (
            u.get("login")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            u.get("id").and_then(Value::as_u64),
            u.get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ),
        None => ("ghost".to_owned(), None, "deleted".to_owned()),
    };
    Ok(Review {
        login,
        user_id,
        user_type,
        state: state.to_owned(),
        commit_id: item
            .get("commit_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// The pull request of a `pull_request*` event payload.
pub fn pull_request_of_event(path: &str, text: &str) -> Result<PullRequest, ApprovalError> {
    let bad = |why: &str| ApprovalError::Event {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let pr = value
        .get("pull_request")
        .ok_or_else(|| bad("it has no `pull_request`: it is not a pull request event"))?;
    pull_request(pr).map_err(|why| bad(&why))
}

/// A pull request object (from an event or `GET /pulls/{n}`).
pub fn pull_request(pr: &Value) -> Result<PullRequest, String> {
    Ok(PullRequest {
        number: pr
            .get("number")
            .and_then(Value::as_u64)
            .ok_or("the pull request has no `number`")?,
        author: pr
            .pointer("/user/login")
            .and_then(Value::as_str)
            .ok_or("the pull request has no `user.login`")?
            .to_owned(),
        author_id: pr.pointer("/user/id").and_then(Value::as_u64),
        head_sha: pr
            .pointer("/head/sha")
            .and_then(Value::as_str)
            .ok_or("the pull request has no `head.sha`")?
            .to_owned(),
        head_ref: pr
            .pointer("/head/ref")
            .and_then(Value::as_str)
            .map(str::to_owned),
        head_repo: pr
            .pointer("/head/repo/full_name")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// Reviews read from files: `--approvals FILE` and `--event FILE`, with the
/// file's pushes when it has them (placed on the history by the caller).
pub fn read(
    reviews_path: &str,
    event_path: Option<&str>,
) -> Result<(Reviews, Option<Vec<Push>>), ApprovalError> {
    let io = |path: &str, e: std::io::Error| ApprovalError::File {
        path: path.to_owned(),
        why: e.to_string(),
    };
    let text = std::fs::read_to_string(reviews_path).map_err(|e| io(reviews_path, e))?;
    let (reviews, pushes) = parse(reviews_path, &text)?;
    let event = event_path.ok_or(ApprovalError::NoEvent)?;
    let event_text = std::fs::read_to_string(event).map_err(|e| ApprovalError::Event {
        path: event.to_owned(),
        why: e.to_string(),
    })?;
    let reviews = Reviews {
        pull_request: Some(pull_request_of_event(event, &event_text)?),
        reviews,
        commit_logins: Default::default(),
        pushers: None,
    };
    Ok((reviews, pushes))
}
