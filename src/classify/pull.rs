//! Pull-request signals. An agent-made pull request makes every commit of its
//! range agent-written: its author is an agent's account, its head branch has
//! an agent's prefix, or its body links an agent's session. The catalog holds
//! the data (`logins`, `github_id`s, `branches`, `pr_links`); `agents { … }`
//! turns each signal off. Pure: the facts come from the event payload or the
//! API, read by the edges.

use serde_json::Value;

use super::catalog::{Catalog, Entry, Kind, Settings};
use super::{Class, Classified, Evidence};

/// What plangate reads of a pull request to tell whether an agent made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFacts {
    pub number: u64,
    /// `user.login`.
    pub login: String,
    /// `user.id`.
    pub id: Option<u64>,
    /// `head.ref`.
    pub head_ref: Option<String>,
    /// `body` (GitHub sends null for an empty body).
    pub body: Option<String>,
}

impl PullFacts {
    /// The facts of a pull request object (an event's `pull_request`, or
    /// `GET /repos/{o}/{r}/pulls/{n}`). `Err` names the first field that the
    /// enabled signals need and the object lacks: a signal that cannot be
    /// read cannot be decided.
    pub fn read(pr: &Value, settings: &Settings) -> Result<PullFacts, &'static str> {
        if let Some(missing) = lacking(pr, settings) {
            return Err(missing);
        }
        Ok(PullFacts {
            number: pr.get("number").and_then(Value::as_u64).unwrap_or(0),
            login: pr
                .pointer("/user/login")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            id: pr.pointer("/user/id").and_then(Value::as_u64),
            head_ref: pr
                .pointer("/head/ref")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body: pr.get("body").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

/// Whether any pull-request signal is on.
pub fn enabled(settings: &Settings) -> bool {
    settings.pull_request_author || settings.pull_request_branch || settings.pull_request_links
}

/// The first field of `pr` that an enabled signal needs and `pr` lacks
/// (`body` may be null, never missing).
pub fn lacking(pr: &Value, settings: &Settings) -> Option<&'static str> {
    let str_at = |p: &str| pr.pointer(p).and_then(Value::as_str).is_some();
    if pr.get("number").and_then(Value::as_u64).is_none() {
        return Some("number");
    }
    if settings.pull_request_author {
        if !str_at("/user/login") {
            return Some("user.login");
        }
        if pr.pointer("/user/id").and_then(Value::as_u64).is_none() {
            return Some("user.id");
        }
    }
    if settings.pull_request_branch && !str_at("/head/ref") {
        return Some("head.ref");
    }
    if settings.pull_request_links {
        match pr.get("body") {
            Some(Value::Null) | Some(Value::String(_)) => {}
            _ => return Some("body"),
        }
    }
    None
}

/// The agent signals of a pull request, each naming the agent.
pub fn signals(pr: &PullFacts, catalog: &Catalog) -> Vec<Evidence> {
    let s = &catalog.settings;
    let mut out = Vec::new();
    let agents = || catalog.entries.iter().filter(|e| e.kind == Kind::Agent);
    if s.pull_request_author
        && let Some(entry) = agents().find(|e| is_account(e, &pr.login, pr.id))
    {
        let id = pr
            .id
            .map(|id| format!(" (GitHub account {id})"))
            .unwrap_or_default();
        out.push(evidence(
            entry,
            format!(
                "pull request #{} was opened by {}{id}, {}'s account",
                pr.number, pr.login, entry.name
            ),
        ));
    }
    if s.pull_request_branch
        && let Some(head) = &pr.head_ref
    {
        let lower = head.to_lowercase();
        for entry in agents() {
            if let Some(prefix) = entry
                .branches
                .iter()
                .find(|p| lower.starts_with(p.as_str()))
            {
                out.push(evidence(
                    entry,
                    format!(
                        "pull request head branch \"{head}\" matches {}'s branch prefix \"{prefix}\"",
                        entry.name
                    ),
                ));
            }
        }
    }
    if s.pull_request_links
        && let Some(body) = &pr.body
    {
        for entry in agents() {
            if let Some(m) = entry.pr_links.iter().find_map(|p| p.find(body)) {
                out.push(evidence(
                    entry,
                    format!(
                        "pull request body links a {} session ({})",
                        entry.name,
                        link_at(body, m.start())
                    ),
                ));
            }
        }
    }
    out
}

/// Whether a GitHub account (a pull request's author, a reviewer) is one of
/// the entry's: by account id (an identity's `github_id` that no display name
/// narrows), or by login (`logins`, or an identity's `login`), case-insensitively.
pub fn is_account(entry: &Entry, login: &str, id: Option<u64>) -> bool {
    let by_id = id.is_some_and(|id| {
        entry
            .identities
            .iter()
            .any(|i| i.github_id == Some(id) && i.name.is_none())
    });
    let login = login.to_lowercase();
    let by_login = !login.is_empty()
        && (entry.logins.contains(&login)
            || entry
                .identities
                .iter()
                .any(|i| i.login.as_deref() == Some(login.as_str())));
    by_id || by_login
}

fn evidence(entry: &Entry, text: String) -> Evidence {
    Evidence {
        class: Class::Agent,
        who: Some(entry.name.clone()),
        text,
    }
}

/// The link that starts at `start`, up to the first character that ends a
/// link in Markdown text, at most 120 characters.
fn link_at(body: &str, start: usize) -> String {
    let rest = &body[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '\'' | '<'))
        .unwrap_or(rest.len());
    let link = &rest[..end];
    if link.chars().count() > 120 {
        format!("{}…", link.chars().take(120).collect::<String>())
    } else {
        link.to_owned()
    }
}

/// A commit's class once its pull request's agent signals are known: any
/// signal makes it agent-written. An agent commit keeps its own evidence and
/// name, and gains the pull request's; a human or bot commit's is replaced,
/// as `classify` shows only the deciding class's evidence.
pub fn apply(by: Classified, pull: &[Evidence]) -> Classified {
    if pull.is_empty() {
        return by;
    }
    let texts = pull.iter().map(|e| e.text.clone());
    if by.class == Class::Agent {
        let mut evidence = by.evidence;
        for t in texts {
            if !evidence.contains(&t) {
                evidence.push(t);
            }
        }
        return Classified { evidence, ..by };
    }
    Classified {
        class: Class::Agent,
        name: pull.iter().find_map(|e| e.who.clone()),
        evidence: texts.collect(),
        own: by.own,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(login: &str, id: u64, head: &str, body: Option<&str>) -> PullFacts {
        PullFacts {
            number: 7,
            login: login.into(),
            id: Some(id),
            head_ref: Some(head.into()),
            body: body.map(str::to_owned),
        }
    }

    fn texts(pr: &PullFacts, catalog: &Catalog) -> Vec<String> {
        signals(pr, catalog).into_iter().map(|e| e.text).collect()
    }

    #[test]
    fn agent_accounts_open_agent_pull_requests_by_id_or_login() {
        let c = Catalog::builtin().unwrap();
        let by_id = facts("Copilot", 198982749, "feature", None);
        assert_eq!(
            texts(&by_id, &c),
            [
                "pull request #7 was opened by Copilot (GitHub account 198982749), copilot-coding-agent's account"
            ]
        );
        // A login alone (another id) still names the account, whatever its case.
        let by_login = facts("Devin-AI-Integration[bot]", 1, "feature", None);
        assert_eq!(signals(&by_login, &c)[0].who.as_deref(), Some("devin"));
        // A person named claude (account 81847) is not the claude[bot] app.
        assert!(texts(&facts("claude", 81847, "feature", None), &c).is_empty());
    }

    #[test]
    fn branch_prefixes_and_session_links_name_the_agent() {
        let c = Catalog::builtin().unwrap();
        let pr = facts("alice", 3, "codex/fix-db", None);
        assert_eq!(
            texts(&pr, &c),
            ["pull request head branch \"codex/fix-db\" matches codex's branch prefix \"codex/\""]
        );
        let body = "Fixes the db.\n\n[Devin run](https://app.devin.ai/sessions/0a1b2c3d) done";
        let pr = facts("alice", 3, "feature", Some(body));
        assert_eq!(
            texts(&pr, &c),
            ["pull request body links a devin session (https://app.devin.ai/sessions/0a1b2c3d)"]
        );
        // Naming an agent is not linking its session; nor is a branch that
        // merely contains an agent's name.
        let pr = facts(
            "alice",
            3,
            "fix-codex/x",
            Some("Addresses Codex and Devin review comments; see app.devin.ai docs"),
        );
        assert!(texts(&pr, &c).is_empty());
    }

    #[test]
    fn each_signal_turns_off() {
        let mut c = Catalog::builtin().unwrap();
        let pr = facts(
            "Copilot",
            198982749,
            "copilot/fix",
            Some("https://chatgpt.com/codex/tasks/task_e_12ab"),
        );
        assert_eq!(signals(&pr, &c).len(), 3);
        c.settings.pull_request_author = false;
        assert_eq!(signals(&pr, &c).len(), 2);
        c.settings.pull_request_branch = false;
        assert_eq!(signals(&pr, &c).len(), 1);
        c.settings.pull_request_links = false;
        assert!(signals(&pr, &c).is_empty());
        assert!(!enabled(&c.settings));
    }

    #[test]
    fn missing_facts_of_enabled_signals_are_named() {
        let mut s = Settings::default();
        let full = json!({"number": 7, "user": {"login": "a", "id": 1}, "head": {"ref": "x"}, "body": null});
        assert!(PullFacts::read(&full, &s).is_ok());
        for (pointer, field) in [
            ("/user/id", "user.id"),
            ("/head/ref", "head.ref"),
            ("/body", "body"),
        ] {
            let mut pr = full.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            let parent = if parent.is_empty() {
                &mut pr
            } else {
                pr.pointer_mut(parent).unwrap()
            };
            parent.as_object_mut().unwrap().remove(key);
            assert_eq!(PullFacts::read(&pr, &s), Err(field));
        }
        // A signal that is off needs nothing.
        s.pull_request_branch = false;
        let no_head = json!({"number": 7, "user": {"login": "a", "id": 1}, "body": "x"});
        assert!(PullFacts::read(&no_head, &s).is_ok());
    }

    #[test]
    fn a_signal_makes_human_and_bot_commits_agent_and_adds_to_agent_ones() {
        let c = Catalog::builtin().unwrap();
        let found = signals(&facts("alice", 3, "cursor/x", None), &c);
        let human = Classified {
            class: Class::Human,
            name: None,
            evidence: vec!["no agent or bot signal".into()],
            own: Class::Human,
        };
        let got = apply(human.clone(), &found);
        assert_eq!((got.class, got.agent()), (Class::Agent, Some("cursor")));
        assert_eq!(got.own, Class::Human, "its own marks' class is kept");
        assert_eq!(got.evidence, [found[0].text.clone()]);
        let agent = Classified {
            class: Class::Agent,
            name: Some("claude-code".into()),
            evidence: vec!["trailer".into()],
            own: Class::Agent,
        };
        let got = apply(agent, &found);
        assert_eq!(got.agent(), Some("claude-code"));
        assert_eq!(got.evidence, ["trailer".to_owned(), found[0].text.clone()]);
        assert_eq!(apply(human.clone(), &[]), human);
    }
}
