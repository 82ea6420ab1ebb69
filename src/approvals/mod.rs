//! Approvals: which reviews count for a finding, and why the others do not.
//!
//! An approval counts when it is the reviewer's latest review and that review is
//! `APPROVED`; it was given on the head commit being checked (or the reviewer
//! approved the head and has only approved since); the reviewer is a
//! human (not a bot, not an agent identity), is not the pull request's author,
//! did not author or commit a commit the finding is attributed to, is not named
//! as a co-author of an agent-written commit it is attributed to (the operator
//! who ran the agent), and is in the rule's `from` list when it has one. Every
//! approval that does not count is reported with the reason.
//!
//! [`judge`] is pure; [`github`] and [`file`] are the edges that read reviews.

pub mod error;
pub mod file;
pub mod github;

use std::collections::HashMap;

use serde::Serialize;

pub use error::ApprovalError;

use crate::attribution::AttributedCommit;
use crate::classify::{Catalog, Class};
use crate::policy::{Approver, Policy, Require};

/// One pull-request review, as the API gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub login: String,
    pub user_id: Option<u64>,
    /// `User` or `Bot`.
    pub user_type: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`, …
    pub state: String,
    /// The commit reviewed (null when GitHub has garbage-collected it).
    pub commit_id: Option<String>,
}

/// The pull request the approvals are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub author: String,
    pub head_sha: String,
}

/// Everything known about who approved: the reviews, and the GitHub accounts
/// of the pull request's commits (author and committer logins by sha).
#[derive(Debug, Clone, Default)]
pub struct Reviews {
    pub pull_request: Option<PullRequest>,
    pub reviews: Vec<Review>,
    pub commit_logins: HashMap<String, (Option<String>, Option<String>)>,
}

/// GitHub team membership, asked of the API when a rule names `@org/team`.
pub trait Teams {
    fn is_member(&mut self, org: &str, slug: &str, login: &str) -> Result<bool, ApprovalError>;
}

/// An approval that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub user: String,
    pub why: String,
}

/// The approval state of one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub required: u32,
    pub approved_by: Vec<String>,
    pub ignored: Vec<Ignored>,
    pub satisfied: bool,
}

/// A git identity a reviewer must not be, and why.
struct Excluded {
    name: String,
    email: String,
    why: String,
}

const DECISIVE: &[&str] = &["APPROVED", "CHANGES_REQUESTED", "DISMISSED"];
/// Review states that neither approve nor withdraw an approval.
const NEUTRAL: &[&str] = &["COMMENTED", "PENDING"];

/// Judge the reviews for one finding needing `require`, attributed to `commits`.
pub fn judge(
    require: &Require,
    commits: &[AttributedCommit],
    reviews: &Reviews,
    head: &str,
    policy: &Policy,
    catalog: &Catalog,
    teams: &mut dyn Teams,
) -> Result<Approval, ApprovalError> {
    let mut approved_by: Vec<String> = Vec::new();
    let mut ignored: Vec<Ignored> = Vec::new();
    let excluded = excluded(commits, catalog);
    // Each reviewer's latest decisive review, in the order GitHub lists them
    // (chronological). A later comment does not withdraw an approval; any
    // state plangate does not know does, since it cannot say it approves.
    // Also whether they approved the head since they last withdrew: a later
    // approval of an older commit (submitted through the API, or after the
    // head moved back) does not undo an approval of the head, or removing
    // that later approval would turn a finding from blocked to approved.
    let mut latest: Vec<(&Review, bool, bool)> = Vec::new(); // (latest, ever approved, head approved)
    for r in &reviews.reviews {
        if NEUTRAL.contains(&r.state.as_str()) {
            continue;
        }
        let same = |x: &Review| match (x.user_id, r.user_id) {
            (Some(a), Some(b)) => a == b,
            _ => x.login.eq_ignore_ascii_case(&r.login),
        };
        let approves = r.state == "APPROVED";
        let of_head = approves && r.commit_id.as_deref() == Some(head);
        match latest.iter_mut().find(|(x, _, _)| same(x)) {
            Some(entry) => *entry = (r, entry.1 || approves, approves && (entry.2 || of_head)),
            None => latest.push((r, approves, of_head)),
        }
    }
    for (review, ever_approved, head_approved) in latest {
        let login = review.login.clone();
        let ignore = |why: String| Ignored {
            user: login.clone(),
            why,
        };
        if review.state != "APPROVED" {
            if ever_approved {
                let why = match review.state.as_str() {
                    "DISMISSED" => "the approval was dismissed".to_owned(),
                    "CHANGES_REQUESTED" => "their latest review requests changes".to_owned(),
                    other => format!("their latest review is {other}, not APPROVED"),
                };
                ignored.push(ignore(why));
            } else if !DECISIVE.contains(&review.state.as_str()) {
                ignored.push(ignore(format!(
                    "review state {} is not one plangate knows",
                    review.state
                )));
            }
            continue;
        }
        if !head_approved {
            let reviewed = review
                .commit_id
                .as_deref()
                .map_or("a commit GitHub no longer has".into(), short);
            ignored.push(ignore(format!(
                "approved {reviewed}, not the head checked ({})",
                short(head)
            )));
            continue;
        }
        if review.user_type != "User" {
            ignored.push(ignore(format!(
                "is a {} account, not a person",
                review.user_type
            )));
            continue;
        }
        if let Some(entry) = agent_account(catalog, review) {
            ignored.push(ignore(format!("is the account of {entry}, not a person")));
            continue;
        }
        if let Some(pr) = &reviews.pull_request
            && pr.author.eq_ignore_ascii_case(&login)
        {
            ignored.push(ignore("opened the pull request".into()));
            continue;
        }
        if let Some(why) = is_excluded(&login, &excluded, reviews, policy, commits) {
            ignored.push(ignore(why));
            continue;
        }
        if !require.from.is_empty() && !in_from(&login, &require.from, policy, teams)? {
            let names: Vec<String> = require.from.iter().map(ToString::to_string).collect();
            ignored.push(ignore(format!(
                "is not in this rule's `from` ({})",
                names.join(", ")
            )));
            continue;
        }
        if !approved_by.iter().any(|a| a.eq_ignore_ascii_case(&login)) {
            approved_by.push(login);
        }
    }
    let satisfied = approved_by.len() as u32 >= require.approvals;
    Ok(Approval {
        required: require.approvals,
        approved_by,
        ignored,
        satisfied,
    })
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// A reviewer account that the catalog knows as an agent or a bot.
fn agent_account(catalog: &Catalog, review: &Review) -> Option<String> {
    catalog.entries.iter().find_map(|e| {
        let hit = e.identities.iter().any(|id| {
            id.github_id.is_some_and(|g| review.user_id == Some(g))
                || id
                    .login
                    .as_ref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&review.login))
        });
        hit.then(|| e.name.clone())
    })
}

/// The people a finding's approvers must not be: authors and committers of its
/// commits, and the humans named as co-authors of its agent-written commits.
fn excluded(commits: &[AttributedCommit], catalog: &Catalog) -> Vec<Excluded> {
    let mut out = Vec::new();
    for c in commits {
        let short = short(&c.sha);
        for (person, role) in [(&c.who.author, "authored"), (&c.who.committer, "committed")] {
            // GitHub's own web-flow committer is the platform, not a person.
            if person.email.eq_ignore_ascii_case("noreply@github.com") {
                continue;
            }
            out.push(Excluded {
                name: person.name.clone(),
                email: person.email.clone(),
                why: format!("{role} commit {short}, which the finding is attributed to"),
            });
        }
        if c.class == Class::Agent {
            for co in &c.who.co_authors {
                let agent = crate::classify::is_catalog_identity(catalog, &co.name, &co.email);
                if !agent {
                    out.push(Excluded {
                        name: co.name.clone(),
                        email: co.email.clone(),
                        why: format!(
                            "is named as co-author of agent-written commit {short}: the operator who ran the agent"
                        ),
                    });
                }
            }
        }
    }
    out
}

/// Why `login` is one of the excluded people, if it is or might be.
fn is_excluded(
    login: &str,
    excluded: &[Excluded],
    reviews: &Reviews,
    policy: &Policy,
    commits: &[AttributedCommit],
) -> Option<String> {
    for x in excluded {
        let known = logins_of(x, reviews, policy, commits);
        if known.iter().any(|k| k.eq_ignore_ascii_case(login)) {
            return Some(x.why.clone());
        }
        if known.is_empty() && plausibly(login, x) {
            return Some(format!(
                "cannot be told apart from {} <{}>, who {}: no GitHub account is known for that address (add `person \"{login}\" {{ emails = [...] }}` if they differ)",
                x.name, x.email, x.why
            ));
        }
    }
    None
}

/// The GitHub logins a git identity is known to be: from the pull request's
/// commits (the API links addresses to accounts), from a noreply address, and
/// from `person` entries.
fn logins_of(
    x: &Excluded,
    reviews: &Reviews,
    policy: &Policy,
    commits: &[AttributedCommit],
) -> Vec<String> {
    let mut out = Vec::new();
    for c in commits {
        if let Some((author, committer)) = reviews.commit_logins.get(&c.sha) {
            if c.who.author.email.eq_ignore_ascii_case(&x.email)
                && let Some(a) = author
            {
                out.push(a.clone());
            }
            if c.who.committer.email.eq_ignore_ascii_case(&x.email)
                && let Some(l) = committer
            {
                out.push(l.clone());
            }
        }
    }
    let email = x.email.to_lowercase();
    if let Some(local) = email.strip_suffix("@users.noreply.github.com") {
        out.push(local.split_once('+').map_or(local, |(_, l)| l).to_owned());
    }
    if let Some(login) = policy.login_of_email(&email) {
        out.push(login.to_owned());
    }
    out
}

/// Could `login` be this person? Their address's local part or their name,
/// folded, equal to the login.
fn plausibly(login: &str, x: &Excluded) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let login = fold(login);
    let local = fold(x.email.split('@').next().unwrap_or(""));
    !login.is_empty() && (login == local || login == fold(&x.name))
}

fn in_from(
    login: &str,
    from: &[Approver],
    policy: &Policy,
    teams: &mut dyn Teams,
) -> Result<bool, ApprovalError> {
    for a in from {
        let hit = match a {
            Approver::Login(l) => l.eq_ignore_ascii_case(login),
            Approver::Team(t) => policy
                .team(t)
                .is_some_and(|team| team.members.iter().any(|m| m.eq_ignore_ascii_case(login))),
            Approver::GitHubTeam { org, slug } => teams.is_member(org, slug, login)?,
        };
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Team lookups when there is no API: naming a GitHub team cannot be decided.
pub struct NoTeams;

impl Teams for NoTeams {
    fn is_member(&mut self, org: &str, slug: &str, _: &str) -> Result<bool, ApprovalError> {
        Err(ApprovalError::TeamsOffline {
            team: format!("@{org}/{slug}"),
        })
    }
}

#[cfg(test)]
mod tests;
