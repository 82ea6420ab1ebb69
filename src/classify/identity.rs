//! Matching a name and e-mail address against the catalog's identities.

use super::catalog::{Catalog, Entry, Identity};

/// Where a person appears in a commit. The aider author suffix applies to the
/// author only: as a committer suffix it marks a human change aider committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Author,
    Committer,
    CoAuthor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Committer => "committer",
            Role::CoAuthor => "co-author",
        }
    }
}

/// A person's name and address, with the GitHub noreply parts pulled out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: String,
    pub email: String,
    pub github_id: Option<u64>,
    pub login: Option<String>,
}

impl Address {
    pub fn new(name: &str, email: &str) -> Address {
        let email = email.trim().to_lowercase();
        let (github_id, login) = noreply(&email);
        Address {
            name: name.trim().to_owned(),
            email,
            github_id,
            login,
        }
    }

    /// `Name <email>`, as in a `Co-authored-by` trailer, or written loosely:
    /// `Name email@host` (no angle brackets), `email@host` alone. A bare name
    /// is no address (see [`Address::name_only`]).
    pub fn parse(value: &str) -> Option<Address> {
        if let Some((name, rest)) = value.split_once('<') {
            let email = rest.split_once('>').map_or(rest, |(e, _)| e);
            return (!email.trim().is_empty()).then(|| Address::new(name, email));
        }
        let value = value.trim();
        let (name, last) = value
            .rsplit_once(char::is_whitespace)
            .unwrap_or(("", value));
        // Wrapping punctuation, and a stray `>` of a half-bracketed address.
        let email = last.trim_matches(|c: char| "()[]<>\"',;".contains(c));
        looks_like_email(email).then(|| Address::new(name, email))
    }

    /// The name of a co-author line with no address at all
    /// (`Co-authored-by: Gemini`), when it has neither `<` nor an `@`.
    pub fn name_only(value: &str) -> Option<String> {
        let value = value.trim();
        (!value.is_empty() && !value.contains('<') && !value.contains('@'))
            .then(|| value.to_owned())
    }

    /// An address automation commits from, by its shape: a GitHub App's
    /// `[bot]` account, or a no-reply mailbox outside GitHub's users domain
    /// (GitHub's own web-flow committer, `noreply@github.com`, is the platform,
    /// not automation). A person's address never has this shape; a person's
    /// name may contain "bot", which does not count.
    pub fn automation(&self) -> Option<String> {
        if let Some(login) = self.login.as_deref().filter(|l| l.ends_with("[bot]")) {
            return Some(format!("the GitHub App account {login}"));
        }
        let name = self.name.to_lowercase();
        if name.ends_with("[bot]") {
            return Some(format!("the name {} of a GitHub App account", self.name));
        }
        // An account named for what it is: `joestump-agent`, `deploy-bot`.
        if !name.contains(char::is_whitespace)
            && (name.ends_with("-agent") || name.ends_with("-bot"))
        {
            return Some(format!("the account name {}", self.name));
        }
        let (local, domain) = self.email.split_once('@')?;
        if domain == "users.noreply.github.com" || self.email == "noreply@github.com" {
            return None;
        }
        let mailbox = [
            "noreply",
            "no-reply",
            "no_reply",
            "donotreply",
            "do-not-reply",
        ];
        if mailbox.contains(&local) || local.ends_with("[bot]") {
            return Some(format!("the no-reply address {}", self.email));
        }
        ["agent", "bot", "ai-agent"]
            .contains(&local)
            .then(|| format!("the automation mailbox {}", self.email))
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !s.contains(['<', '>'])
        }
        None => false,
    }
}

/// `<id>+<login>@users.noreply.github.com` or `<login>@users.noreply.github.com`.
fn noreply(email: &str) -> (Option<u64>, Option<String>) {
    let Some(local) = email.strip_suffix("@users.noreply.github.com") else {
        return (None, None);
    };
    match local.split_once('+') {
        Some((id, login)) => (id.parse().ok(), Some(login.to_owned())),
        None => (None, Some(local.to_owned())),
    }
}

/// Which part of an address an identity matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Email,
    GitHubId,
    Login,
    AuthorSuffix,
}

fn matches(id: &Identity, a: &Address, role: Role) -> Option<Field> {
    if id
        .name
        .as_ref()
        .is_some_and(|n| a.name.to_lowercase() != *n)
    {
        return None;
    }
    if id.email.as_ref().is_some_and(|e| *e == a.email) {
        Some(Field::Email)
    } else if id.github_id.is_some_and(|g| a.github_id == Some(g)) {
        Some(Field::GitHubId)
    } else if id
        .login
        .as_ref()
        .is_some_and(|l| a.login.as_deref() == Some(l.as_str()))
    {
        Some(Field::Login)
    } else if id
        .author_suffix
        .as_ref()
        .is_some_and(|s| role == Role::Author && a.name.ends_with(s.as_str()))
    {
        Some(Field::AuthorSuffix)
    } else {
        None
    }
}

/// The catalog entry this address belongs to. Where identities match the same
/// part of the address, one that also names the display name wins (OpenHands'
/// lint bot shares the agent's e-mail but not its name). Where different
/// parts match different entries (an app's id beside another app's login),
/// they disagree and the stronger class wins: an agent over a bot.
pub fn find<'c>(catalog: &'c Catalog, address: &Address, role: Role) -> Option<&'c Entry> {
    let hits: Vec<(Field, bool, &Entry)> = catalog
        .entries
        .iter()
        .flat_map(|e| {
            e.identities
                .iter()
                .filter_map(move |id| matches(id, address, role).map(|f| (f, id.name.is_some(), e)))
        })
        .collect();
    // Per field: the named identity if there is one, else the first.
    let mut per_field: Vec<(Field, bool, &Entry)> = Vec::new();
    for (field, named, entry) in hits {
        match per_field.iter_mut().find(|(f, _, _)| *f == field) {
            Some(slot) if named && !slot.1 => *slot = (field, named, entry),
            Some(_) => {}
            None => per_field.push((field, named, entry)),
        }
    }
    per_field
        .iter()
        .find(|(_, _, e)| e.kind == super::Kind::Agent)
        .or(per_field.first())
        .map(|(_, _, e)| *e)
}
