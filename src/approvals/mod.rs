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
pub mod gitlab;
pub mod http;
pub mod pushes;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

pub use error::ApprovalError;
pub use pushes::{LastPusher, Push, Pusher, Pushers};

use crate::attribution::{AttributedCommit, AuthoredBy};
use crate::classify::{Catalog, Class};
use crate::policy::{Approver, Policy, Require};

/// One pull-request review, as the API gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Empty when the review's `user` has no `login`: no approval.
    pub login: String,
    /// `None` when the review's `user` has no `id`: no approval.
    pub user_id: Option<u64>,
    /// `User` or `Bot` (`deleted` for a deleted account; empty when the
    /// review's `user` has no `type`: no approval).
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
    /// The author's GitHub account id (`user.id`), when given.
    pub author_id: Option<u64>,
    pub head_sha: String,
    /// The head branch (`head.ref`), whose pushes are read.
    pub head_ref: Option<String>,
    /// The repository the head branch is in (`head.repo.full_name`; another
    /// one for a fork's pull request, `None` when the fork is gone).
    pub head_repo: Option<String>,
}

/// A GitHub account as the API links it to a commit's author or committer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub login: Option<String>,
    pub id: Option<u64>,
}

/// The GitHub accounts of one of the pull request's commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitAccounts {
    pub author: Option<Account>,
    pub committer: Option<Account>,
}

/// Everything known about who approved: the reviews, and the GitHub accounts
/// of the pull request's commits (author and committer, by sha).
#[derive(Debug, Clone, Default)]
pub struct Reviews {
    pub pull_request: Option<PullRequest>,
    pub reviews: Vec<Review>,
    pub commit_logins: HashMap<String, CommitAccounts>,
    /// Who pushed the range's commits, placed on its history; `None` when
    /// nobody said (a reviews file without `pushes`): pushers are not judged.
    pub pushers: Option<Pushers>,
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
    /// Approvals in `approved_by` given on an earlier commit, carried over
    /// (`approvals { carry_over }`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<Carried>,
    pub satisfied: bool,
}

/// An approval that counts at the head though it was given on `commit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Carried {
    pub user: String,
    pub commit: String,
}

/// The commits an approval may have been given on to count: the head, and
/// with carry-over the earlier commits whose recorded destructive set holds
/// the head's whole set.
#[derive(Debug, Clone, Default)]
pub struct Approvable {
    pub head: String,
    pub carry: Vec<CarryFrom>,
    /// Earlier commits whose approvals were asked to carry over and do not,
    /// and why (no record, a record from another app, another set, …).
    pub refused: HashMap<String, String>,
}

/// An earlier commit whose approvals may carry to the head.
#[derive(Debug, Clone)]
pub struct CarryFrom {
    pub commit: String,
    /// The commits after it (`commit..head`): an approval carries only for a
    /// finding attributed to none of them, as nothing that finding's change
    /// comes from has changed since the reviewer saw it.
    pub since: HashSet<String>,
}

impl Approvable {
    /// Only the head counts.
    pub fn head(head: &str) -> Approvable {
        Approvable {
            head: head.to_owned(),
            ..Approvable::default()
        }
    }

    /// Whether an approval of `commit` carries to the head for a finding
    /// attributed to `commits`; why not, if not.
    fn carries(&self, commit: &str, commits: &[AttributedCommit]) -> Result<(), String> {
        if let Some(why) = self.refused.get(commit) {
            return Err(why.clone());
        }
        let Some(from) = self.carry.iter().find(|c| c.commit == commit) else {
            return Err(String::new());
        };
        match commits.iter().find(|c| from.since.contains(&c.sha)) {
            Some(c) => Err(format!(
                "{} came after it and the finding is attributed to it",
                short(&c.sha)
            )),
            None => Ok(()),
        }
    }
}

/// A git identity a reviewer must not be, and why.
struct Excluded {
    name: String,
    email: String,
    /// The account id of a noreply address (`ID+login@users.noreply.github.com`).
    github_id: Option<u64>,
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
    counted: &Approvable,
    policy: &Policy,
    catalog: &Catalog,
    teams: &mut dyn Teams,
) -> Result<Approval, ApprovalError> {
    let head = counted.head.as_str();
    let mut carried: Vec<Carried> = Vec::new();
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
    // The same holds for an approval that carries over from an earlier commit.
    let mut latest: Vec<Latest> = Vec::new();
    for r in &reviews.reviews {
        if NEUTRAL.contains(&r.state.as_str()) {
            continue;
        }
        let same = |x: &Review| match (x.user_id, r.user_id) {
            (Some(a), Some(b)) => a == b,
            _ => x.login.eq_ignore_ascii_case(&r.login),
        };
        let approves = r.state == "APPROVED";
        // What a review whose reviewer cannot be told approved is no one's:
        // it must not lend "approved the head" to a later review of the same
        // login (or adding it would turn blocked into approved).
        let told = missing_user_fact(r).is_none();
        let of_head = approves && told && r.commit_id.as_deref() == Some(head);
        let carries = match r.commit_id.as_deref() {
            Some(c) if approves && told && !of_head && counted.carries(c, commits).is_ok() => {
                Some(c)
            }
            _ => None,
        };
        match latest.iter_mut().find(|x| same(x.review)) {
            // A later approval whose reviewer facts are incomplete approves
            // nothing, and does not undo the same reviewer's complete one
            // either (or removing it would turn blocked into approved).
            Some(entry)
                if approves
                    && missing_user_fact(r).is_some()
                    && entry.review.state == "APPROVED"
                    && missing_user_fact(entry.review).is_none() =>
            {
                entry.ever_approved = true;
            }
            Some(entry) => {
                *entry = Latest {
                    review: r,
                    ever_approved: entry.ever_approved || approves,
                    head_approved: approves && (entry.head_approved || of_head),
                    carried: if approves {
                        carries.or(entry.carried)
                    } else {
                        None
                    },
                }
            }
            None => latest.push(Latest {
                review: r,
                ever_approved: approves,
                head_approved: of_head,
                carried: carries,
            }),
        }
    }
    for Latest {
        review,
        ever_approved,
        head_approved,
        carried: carried_from,
    } in latest
    {
        let login = match (review.login.as_str(), review.user_id) {
            ("", Some(id)) => format!("(account {id})"),
            ("", None) => "(unknown account)".to_owned(),
            (l, _) => l.to_owned(),
        };
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
        if let Some(missing) = missing_user_fact(review) {
            ignored.push(ignore(format!(
                "its reviewer has no `{missing}` in the API's answer: plangate cannot tell who \
                 approved"
            )));
            continue;
        }
        if !head_approved && carried_from.is_none() {
            let reviewed = review
                .commit_id
                .as_deref()
                .map_or("a commit the API does not name (GitHub no longer has it, or GitLab shows no push before the approval)".into(), short);
            let not_carried = match review
                .commit_id
                .as_deref()
                .map(|c| counted.carries(c, commits))
            {
                Some(Err(why)) if !why.is_empty() => format!("; it does not carry over: {why}"),
                _ => String::new(),
            };
            ignored.push(ignore(format!(
                "approved {reviewed}, not the head checked ({}){not_carried}",
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
        if review.login.to_ascii_lowercase().ends_with("[bot]") {
            ignored.push(ignore(
                "is a bot account (its login ends in [bot]), not a person".into(),
            ));
            continue;
        }
        if let Some(entry) = agent_account(catalog, review) {
            ignored.push(ignore(format!("is the account of {entry}, not a person")));
            continue;
        }
        if let Some(pr) = &reviews.pull_request {
            let same_id = pr.author_id.is_some() && pr.author_id == review.user_id;
            if same_id || pr.author.eq_ignore_ascii_case(&login) {
                ignored.push(ignore("opened the pull request".into()));
                continue;
            }
        }
        if let Some(why) = is_excluded(review, &excluded, reviews, policy, commits) {
            ignored.push(ignore(why));
            continue;
        }
        if let Some(why) = reviews
            .pushers
            .as_ref()
            .and_then(|p| pushed(review, commits, p, head))
        {
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
            if let (false, Some(commit)) = (head_approved, carried_from) {
                carried.push(Carried {
                    user: login.clone(),
                    commit: commit.to_owned(),
                });
            }
            approved_by.push(login);
        }
    }
    let required = require.approvals + unknown_pushers(commits, reviews.pushers.as_ref());
    let satisfied = approved_by.len() as u32 >= required;
    Ok(Approval {
        required,
        approved_by,
        ignored,
        carried,
        satisfied,
    })
}

/// One reviewer's latest decisive review, and what they approved since they
/// last withdrew.
struct Latest<'a> {
    review: &'a Review,
    ever_approved: bool,
    head_approved: bool,
    /// An earlier commit they approved whose approval carries to the head.
    carried: Option<&'a str>,
}

/// Whether a finding on these commits is on an agent-written change (an
/// unknown authorship counts as one here: the stricter reading).
fn agent_written(commits: &[AttributedCommit]) -> bool {
    matches!(
        crate::attribution::authored_by(commits),
        AuthoredBy::Agent | AuthoredBy::Unknown
    )
}

/// Why the reviewer's approval does not count because of what they pushed:
/// they pushed a commit the finding is attributed to (or pushed history the
/// range does not have, which may have held one), or, for an agent-written
/// change, they pushed the head last (GitHub's "require approval of the most
/// recent reviewable push" bans that pusher).
fn pushed(
    review: &Review,
    commits: &[AttributedCommit],
    pushers: &Pushers,
    head: &str,
) -> Option<String> {
    let (login, id) = (review.login.as_str(), review.user_id);
    for c in commits {
        let by = pushers.by_commit.get(&c.sha).map(Vec::as_slice);
        if let Some(p) = by.unwrap_or_default().iter().find(|p| p.is(login, id)) {
            let how = match p.id.is_some() && p.id == id && !p.login.eq_ignore_ascii_case(login) {
                true => format!(" (same GitHub account id {})", id.unwrap_or_default()),
                false => String::new(),
            };
            return Some(format!(
                "pushed {}, which the finding is attributed to{how}",
                short(&c.sha)
            ));
        }
    }
    if let (Some(c), Some((_, after))) = (
        commits.first(),
        pushers.unplaced.iter().find(|(p, _)| p.is(login, id)),
    ) {
        return Some(format!(
            "pushed {} to {}, which is not in the range's history: it may have held {}, which the finding is attributed to",
            short(after),
            pushers.git_ref,
            short(&c.sha)
        ));
    }
    if agent_written(commits)
        && let LastPusher::Account(p) = &pushers.last
        && p.is(login, id)
    {
        return Some(format!(
            "pushed the head {} last: GitHub's rule bans the last pusher's approval",
            short(head)
        ));
    }
    None
}

/// The approvals a finding needs beyond its rule's because who pushed is not
/// known: one for each commit it is attributed to that no push introduced,
/// and, on an agent-written change, one when nobody is known to have pushed
/// the head last. Any approver could be such an unknown pusher; one more
/// approval from a different person means the rule's count still comes from
/// people who are not.
fn unknown_pushers(commits: &[AttributedCommit], pushers: Option<&Pushers>) -> u32 {
    let Some(p) = pushers else { return 0 };
    let commits_unknown = commits
        .iter()
        .filter(|c| p.unknown.contains(&c.sha))
        .count() as u32;
    let last_unknown = agent_written(commits) && p.last == LastPusher::Unknown;
    commits_unknown + u32::from(last_unknown)
}

/// The fact about the reviewer's account that GitHub always sends and this
/// review lacks: without it the review cannot be judged, so it approves nothing.
fn missing_user_fact(review: &Review) -> Option<&'static str> {
    if review.user_type == "deleted" {
        None // a null `user`: a deleted account, judged as such
    } else if review.login.is_empty() {
        Some("login")
    } else if review.user_id.is_none() {
        Some("id")
    } else if review.user_type.is_empty() {
        Some("type")
    } else {
        None
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// A reviewer account that the catalog knows as an agent or a bot.
fn agent_account(catalog: &Catalog, review: &Review) -> Option<String> {
    catalog.entries.iter().find_map(|e| {
        let by_id = e
            .identities
            .iter()
            .any(|id| id.github_id.is_some_and(|g| review.user_id == Some(g)));
        let hit = by_id || crate::classify::pull::is_account(e, &review.login, None);
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
                github_id: noreply_id(&person.email),
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
                        github_id: noreply_id(&co.email),
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

/// Why the reviewer is one of the excluded people, if they are or might be.
/// Account ids are compared first (a login can be renamed, an id cannot),
/// then logins, case-insensitively.
fn is_excluded(
    review: &Review,
    excluded: &[Excluded],
    reviews: &Reviews,
    policy: &Policy,
    commits: &[AttributedCommit],
) -> Option<String> {
    let login = review.login.as_str();
    for x in excluded {
        let (logins, ids) = accounts_of(x, reviews, policy, commits);
        let same_login = logins.iter().any(|k| k.eq_ignore_ascii_case(login));
        if let Some(id) = review.user_id.filter(|id| ids.contains(id)) {
            // Say how they were told, when the login alone would not have.
            return Some(match same_login {
                true => x.why.clone(),
                false => format!("{} (same GitHub account id {id})", x.why),
            });
        }
        if same_login {
            return Some(x.why.clone());
        }
        if logins.is_empty() && ids.is_empty() && plausibly(login, x) {
            return Some(format!(
                "cannot be told apart from {} <{}>, who {}: no GitHub account is known for that address (add `person \"{login}\" {{ emails = [...] }}` if they differ)",
                x.name, x.email, x.why
            ));
        }
    }
    None
}

/// The account id in a GitHub noreply address `ID+login@users.noreply.github.com`.
fn noreply_id(email: &str) -> Option<u64> {
    let email = email.to_ascii_lowercase();
    let local = email.strip_suffix("@users.noreply.github.com")?;
    local.split_once('+')?.0.parse().ok()
}

/// The GitHub logins and account ids a git identity is known to be: from the
/// pull request's commits (the API links addresses to accounts), from a
/// noreply address, and from `person` entries.
fn accounts_of(
    x: &Excluded,
    reviews: &Reviews,
    policy: &Policy,
    commits: &[AttributedCommit],
) -> (Vec<String>, Vec<u64>) {
    let mut logins = Vec::new();
    let mut ids: Vec<u64> = x.github_id.into_iter().collect();
    for c in commits {
        if let Some(accounts) = reviews.commit_logins.get(&c.sha) {
            for (person, account) in [
                (&c.who.author, &accounts.author),
                (&c.who.committer, &accounts.committer),
            ] {
                if person.email.eq_ignore_ascii_case(&x.email)
                    && let Some(a) = account
                {
                    logins.extend(a.login.clone());
                    ids.extend(a.id);
                }
            }
        }
    }
    let email = x.email.to_lowercase();
    if let Some(local) = email.strip_suffix("@users.noreply.github.com") {
        logins.push(local.split_once('+').map_or(local, |(_, l)| l).to_owned());
    }
    if let Some(person) = policy.person_of_email(&email) {
        logins.push(person.login.clone());
        ids.extend(person.ids.iter().copied());
    }
    (logins, ids)
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
