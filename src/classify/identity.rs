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

    /// `Name <email>`, as in a `Co-authored-by` trailer. A bare name is no
    /// address: names alone never identify anyone.
    pub fn parse(value: &str) -> Option<Address> {
        let (name, rest) = value.split_once('<')?;
        let email = rest.split_once('>')?.0;
        (!email.trim().is_empty()).then(|| Address::new(name, email))
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

fn matches(id: &Identity, a: &Address, role: Role) -> bool {
    let name_ok = id.name.as_ref().is_none_or(|n| a.name.to_lowercase() == *n);
    let any = id.email.as_ref().is_some_and(|e| *e == a.email)
        || id.github_id.is_some_and(|g| a.github_id == Some(g))
        || id
            .login
            .as_ref()
            .is_some_and(|l| a.login.as_deref() == Some(l.as_str()))
        || id
            .author_suffix
            .as_ref()
            .is_some_and(|s| role == Role::Author && a.name.ends_with(s.as_str()));
    any && name_ok
}

/// The catalog entry this address belongs to. An identity that also names the
/// display name wins over one that does not (OpenHands' lint bot shares the
/// agent's e-mail but not its name).
pub fn find<'c>(catalog: &'c Catalog, address: &Address, role: Role) -> Option<&'c Entry> {
    let hits = catalog.entries.iter().flat_map(|e| {
        e.identities
            .iter()
            .filter(|id| matches(id, address, role))
            .map(move |id| (id.name.is_some(), e))
    });
    let mut best: Option<(bool, &Entry)> = None;
    for (named, entry) in hits {
        if best.is_none_or(|(b, _)| named && !b) {
            best = Some((named, entry));
        }
    }
    best.map(|(_, e)| e)
}
