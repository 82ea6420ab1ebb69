use super::*;
use crate::attribution::CommitFacts;
use crate::classify::Class;
use crate::git::Person;
use crate::policy::{Origin, Person as PolicyPerson, Team};

const HEAD: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "2222222222222222222222222222222222222222";

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.into(),
        email: email.into(),
    }
}

fn commit(sha: &str, class: Class, author: Person, co: Vec<Person>) -> AttributedCommit {
    AttributedCommit {
        sha: sha.into(),
        class,
        agent: (class == Class::Agent).then(|| "claude-code".into()),
        who: std::sync::Arc::new(CommitFacts {
            committer: author.clone(),
            author,
            co_authors: co,
            evidence: vec![],
            own_class: class,
        }),
        wrote: vec![],
    }
}

fn review(login: &str, id: u64, state: &str, commit: &str) -> Review {
    Review {
        login: login.into(),
        user_id: Some(id),
        user_type: "User".into(),
        state: state.into(),
        commit_id: Some(commit.into()),
    }
}

fn reviews(list: Vec<Review>) -> Reviews {
    Reviews {
        pull_request: Some(PullRequest {
            number: 7,
            author: "pr-author".into(),
            author_id: Some(99),
            head_sha: HEAD.into(),
            head_ref: Some("feature".into()),
            head_repo: Some("acme/infra".into()),
        }),
        reviews: list,
        commit_logins: HashMap::new(),
        pushers: None,
    }
}

fn one(approvals: u32) -> Require {
    Require {
        approvals,
        from: vec![],
    }
}

fn catalog() -> Catalog {
    Catalog::builtin().unwrap()
}

/// A commit by an agent, launched by `operator` (named as co-author).
fn agent_commit(operator: Person) -> AttributedCommit {
    commit(
        "a".repeat(40).as_str(),
        Class::Agent,
        person("Claude", "noreply@anthropic.com"),
        vec![operator],
    )
}

fn run(require: &Require, commits: &[AttributedCommit], r: &Reviews, policy: &Policy) -> Approval {
    judge(
        require,
        commits,
        r,
        &Approvable::head(HEAD),
        policy,
        &catalog(),
        &mut NoTeams,
    )
    .unwrap()
}

fn why(a: &Approval, user: &str) -> String {
    a.ignored
        .iter()
        .find(|i| i.user == user)
        .map(|i| i.why.clone())
        .unwrap_or_default()
}

#[test]
fn a_human_approval_of_the_head_counts() {
    let a = run(
        &one(1),
        &[],
        &reviews(vec![review("carol", 3, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert_eq!(a.approved_by, ["carol"]);
    assert!(a.satisfied && a.ignored.is_empty());
}

#[test]
fn only_the_latest_decisive_review_counts_and_comments_do_not_withdraw() {
    let list = vec![
        review("carol", 3, "APPROVED", HEAD),
        review("carol", 3, "COMMENTED", HEAD),
        review("dave", 4, "APPROVED", HEAD),
        review("dave", 4, "CHANGES_REQUESTED", HEAD),
        review("erin", 5, "APPROVED", HEAD),
        review("erin", 5, "DISMISSED", HEAD),
    ];
    let a = run(&one(2), &[], &reviews(list), &Policy::default());
    assert_eq!(a.approved_by, ["carol"]);
    assert!(!a.satisfied);
    assert_eq!(why(&a, "dave"), "their latest review requests changes");
    assert_eq!(why(&a, "erin"), "the approval was dismissed");
}

#[test]
fn an_approval_of_an_older_push_is_stale() {
    let a = run(
        &one(1),
        &[],
        &reviews(vec![review("carol", 3, "APPROVED", OLD)]),
        &Policy::default(),
    );
    assert!(!a.satisfied);
    assert!(
        why(&a, "carol").starts_with("approved 2222222, not the head checked"),
        "{}",
        why(&a, "carol")
    );
}

#[test]
fn bots_and_agent_accounts_do_not_approve() {
    let mut bot = review("renovate[bot]", 29139614, "APPROVED", HEAD);
    bot.user_type = "Bot".into();
    let agent = review("copilot", 198982749, "APPROVED", HEAD);
    let a = run(&one(1), &[], &reviews(vec![bot, agent]), &Policy::default());
    assert!(!a.satisfied);
    assert_eq!(why(&a, "renovate[bot]"), "is a Bot account, not a person");
    assert_eq!(
        why(&a, "copilot"),
        "is the account of copilot-coding-agent, not a person"
    );
}

#[test]
fn the_pull_requests_author_does_not_approve_it() {
    let a = run(
        &one(1),
        &[],
        &reviews(vec![review("pr-author", 9, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert!(!a.satisfied);
    assert_eq!(why(&a, "pr-author"), "opened the pull request");
}

#[test]
fn authors_and_committers_of_the_findings_commits_do_not_approve_it() {
    let c = commit(
        &"b".repeat(40),
        Class::Human,
        person("Frank", "12+frank@users.noreply.github.com"),
        vec![],
    );
    let a = run(
        &one(1),
        &[c],
        &reviews(vec![review("frank", 12, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert!(!a.satisfied);
    assert!(
        why(&a, "frank").starts_with("authored commit bbbbbbb"),
        "{}",
        why(&a, "frank")
    );
}

#[test]
fn the_operator_named_as_co_author_of_an_agent_commit_does_not_approve_it() {
    let operator = person("Grace", "grace@corp.example");
    let mut policy = Policy::default();
    policy.persons.push(PolicyPerson {
        login: "gracehopper".into(),
        emails: vec!["grace@corp.example".into()],
        ids: vec![],
        origin: Origin {
            file: ".plangate.hcl".into(),
            line: 1,
        },
    });
    let a = run(
        &one(1),
        &[agent_commit(operator.clone())],
        &reviews(vec![review("gracehopper", 13, "APPROVED", HEAD)]),
        &policy,
    );
    assert!(!a.satisfied);
    assert!(
        why(&a, "gracehopper").contains("the operator who ran the agent"),
        "{}",
        why(&a, "gracehopper")
    );
    // A co-author of a human commit is not excluded.
    let human = commit(
        &"c".repeat(40),
        Class::Human,
        person("Hal", "hal@corp.example"),
        vec![operator],
    );
    let a = run(
        &one(1),
        &[human],
        &reviews(vec![review("gracehopper", 13, "APPROVED", HEAD)]),
        &policy,
    );
    assert!(a.satisfied);
}

#[test]
fn commit_accounts_from_the_api_identify_authors() {
    let c = commit(
        &"d".repeat(40),
        Class::Human,
        person("Ivan", "ivan@corp.example"),
        vec![],
    );
    let mut r = reviews(vec![
        review("ivan-gh", 14, "APPROVED", HEAD),
        review("judy", 15, "APPROVED", HEAD),
    ]);
    r.commit_logins.insert(
        "d".repeat(40),
        CommitAccounts {
            author: Some(Account {
                login: Some("ivan-gh".into()),
                id: None,
            }),
            committer: None,
        },
    );
    let a = run(&one(1), &[c], &r, &Policy::default());
    assert_eq!(a.approved_by, ["judy"]);
    assert!(why(&a, "ivan-gh").starts_with("authored commit"));
}

#[test]
fn a_reviewer_that_cannot_be_told_apart_from_an_author_does_not_count() {
    let c = commit(
        &"e".repeat(40),
        Class::Human,
        person("Kim Lee", "kimlee@corp.example"),
        vec![],
    );
    let list = vec![
        review("kimlee", 16, "APPROVED", HEAD),
        review("mallory", 17, "APPROVED", HEAD),
    ];
    let a = run(&one(1), &[c], &reviews(list), &Policy::default());
    assert_eq!(a.approved_by, ["mallory"]);
    assert!(
        why(&a, "kimlee").starts_with("cannot be told apart from Kim Lee <kimlee@corp.example>"),
        "{}",
        why(&a, "kimlee")
    );
}

#[test]
fn the_from_list_restricts_who_may_approve() {
    let mut policy = Policy::default();
    policy.teams.push(Team {
        name: "sre".into(),
        members: vec!["nina".into()],
        origin: Origin {
            file: ".plangate.hcl".into(),
            line: 1,
        },
    });
    let require = Require {
        approvals: 1,
        from: vec![
            Approver::Team("sre".into()),
            Approver::Login("oscar".into()),
        ],
    };
    let list = vec![
        review("peggy", 18, "APPROVED", HEAD),
        review("nina", 19, "APPROVED", HEAD),
        review("oscar", 20, "APPROVED", HEAD),
    ];
    let a = run(&require, &[], &reviews(list), &policy);
    assert_eq!(a.approved_by, ["nina", "oscar"]);
    assert_eq!(
        why(&a, "peggy"),
        "is not in this rule's `from` (team:sre, oscar)"
    );
}

#[test]
fn github_teams_cannot_be_decided_offline() {
    let require = Require {
        approvals: 1,
        from: vec![Approver::GitHubTeam {
            org: "acme".into(),
            slug: "dba".into(),
        }],
    };
    let r = reviews(vec![review("quinn", 21, "APPROVED", HEAD)]);
    let err = judge(
        &require,
        &[],
        &r,
        &Approvable::head(HEAD),
        &Policy::default(),
        &catalog(),
        &mut NoTeams,
    )
    .unwrap_err();
    assert!(matches!(err, ApprovalError::TeamsOffline { .. }));
}

#[test]
fn an_unknown_review_state_withdraws_an_earlier_approval() {
    let list = vec![
        review("rita", 22, "APPROVED", HEAD),
        review("rita", 22, "REVOKED", HEAD),
    ];
    let a = run(&one(1), &[], &reviews(list), &Policy::default());
    assert!(!a.satisfied);
    assert_eq!(
        why(&a, "rita"),
        "their latest review is REVOKED, not APPROVED"
    );
}

#[test]
fn removing_an_approval_never_turns_unsatisfied_into_satisfied() {
    let base = vec![
        review("sam", 23, "APPROVED", HEAD),
        review("tina", 24, "APPROVED", HEAD),
    ];
    for required in 0..=3 {
        let all = run(
            &one(required),
            &[],
            &reviews(base.clone()),
            &Policy::default(),
        );
        for i in 0..base.len() {
            let mut fewer = base.clone();
            fewer.remove(i);
            let less = run(&one(required), &[], &reviews(fewer), &Policy::default());
            assert!(!less.satisfied || all.satisfied);
        }
    }
}

#[test]
fn a_renamed_login_is_still_the_author_by_its_account_id() {
    // The commit was made as `4+olduser@…`; the account is now `newname`.
    let c = commit(
        &"f".repeat(40),
        Class::Human,
        person("Old User", "4+olduser@users.noreply.github.com"),
        vec![],
    );
    let list = vec![
        review("NewName", 4, "APPROVED", HEAD),
        review("someone", 5, "APPROVED", HEAD),
    ];
    let a = run(
        &one(2),
        std::slice::from_ref(&c),
        &reviews(list),
        &Policy::default(),
    );
    assert_eq!(a.approved_by, ["someone"]);
    assert_eq!(
        why(&a, "NewName"),
        "authored commit fffffff, which the finding is attributed to (same GitHub account id 4)"
    );
    // Another account id with another login is not excluded.
    let a = run(
        &one(1),
        &[c],
        &reviews(vec![review("NewName", 6, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert_eq!(a.approved_by, ["NewName"]);
}

#[test]
fn commit_account_ids_from_the_api_and_person_ids_identify_authors() {
    let c = commit(
        &"d".repeat(40),
        Class::Human,
        person("Ivan", "ivan@corp.example"),
        vec![],
    );
    let mut r = reviews(vec![review("ivan-renamed", 14, "APPROVED", HEAD)]);
    r.commit_logins.insert(
        "d".repeat(40),
        CommitAccounts {
            author: Some(Account {
                login: Some("ivan-gh".into()),
                id: Some(14),
            }),
            committer: None,
        },
    );
    let a = run(&one(1), std::slice::from_ref(&c), &r, &Policy::default());
    assert!(
        why(&a, "ivan-renamed").ends_with("(same GitHub account id 14)"),
        "{a:?}"
    );
    // A `person` entry's ids: the same.
    let mut policy = Policy::default();
    policy.persons.push(PolicyPerson {
        login: "ivan-gh".into(),
        emails: vec!["ivan@corp.example".into()],
        ids: vec![14],
        origin: Origin {
            file: ".plangate.hcl".into(),
            line: 1,
        },
    });
    let a = run(
        &one(1),
        &[c],
        &reviews(vec![review("ivan-renamed", 14, "APPROVED", HEAD)]),
        &policy,
    );
    assert!(a.approved_by.is_empty(), "{a:?}");
}

#[test]
fn the_pull_requests_author_is_known_by_account_id_too() {
    // reviews() opens the pull request as `pr-author`, account 99.
    let a = run(
        &one(1),
        &[],
        &reviews(vec![review("pr-author-renamed", 99, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert_eq!(why(&a, "pr-author-renamed"), "opened the pull request");
}

#[test]
fn a_reviewer_missing_login_id_or_type_approves_nothing() {
    let mut no_type = review("carol", 3, "APPROVED", HEAD);
    no_type.user_type = String::new();
    let mut no_id = review("dave", 4, "APPROVED", HEAD);
    no_id.user_id = None;
    let mut no_login = review("", 5, "APPROVED", HEAD);
    no_login.login = String::new();
    let a = run(
        &one(1),
        &[],
        &reviews(vec![no_type, no_id, no_login]),
        &Policy::default(),
    );
    assert!(a.approved_by.is_empty() && !a.satisfied);
    for (user, missing) in [("carol", "type"), ("dave", "id"), ("(account 5)", "login")] {
        assert_eq!(
            why(&a, user),
            format!(
                "its reviewer has no `{missing}` in the API's answer: plangate cannot tell who approved"
            )
        );
    }
}

#[test]
fn an_approval_of_the_head_no_one_can_be_told_gave_lends_nothing_to_a_later_review() {
    // The same login approves the head without an account id, then approves
    // an older commit with one: the head was never approved by anyone known.
    let mut no_id = review("carol", 3, "APPROVED", HEAD);
    no_id.user_id = None;
    let later = review("carol", 3, "APPROVED", OLD);
    let a = run(
        &one(1),
        &[],
        &reviews(vec![no_id.clone(), later.clone()]),
        &Policy::default(),
    );
    assert!(!a.satisfied, "{a:?}");
    // Found by tests/properties.rs: with an earlier approval of the older
    // commit in front, the list above must not pass either (monotone).
    let a = run(
        &one(1),
        &[],
        &reviews(vec![later.clone(), no_id, later]),
        &Policy::default(),
    );
    assert!(!a.satisfied, "{a:?}");
}

#[test]
fn a_bot_login_is_never_a_persons_approval_whatever_its_type() {
    let a = run(
        &one(1),
        &[],
        &reviews(vec![review("helper[bot]", 77, "APPROVED", HEAD)]),
        &Policy::default(),
    );
    assert!(!a.satisfied);
    assert_eq!(
        why(&a, "helper[bot]"),
        "is a bot account (its login ends in [bot]), not a person"
    );
}

#[test]
fn reviews_files_are_read_as_strictly_as_the_api() {
    use serde_json::json;
    let ok = json!([{"id": 1, "state": "APPROVED", "commit_id": HEAD,
                     "user": {"login": "carol", "id": 3}}]);
    let parsed = file::parse_reviews("r.json", &ok.to_string()).unwrap();
    // A missing `type` is read as unknown, not as `User`.
    assert_eq!(parsed[0].user_type, "");
    for (bad, key) in [
        (
            json!([{"state": "APPROVED", "commit_id": HEAD, "user": null}]),
            "id",
        ),
        (
            json!([{"id": 1, "state": "APPROVED", "user": null}]),
            "commit_id",
        ),
        (
            json!([{"id": 1, "state": "APPROVED", "commit_id": HEAD}]),
            "user",
        ),
        (
            json!([{"id": 1, "state": "APPROVED", "commit_id": HEAD, "user": {"type": "User"}}]),
            "login",
        ),
    ] {
        let err = file::parse_reviews("r.json", &bad.to_string()).unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains(&format!("`{key}`")), "{text}");
    }
}

fn pusher(login: &str, id: u64) -> Pusher {
    Pusher {
        login: login.into(),
        id: Some(id),
    }
}

/// Reviews whose pushers are given: `by` pushed `commit`; `last` pushed the head.
fn with_pushers(list: Vec<Review>, by: &[(&str, Pusher)], last: LastPusher) -> Reviews {
    let mut r = reviews(list);
    let mut by_commit: HashMap<String, Vec<Pusher>> = HashMap::new();
    for (sha, p) in by {
        by_commit.entry((*sha).into()).or_default().push(p.clone());
    }
    r.pushers = Some(Pushers {
        git_ref: "refs/heads/feature".into(),
        by_commit,
        unplaced: vec![],
        unknown: vec![],
        last,
    });
    r
}

#[test]
fn a_reviewer_who_pushed_an_attributed_commit_does_not_approve_it() {
    let agent = agent_commit(person("Someone", "someone@example.com"));
    let sha = agent.sha.clone();
    let r = with_pushers(
        vec![review("Op", 7, "APPROVED", HEAD)],
        &[(&sha, pusher("op", 7))],
        LastPusher::Deleted,
    );
    let a = run(
        &one(1),
        std::slice::from_ref(&agent),
        &r,
        &Policy::default(),
    );
    assert!(!a.satisfied);
    assert_eq!(
        why(&a, "Op"),
        "pushed aaaaaaa, which the finding is attributed to"
    );
    // Renamed since: the account id still tells.
    let r = with_pushers(
        vec![review("op-renamed", 7, "APPROVED", HEAD)],
        &[(&sha, pusher("op", 7))],
        LastPusher::Deleted,
    );
    let a = run(
        &one(1),
        std::slice::from_ref(&agent),
        &r,
        &Policy::default(),
    );
    assert_eq!(
        why(&a, "op-renamed"),
        "pushed aaaaaaa, which the finding is attributed to (same GitHub account id 7)"
    );
    // Someone else counts.
    let r = with_pushers(
        vec![review("carol", 8, "APPROVED", HEAD)],
        &[(&sha, pusher("op", 7))],
        LastPusher::Deleted,
    );
    assert!(run(&one(1), &[agent], &r, &Policy::default()).satisfied);
}

#[test]
fn the_last_pusher_of_the_head_does_not_approve_an_agent_written_change() {
    let agent = agent_commit(person("Someone", "someone@example.com"));
    let human = commit(OLD, Class::Human, person("Ann", "ann@example.com"), vec![]);
    let r = with_pushers(
        vec![review("op", 7, "APPROVED", HEAD)],
        &[],
        LastPusher::Account(pusher("OP", 77)),
    );
    let a = run(&one(1), &[agent], &r, &Policy::default());
    assert_eq!(
        why(&a, "op"),
        "pushed the head 1111111 last: GitHub's rule bans the last pusher's approval"
    );
    // On a human-written change, the last pusher may approve.
    assert!(run(&one(1), &[human], &r, &Policy::default()).satisfied);
}

#[test]
fn an_unknown_pusher_costs_one_more_approval() {
    let agent = agent_commit(person("Someone", "someone@example.com"));
    let mut r = with_pushers(
        vec![review("carol", 8, "APPROVED", HEAD)],
        &[],
        LastPusher::Account(pusher("op", 7)),
    );
    assert!(
        run(
            &one(1),
            std::slice::from_ref(&agent),
            &r,
            &Policy::default()
        )
        .satisfied
    );
    r.pushers.as_mut().unwrap().unknown = vec![agent.sha.clone()];
    let a = run(
        &one(1),
        std::slice::from_ref(&agent),
        &r,
        &Policy::default(),
    );
    assert_eq!((a.required, a.satisfied), (2, false));
    r.reviews.push(review("dan", 9, "APPROVED", HEAD));
    assert!(
        run(
            &one(1),
            std::slice::from_ref(&agent),
            &r,
            &Policy::default()
        )
        .satisfied
    );
    // Nobody known to have pushed the head last: one more again.
    r.pushers.as_mut().unwrap().last = LastPusher::Unknown;
    assert_eq!(
        run(
            &one(1),
            std::slice::from_ref(&agent),
            &r,
            &Policy::default()
        )
        .required,
        3
    );
    // A pusher of history the range lacks may have pushed anything of it.
    let mut r = with_pushers(
        vec![review("bob", 5, "APPROVED", HEAD)],
        &[],
        LastPusher::Deleted,
    );
    r.pushers.as_mut().unwrap().unplaced = vec![(pusher("bob", 5), "9".repeat(40))];
    assert!(
        why(&run(&one(1), &[agent], &r, &Policy::default()), "bob").starts_with(
            "pushed 9999999 to refs/heads/feature, which is not in the range's history"
        )
    );
}
