//! Who pushed the range's commits: the repository activity of the pull
//! request's head ref (`GET /repos/{o}/{r}/activity?ref=refs/heads/{ref}`),
//! mapped onto the range's history.
//!
//! A push introduced the commits reachable from its `after` and not from its
//! `before` (a `branch_creation`, or a `before` of zeros, introduced
//! everything up to `after`). Reachability is read from the range's own
//! history, so it is exact for the commits the range has and fails closed
//! where the range cannot tell:
//!
//! - a `before` the range does not know (rewritten away by a force push)
//!   reaches nothing of the range: the push is taken to have introduced every
//!   range commit up to its `after` (more pushers, never fewer);
//! - an `after` the range does not know (history rewritten away, or a push
//!   beyond the head checked) may have introduced any range commit: its actor
//!   is a possible pusher of all of them ([`Pushers::unplaced`]);
//! - the commits just outside the range (the parents of its oldest commits,
//!   such as the base a branch was created at) reach nothing of it;
//! - a range commit that no push introduced has an unknown pusher
//!   ([`Pushers::unknown`]), and so may have a head nobody is known to have
//!   pushed last ([`LastPusher::Unknown`]).
//!
//! All of this is pure; [`super::github`] reads the entries and
//! [`super::file`] takes them from a saved file.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// The account that pushed, as the activity's `actor` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pusher {
    /// Empty when the actor has no `login`.
    pub login: String,
    pub id: Option<u64>,
}

impl Pusher {
    /// The login, or the account id when there is no login.
    pub fn name(&self) -> String {
        match (self.login.as_str(), self.id) {
            ("", Some(id)) => format!("(account {id})"),
            (l, _) => l.to_owned(),
        }
    }

    /// The same account as a reviewer with `login` and `id`: by account id
    /// first (a login can be renamed, an id cannot), then by login,
    /// case-insensitively.
    pub fn is(&self, login: &str, id: Option<u64>) -> bool {
        if self.id.is_some() && self.id == id {
            return true;
        }
        !self.login.is_empty() && self.login.eq_ignore_ascii_case(login)
    }
}

/// One entry of the repository activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub id: u64,
    pub before: String,
    pub after: String,
    pub activity_type: String,
    /// The ref pushed (`refs/heads/…`, or the bare branch name).
    pub git_ref: String,
    pub timestamp: String,
    /// `None` for a deleted account (a null `actor`).
    pub actor: Option<Pusher>,
}

/// Who pushed the head last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastPusher {
    Account(Pusher),
    /// The account that pushed it last has been deleted: nobody who can review.
    Deleted,
    /// No activity entry left the branch at the head.
    Unknown,
}

/// The pushers of a range's commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushers {
    /// The head ref the activity was read for (`refs/heads/…`), for messages.
    pub git_ref: String,
    /// Every account known to have pushed each range commit.
    pub by_commit: HashMap<String, Vec<Pusher>>,
    /// Pushes whose `after` is not in the range's history: each actor, with
    /// that `after`. Such a push may have introduced any commit of the range.
    pub unplaced: Vec<(Pusher, String)>,
    /// Range commits that no push introduced (oldest first).
    pub unknown: Vec<String>,
    pub last: LastPusher,
}

/// One activity entry; `Err` says which field is wrong. GitHub always sends
/// `id`, `before`, `after`, `ref`, `timestamp`, `activity_type` and `actor`
/// (null for a deleted account); an entry without them cannot be placed.
pub fn push(item: &Value) -> Result<Push, String> {
    let id = item
        .get("id")
        .and_then(Value::as_u64)
        .ok_or("an activity entry has no `id`")?;
    // An earlier version of GitHub's schema (still in published examples)
    // names three fields differently: `pushed_at`, `push_type`, `pusher`.
    let field = |key: &str| item.get(key).or_else(|| item.get(former(key)?));
    let text = |key: &str| -> Result<String, String> {
        field(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("activity entry {id} has no `{key}`"))
    };
    let sha = |key: &str| -> Result<String, String> {
        let value = text(key)?;
        match value.len() >= 7 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            true => Ok(value.to_ascii_lowercase()),
            false => Err(format!(
                "activity entry {id} has `{key}` {value:?}, not a commit id"
            )),
        }
    };
    let actor = match field("actor") {
        None => return Err(format!("activity entry {id} has no `actor`")),
        Some(Value::Null) => None,
        Some(a) => {
            let login = a.get("login").and_then(Value::as_str).unwrap_or_default();
            let account = a.get("id").and_then(Value::as_u64);
            if login.is_empty() && account.is_none() {
                return Err(format!(
                    "activity entry {id} has an `actor` with neither a `login` nor an `id`: who pushed cannot be told"
                ));
            }
            Some(Pusher {
                login: login.to_owned(),
                id: account,
            })
        }
    };
    Ok(Push {
        id,
        before: sha("before")?,
        after: sha("after")?,
        activity_type: text("activity_type")?,
        git_ref: text("ref")?,
        timestamp: text("timestamp")?,
        actor,
    })
}

/// The earlier schema's name for a field of an activity entry.
fn former(key: &str) -> Option<&'static str> {
    match key {
        "timestamp" => Some("pushed_at"),
        "activity_type" => Some("push_type"),
        "actor" => Some("pusher"),
        _ => None,
    }
}

/// git's "no commit".
fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

/// Map `pushes` onto the range's `commits` (each sha with its parents;
/// oldest first) whose head is `head`.
pub fn place(git_ref: &str, pushes: &[Push], commits: &[(&str, &[String])], head: &str) -> Pushers {
    let parents: HashMap<&str, &[String]> = commits.iter().copied().collect();
    // Just outside the range: reachable from it, so older than its base.
    let boundary: HashSet<&str> = commits
        .iter()
        .flat_map(|(_, p)| p.iter().map(String::as_str))
        .filter(|p| !parents.contains_key(p))
        .collect();
    // The range commits reachable from `sha`; `None` when the range cannot tell.
    let reach = |sha: &str| -> Option<HashSet<&str>> {
        if is_zero(sha) || boundary.contains(sha) {
            return Some(HashSet::new());
        }
        let start = parents.get_key_value(sha)?.0;
        let mut seen = HashSet::from([*start]);
        let mut todo = vec![*start];
        while let Some(c) = todo.pop() {
            for p in parents.get(c).copied().unwrap_or_default() {
                if let Some((p, _)) = parents.get_key_value(p.as_str())
                    && seen.insert(p)
                {
                    todo.push(p);
                }
            }
        }
        Some(seen)
    };
    let mut by_commit: HashMap<String, Vec<Pusher>> = HashMap::new();
    let mut accounted: HashSet<&str> = HashSet::new();
    let mut unplaced = Vec::new();
    // Only the head branch's own pushes: a server that ignored the `ref`
    // filter must not let a push of the head's commit to another branch
    // stand in for the last push of this one.
    let bare = git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref);
    let pushes: Vec<&Push> = pushes
        .iter()
        .filter(|p| p.git_ref == git_ref || p.git_ref == bare)
        .collect();
    for p in &pushes {
        if is_zero(&p.after) {
            continue; // a deletion of the branch introduces nothing
        }
        let Some(after) = reach(&p.after) else {
            if let Some(actor) = &p.actor {
                unplaced.push((actor.clone(), p.after.clone()));
            }
            continue;
        };
        let before = match p.activity_type.as_str() {
            "branch_creation" => HashSet::new(),
            _ => reach(&p.before).unwrap_or_default(),
        };
        for c in after.difference(&before) {
            accounted.insert(c);
            if let Some(actor) = &p.actor {
                let list = by_commit.entry((*c).to_owned()).or_default();
                if !list.contains(actor) {
                    list.push(actor.clone());
                }
            }
        }
    }
    let unknown = commits
        .iter()
        .map(|(sha, _)| *sha)
        .filter(|sha| !accounted.contains(sha))
        .map(str::to_owned)
        .collect();
    // The latest entry that left the branch at the head.
    let last = pushes
        .iter()
        .filter(|p| p.after.eq_ignore_ascii_case(head))
        .max_by(|a, b| (&a.timestamp, a.id).cmp(&(&b.timestamp, b.id)))
        .map_or(LastPusher::Unknown, |p| match &p.actor {
            Some(a) => LastPusher::Account(a.clone()),
            None => LastPusher::Deleted,
        });
    Pushers {
        git_ref: git_ref.to_owned(),
        by_commit,
        unplaced,
        unknown,
        last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(c: char) -> String {
        c.to_string().repeat(40)
    }

    const ZERO: &str = "0000000000000000000000000000000000000000";

    fn entry(id: u64, kind: &str, before: &str, after: &str, who: &str) -> Push {
        Push {
            id,
            before: before.into(),
            after: after.into(),
            activity_type: kind.into(),
            git_ref: "refs/heads/feature".into(),
            timestamp: format!("2026-01-02T10:00:{id:02}Z"),
            actor: Some(Pusher {
                login: who.into(),
                id: Some(who.len() as u64 * 100),
            }),
        }
    }

    fn who(p: &Pushers, c: char) -> Vec<String> {
        p.by_commit
            .get(&sha(c))
            .map(|l| l.iter().map(|p| p.login.clone()).collect())
            .unwrap_or_default()
    }

    /// base ← a ← b ← c, as (sha, parents).
    fn linear() -> Vec<(String, Vec<String>)> {
        vec![
            (sha('a'), vec![sha('f')]),
            (sha('b'), vec![sha('a')]),
            (sha('c'), vec![sha('b')]),
        ]
    }

    fn run(history: &[(String, Vec<String>)], pushes: &[Push], head: &str) -> Pushers {
        let commits: Vec<(&str, &[String])> = history
            .iter()
            .map(|(s, p)| (s.as_str(), p.as_slice()))
            .collect();
        place("refs/heads/feature", pushes, &commits, head)
    }

    #[test]
    fn each_push_introduced_what_its_after_reaches_and_its_before_does_not() {
        let pushes = [
            entry(1, "branch_creation", ZERO, &sha('a'), "ann"),
            entry(2, "push", &sha('a'), &sha('c'), "bobby"),
        ];
        let p = run(&linear(), &pushes, &sha('c'));
        assert_eq!(who(&p, 'a'), ["ann"]);
        assert_eq!(who(&p, 'b'), ["bobby"]);
        assert_eq!(who(&p, 'c'), ["bobby"]);
        assert!(p.unknown.is_empty() && p.unplaced.is_empty());
        assert_eq!(
            p.last,
            LastPusher::Account(Pusher {
                login: "bobby".into(),
                id: Some(500)
            })
        );
    }

    #[test]
    fn a_branch_created_at_the_base_introduced_nothing_and_creation_ignores_before() {
        // Created at the base (just outside the range), then pushed.
        let pushes = [
            entry(1, "branch_creation", ZERO, &sha('f'), "ann"),
            entry(2, "push", &sha('f'), &sha('c'), "bobby"),
        ];
        let p = run(&linear(), &pushes, &sha('c'));
        assert_eq!(who(&p, 'a'), ["bobby"]);
        assert!(p.unknown.is_empty() && p.unplaced.is_empty());
        // A creation introduced everything up to its `after`, whatever its before.
        let p = run(
            &linear(),
            &[entry(1, "branch_creation", &sha('b'), &sha('c'), "ann")],
            &sha('c'),
        );
        assert_eq!(
            (who(&p, 'a'), who(&p, 'c')),
            (vec!["ann".into()], vec!["ann".into()])
        );
    }

    #[test]
    fn a_force_push_that_rewrote_history_owns_what_it_rewrote() {
        // ann pushed a ← x (x later dropped); carl force-pushed a ← b ← c.
        let pushes = [
            entry(1, "branch_creation", ZERO, &sha('a'), "ann"),
            entry(2, "push", &sha('a'), &sha('9'), "ann"),
            entry(3, "force_push", &sha('9'), &sha('c'), "carl"),
        ];
        let p = run(&linear(), &pushes, &sha('c'));
        // x (9999…) is not in the range: ann may have pushed anything of it.
        assert_eq!(p.unplaced.len(), 1);
        assert_eq!(p.unplaced[0].0.login, "ann");
        assert_eq!(p.unplaced[0].1, sha('9'));
        // The force push's `before` is unknown: it reaches nothing, so carl
        // is taken to have pushed a too (more pushers, never fewer).
        assert_eq!(who(&p, 'a'), ["ann", "carl"]);
        assert_eq!(who(&p, 'b'), ["carl"]);
        assert_eq!(who(&p, 'c'), ["carl"]);
        assert!(p.unknown.is_empty());
    }

    #[test]
    fn a_range_commit_no_push_explains_has_an_unknown_pusher() {
        // Only c's push is listed (a's and b's are missing).
        let p = run(
            &linear(),
            &[entry(2, "push", &sha('b'), &sha('c'), "bobby")],
            &sha('c'),
        );
        assert_eq!(p.unknown, [sha('a'), sha('b')]);
        assert_eq!(who(&p, 'c'), ["bobby"]);
        // No push left the branch at b: its last pusher is unknown.
        let p = run(
            &linear(),
            &[entry(1, "push", ZERO, &sha('c'), "x")],
            &sha('b'),
        );
        assert_eq!(p.last, LastPusher::Unknown);
    }

    #[test]
    fn merges_are_walked_through_every_parent_and_the_latest_push_of_the_head_is_last() {
        // a ← b, a ← m(b, d) with d ← base: d is reached through m.
        let history = vec![
            (sha('a'), vec![sha('f')]),
            (sha('b'), vec![sha('a')]),
            (sha('d'), vec![sha('f')]),
            (sha('e'), vec![sha('b'), sha('d')]),
        ];
        let pushes = [
            entry(1, "branch_creation", ZERO, &sha('b'), "ann"),
            entry(2, "push", &sha('b'), &sha('e'), "bobby"),
            entry(3, "force_push", &sha('e'), &sha('b'), "carl"),
            entry(4, "force_push", &sha('b'), &sha('e'), "dora"),
        ];
        let p = run(&history, &pushes, &sha('e'));
        assert_eq!(who(&p, 'd'), ["bobby", "dora"]);
        assert_eq!(who(&p, 'a'), ["ann"]);
        match &p.last {
            LastPusher::Account(a) => assert_eq!(a.login, "dora"),
            other => panic!("{other:?}"),
        }
        // In another order of the list, the same.
        let mut reversed = pushes.to_vec();
        reversed.reverse();
        assert_eq!(run(&history, &reversed, &sha('e')).last, p.last);
    }

    #[test]
    fn pushes_of_another_branch_are_not_this_ones() {
        // mallory pushed the head's commit to another branch later: not the
        // last pusher of this branch, whatever the server sent.
        let mut other = entry(3, "branch_creation", ZERO, &sha('c'), "mallory");
        other.git_ref = "refs/heads/elsewhere".into();
        let mut bare = entry(2, "push", &sha('a'), &sha('c'), "op");
        bare.git_ref = "feature".into();
        let pushes = [
            entry(1, "branch_creation", ZERO, &sha('a'), "ann"),
            bare,
            other,
        ];
        let p = run(&linear(), &pushes, &sha('c'));
        assert_eq!(who(&p, 'c'), ["op"]);
        match &p.last {
            LastPusher::Account(a) => assert_eq!(a.login, "op"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_deleted_actor_pushed_but_is_nobody() {
        let mut e = entry(1, "branch_creation", ZERO, &sha('c'), "x");
        e.actor = None;
        let p = run(&linear(), &[e], &sha('c'));
        assert!(p.unknown.is_empty() && p.by_commit.is_empty());
        assert_eq!(p.last, LastPusher::Deleted);
    }

    #[test]
    fn entries_are_read_strictly() {
        let ok = serde_json::json!({
            "id": 1, "node_id": "RA_1", "before": ZERO, "after": sha('c'),
            "ref": "refs/heads/feature", "timestamp": "2026-01-02T10:00:00Z",
            "activity_type": "branch_creation",
            "actor": {"login": "ann", "id": 3, "type": "User"}
        });
        assert_eq!(push(&ok).unwrap().actor.unwrap().id, Some(3));
        for (key, says) in [
            ("id", "no `id`"),
            ("before", "no `before`"),
            ("actor", "no `actor`"),
            ("activity_type", "no `activity_type`"),
        ] {
            let mut bad = ok.clone();
            bad.as_object_mut().unwrap().remove(key);
            assert!(push(&bad).unwrap_err().contains(says), "{key}");
        }
        let mut bad = ok.clone();
        bad["after"] = "main".into();
        assert!(push(&bad).unwrap_err().contains("not a commit id"));
        let mut bad = ok.clone();
        bad["actor"] = serde_json::json!({"type": "User"});
        assert!(
            push(&bad)
                .unwrap_err()
                .contains("neither a `login` nor an `id`")
        );
        let mut deleted = ok.clone();
        deleted["actor"] = Value::Null;
        assert_eq!(push(&deleted).unwrap().actor, None);
        // The earlier schema's names.
        let former = serde_json::json!({
            "id": 2, "node_id": "RA_2", "before": sha('b'), "after": sha('c'),
            "ref": "refs/heads/feature", "pushed_at": "2026-01-02T10:00:00Z",
            "push_type": "normal",
            "pusher": {"login": "bob", "id": 4, "type": "User"}
        });
        let p = push(&former).unwrap();
        assert_eq!(
            (p.actor.unwrap().login, p.activity_type),
            ("bob".into(), "normal".into())
        );
    }
}
