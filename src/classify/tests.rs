use super::*;
use crate::git::{Person, Signature};
use crate::hcl::{Reader, SourceFile};

fn commit(author: (&str, &str), committer: (&str, &str), message: &str) -> Commit {
    let trailers = message
        .rsplit("\n\n")
        .next()
        .unwrap_or("")
        .lines()
        // As git: an indented line continues a trailer, it starts none.
        .filter(|l| !l.starts_with(char::is_whitespace))
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Commit {
        sha: "0".repeat(40),
        parents: vec![],
        author: Person {
            name: author.0.into(),
            email: author.1.into(),
        },
        committer: Person {
            name: committer.0.into(),
            email: committer.1.into(),
        },
        message: message.into(),
        trailers,
        signature: Signature::None,
        ai_note: None,
    }
}

fn by(name: &str, email: &str, message: &str) -> Commit {
    commit((name, email), (name, email), message)
}

fn builtin() -> Catalog {
    Catalog::builtin().expect("the built-in catalog reads")
}

fn with_config(hcl: &str) -> Catalog {
    let mut catalog = builtin();
    let mut reader = Reader::new(SourceFile::new(".plangate.hcl", hcl));
    let body = reader.parse().unwrap();
    let mut f = reader.fields(&body, "");
    catalog::extend_from(&mut catalog, &mut reader, &mut f);
    reader.finish().unwrap();
    catalog
}

fn class(c: &Commit, cat: &Catalog) -> (Class, Option<String>) {
    let r = classify(c, cat);
    (r.class, r.name)
}

#[test]
fn agent_identities_as_author_committer_or_co_author() {
    let cat = builtin();
    let cases = [
        (by("Claude", "noreply@anthropic.com", "Fix"), "claude-code"),
        (
            by(
                "copilot-swe-agent[bot]",
                "198982749+Copilot@users.noreply.github.com",
                "Initial plan",
            ),
            "copilot-coding-agent",
        ),
        (
            by(
                "Ann",
                "ann@example.com",
                "Fix\n\nCo-Authored-By: Claude Sonnet 4.6 <noreply@anthropic.com>",
            ),
            "claude-code",
        ),
        (
            by(
                "Ann",
                "ann@example.com",
                "Fix\n\nCo-authored-by: Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>",
            ),
            "copilot-autofix",
        ),
        (
            by(
                "Ann",
                "ann@example.com",
                "Fix\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
            ),
            "copilot-review",
        ),
        (by("Bob (aider)", "bob@example.com", "feat: x"), "aider"),
    ];
    for (c, agent) in cases {
        assert_eq!(
            class(&c, &cat),
            (Class::Agent, Some(agent.to_owned())),
            "{}",
            c.message
        );
    }
}

#[test]
fn aider_as_committer_only_is_a_human_change() {
    let c = commit(
        ("Bob", "bob@example.com"),
        ("Bob (aider)", "bob@example.com"),
        "manual edit",
    );
    assert_eq!(class(&c, &builtin()).0, Class::Human);
}

#[test]
fn people_at_vendors_and_mentions_are_human() {
    let cat = builtin();
    for c in [
        by("Charlie Marsh", "charliemarsh@openai.com", "Improve parser"),
        by("Roy Williams", "roy@anthropic.com", "Docs"),
        by(
            "Ann",
            "ann@example.com",
            "Address Copilot review comments\n\nUpdate CLAUDE.md too.",
        ),
        // curl credits human helpers with Assisted-by.
        by("Ann", "ann@example.com", "Fix\n\nAssisted-by: Jay Satiro"),
        // A bare name that is a person's, not a tool's.
        by(
            "Ann",
            "ann@example.com",
            "Fix\n\nCo-authored-by: Claude Monet",
        ),
        by(
            "Ann",
            "ann@example.com",
            "Fix\n\nCo-authored-by: Devin Smith",
        ),
        by("Ann", "ann@example.com", "Fix\n\nCo-authored-by: Jay"),
        // Bot-like names of people, and GitHub's own web-flow committer.
        by("Robot Roberts", "robot@example.com", "Fix"),
        by("Abbot", "abbot@example.com", "Fix"),
        by("Talbot Agent-Smith", "talbot@example.com", "Fix"),
        by("Ann", "agents@example.com", "Fix"),
    ] {
        assert_eq!(class(&c, &cat).0, Class::Human, "{}", c.message);
    }
}

#[test]
fn disclosures_count_only_when_they_name_an_ai() {
    let cat = builtin();
    let c = by("Ann", "ann@example.com", "Fix\n\nAssisted-by: Claude Code");
    assert_eq!(class(&c, &cat), (Class::Agent, Some("claude-code".into())));
    let c = by(
        "Ann",
        "ann@example.com",
        "Fix\n\nAssisted-by: OpenAI GPT-5 <noreply@openai.com>",
    );
    assert_eq!(class(&c, &cat), (Class::Agent, Some("codex".into())));
    let c = by(
        "Ann",
        "ann@example.com",
        "Fix\n\nGenerated-by: some LLM chatbot",
    );
    assert_eq!(class(&c, &cat), (Class::Agent, Some(UNNAMED_AI.into())));
}

#[test]
fn footers_and_session_lines() {
    let cat = builtin();
    let c = by(
        "Ann",
        "ann@example.com",
        "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    );
    assert_eq!(class(&c, &cat), (Class::Agent, Some("claude-code".into())));
    let c = by("Ann", "ann@example.com", "Fix\n\nMade-with: Cursor");
    assert_eq!(class(&c, &cat), (Class::Agent, Some("cursor".into())));
    let c = by("Ann", "ann@example.com", "aider: make it so");
    assert_eq!(class(&c, &cat), (Class::Agent, Some("aider".into())));
}

#[test]
fn a_squash_merge_carries_its_co_authors_mid_body() {
    let c = commit(
        ("Ann", "ann@example.com"),
        ("GitHub", "noreply@github.com"),
        "Add the thing (#12)\n\n* first\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n\n* second\n\nSigned-off-by: Ann <ann@example.com>",
    );
    assert_eq!(class(&c, &builtin()), (Class::Agent, Some("cursor".into())));
}

#[test]
fn bots_are_not_agents_and_agents_win_over_bots() {
    let cat = builtin();
    let c = by(
        "dependabot[bot]",
        "49699333+dependabot[bot]@users.noreply.github.com",
        "Bump x",
    );
    assert_eq!(class(&c, &cat), (Class::Bot, Some("dependabot".into())));
    let c = by("OpenHands Bot", "openhands@all-hands.dev", "Fix lint");
    assert_eq!(class(&c, &cat), (Class::Bot, Some("openhands-lint".into())));
    let c = by("openhands", "openhands@all-hands.dev", "Fix bug");
    assert_eq!(class(&c, &cat), (Class::Agent, Some("openhands".into())));
    let c = by(
        "github-actions[bot]",
        "41898282+github-actions[bot]@users.noreply.github.com",
        "Regenerate\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    );
    assert_eq!(class(&c, &cat).0, Class::Agent);
}

#[test]
fn configured_identities_trailers_and_patterns() {
    let cat = with_config(
        r#"
agents {
  author_emails = ["*@bots.example.com"]
  trailers      = ["Agent-Session"]
  patterns      = ["^Ticket-Bot: "]
}
agent "in-house" {
  description = "Our own agent"
  identities  = [{ email = "helper@example.com" }]
}
"#,
    );
    for c in [
        by("Robo", "r2@bots.example.com", "x"),
        by("Ann", "ann@example.com", "x\n\nAgent-Session: 42"),
        by("Ann", "ann@example.com", "x\n\nTicket-Bot: yes"),
        by("Helper", "helper@example.com", "x"),
        by(
            "Ann",
            "ann@example.com",
            "x\n\nCo-authored-by: R2 <r2@bots.example.com>",
        ),
    ] {
        assert_eq!(class(&c, &cat).0, Class::Agent, "{}", c.message);
    }
    assert_eq!(
        class(&by("Ann", "ann@example.com", "x"), &cat).0,
        Class::Human
    );
}

#[test]
fn unverified_commits_can_be_counted_as_agents() {
    let cat = with_config("agents {\n  unverified = \"agent\"\n}\n");
    let mut c = by("Ann", "ann@example.com", "x");
    assert_eq!(class(&c, &cat).0, Class::Agent);
    c.signature = Signature::Unverified;
    assert_eq!(class(&c, &cat).0, Class::Agent);
    c.signature = Signature::Good;
    assert_eq!(class(&c, &cat).0, Class::Human);
    assert_eq!(class(&c, &builtin()).0, Class::Human);
}

#[test]
fn review_suggestions_can_be_ignored() {
    let cat = with_config("agents {\n  review_suggestions = \"ignore\"\n}\n");
    let c = by(
        "Ann",
        "ann@example.com",
        "Fix\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    );
    assert_eq!(class(&c, &cat).0, Class::Human);
    assert_eq!(class(&c, &builtin()).0, Class::Agent);
}

#[test]
fn git_ai_notes() {
    let mut c = by("Ann", "ann@example.com", "x");
    c.ai_note = Some(
        "src/main.rs\n  s_0123456789abcd::t_0123456789abcd 1-20\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{\"p1\":{\"agent_id\":{\"tool\":\"cursor\",\"id\":\"x\",\"model\":\"m\"}}}}".into(),
    );
    assert_eq!(class(&c, &builtin()), (Class::Agent, Some("cursor".into())));
    c.ai_note = Some(
        "src/main.rs\n  h_0123456789abcd 1-20\n---\n{\"schema_version\":\"authorship/3.0.0\"}"
            .into(),
    );
    assert_eq!(
        class(&c, &builtin()).0,
        Class::Human,
        "a note of human lines only"
    );
}

#[test]
fn configuration_errors_point_at_the_key() {
    let mut catalog = builtin();
    let text = "agents {\n  unverified = \"maybe\"\n  colour = 3\n}\nagent \"x\" {\n  description = \"X\"\n  identities = [{ name = \"X\" }]\n}\n";
    let mut reader = Reader::new(SourceFile::new(".plangate.hcl", text));
    let body = reader.parse().unwrap();
    let mut f = reader.fields(&body, "");
    catalog::extend_from(&mut catalog, &mut reader, &mut f);
    let errors = reader.finish().unwrap_err().errors;
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(
        messages[0].starts_with(".plangate.hcl:2:16: `unverified` is"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with(".plangate.hcl:3:3: unknown key `colour`"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].starts_with(".plangate.hcl:5:1: agent \"x\" has nothing to recognise it by"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].starts_with(".plangate.hcl:7:17: an identity needs"),
        "{}",
        messages[3]
    );
}

/// The SQUASH_MSG of `git merge --squash` (git 2.47) for a branch of a human
/// merge, a Claude-authored commit with a co-author trailer, and a human
/// commit, as `git commit --no-edit` keeps it.
const SQUASH_MSG: &str = "Squashed commit of the following:

commit b830f881ced7e7b8f0314c7429b820dd5c4299ec
Merge: 5e65ac0 dce58bf
Author: Alice Human <alice@example.com>
Date:   Wed Dec 2 02:49:15 2026 +0000

    Merge branch 'sub' into feat

commit 5e65ac0b05ef8e2866046ce132e603befcc32650
Author: Alice Human <alice@example.com>
Date:   Wed Dec 2 02:49:15 2026 +0000

    Drop the orders table

    Body line.

    Co-authored-by: Claude <noreply@anthropic.com>

commit dce58bf395d78d49a03b5eb13dd38fa4a653b3f4
Author: Alice Human <alice@example.com>
Date:   Wed Dec 2 02:49:15 2026 +0000

    sub change";

const ALICE: (&str, &str) = ("Alice Human", "alice@example.com");

fn evidence(c: &Commit, cat: &Catalog) -> Vec<String> {
    classify(c, cat).evidence
}

#[test]
fn a_squash_takes_the_co_author_trailer_of_a_quoted_commit() {
    let c = by(ALICE.0, ALICE.1, SQUASH_MSG);
    let r = classify(&c, &builtin());
    assert_eq!(
        (r.class, r.name.as_deref()),
        (Class::Agent, Some("claude-code"))
    );
    assert_eq!(
        r.evidence,
        [
            "squashed commit 5e65ac0b05: trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" names claude-code"
        ]
    );
}

#[test]
fn a_squash_takes_the_agent_author_of_a_quoted_commit() {
    let msg = SQUASH_MSG.replacen(
        "commit 5e65ac0b05ef8e2866046ce132e603befcc32650\nAuthor: Alice Human <alice@example.com>",
        "commit 5e65ac0b05ef8e2866046ce132e603befcc32650\nAuthor: Cursor Agent <cursoragent@cursor.com>",
        1,
    );
    let msg = msg.replace("\n\n    Co-authored-by: Claude <noreply@anthropic.com>", "");
    let c = by(ALICE.0, ALICE.1, &msg);
    let r = classify(&c, &builtin());
    assert_eq!((r.class, r.name.as_deref()), (Class::Agent, Some("cursor")));
    assert_eq!(
        r.evidence,
        ["squashed commit 5e65ac0b05: author Cursor Agent <cursoragent@cursor.com> is cursor"]
    );
}

/// One quoted commit as `git log` prints it.
fn quote(sha: &str, author: &str, message: &str) -> String {
    let body: Vec<String> = message
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect();
    format!(
        "commit {sha}\nAuthor: {author}\nDate:   Thu Jan 1 00:00:03 2026 +0000\n\n{}\n",
        body.join("\n")
    )
}

fn squash(quoted: &[String]) -> String {
    format!("Squashed commit of the following:\n\n{}", quoted.join("\n"))
}

const DEPENDABOT: &str = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";

#[test]
fn a_squash_takes_the_strongest_class_of_its_quoted_commits() {
    let cat = builtin();
    let human = quote(&"a".repeat(40), "Alice Human <alice@example.com>", "Tidy");
    let bot = quote(&"b".repeat(40), DEPENDABOT, "Bump x");
    let agent = quote(&"c".repeat(40), "Bob (aider) <bob@example.com>", "feat: y");
    let c = by(ALICE.0, ALICE.1, &squash(&[human.clone(), bot.clone()]));
    assert_eq!(class(&c, &cat), (Class::Bot, Some("dependabot".into())));
    assert_eq!(
        evidence(&c, &cat),
        [format!(
            "squashed commit bbbbbbbbbb: author {DEPENDABOT} is dependabot (automation, not AI)"
        )]
    );
    let c = by(ALICE.0, ALICE.1, &squash(&[bot, agent, human]));
    assert_eq!(class(&c, &cat), (Class::Agent, Some("aider".into())));
    assert_eq!(
        evidence(&c, &cat),
        ["squashed commit cccccccccc: author Bob (aider) <bob@example.com> is aider"]
    );
}

#[test]
fn a_squash_of_human_commits_is_human_and_says_whose() {
    let c = by(
        ALICE.0,
        ALICE.1,
        &squash(&[
            quote(&"a".repeat(40), "Alice Human <alice@example.com>", "One"),
            quote(
                &"b".repeat(64),
                "Bob <bob@example.com>",
                "Two\n\nAsk Claude, he said.",
            ),
        ]),
    );
    assert_eq!(
        evidence(&c, &builtin()),
        [
            "no agent or bot signal; author Alice Human <alice@example.com>; squashed commits by Alice Human <alice@example.com>, Bob <bob@example.com>"
        ]
    );
}

#[test]
fn quoted_commits_read_footers_subjects_and_disclosures() {
    let cat = builtin();
    for (message, agent, text) in [
        (
            "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
            "claude-code",
            "message line \"🤖 Generated with [Claude Code](https://claude.com/claude-code)\" is claude-code's marker",
        ),
        (
            "aider: make it so",
            "aider",
            "subject \"aider: make it so\" matches aider's marker",
        ),
        (
            "Fix\n\nAssisted-by: Claude Code",
            "claude-code",
            "trailer \"Assisted-by: Claude Code\" discloses AI help (claude-code)",
        ),
    ] {
        let sha = "d".repeat(64);
        let c = by(
            ALICE.0,
            ALICE.1,
            &squash(&[quote(&sha, "Alice Human <alice@example.com>", message)]),
        );
        let r = classify(&c, &cat);
        assert_eq!(r.name.as_deref(), Some(agent), "{message}");
        assert_eq!(r.evidence.len(), 1, "{:?}", r.evidence);
        assert!(
            r.evidence[0].starts_with("squashed commit dddddddddd: "),
            "{:?}",
            r.evidence
        );
        assert!(r.evidence[0].contains(text), "{:?}", r.evidence);
    }
}

#[test]
fn a_squash_of_a_squash_names_both_commits() {
    let inner = quote(
        &"e".repeat(40),
        "Claude <noreply@anthropic.com>",
        "Drop the table",
    );
    let outer = quote(
        &"f".repeat(40),
        "Alice Human <alice@example.com>",
        &squash(&[inner]),
    );
    let c = by(ALICE.0, ALICE.1, &squash(&[outer]));
    assert_eq!(
        evidence(&c, &builtin()),
        [
            "squashed commit ffffffffff: squashed commit eeeeeeeeee: author Claude <noreply@anthropic.com> is claude-code"
        ]
    );
}

#[test]
fn deeply_nested_quotes_still_read_their_trailers() {
    let mut msg = "Leaf\n\nCo-authored-by: Claude <noreply@anthropic.com>".to_owned();
    for _ in 0..(quoted::MAX_DEPTH + 20) {
        msg = squash(&[quote(
            &"1".repeat(40),
            "Alice Human <alice@example.com>",
            &msg,
        )]);
    }
    let r = classify(&by(ALICE.0, ALICE.1, &msg), &builtin());
    assert_eq!(r.class, Class::Agent);
    let prefix = "squashed commit 1111111111: ".repeat(quoted::MAX_DEPTH);
    assert_eq!(
        r.evidence,
        [format!(
            "{prefix}trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" names claude-code"
        )]
    );
}

#[test]
fn author_lines_outside_a_quoted_commit_are_no_identity() {
    let cat = builtin();
    let sha = "5e65ac0b05ef8e2866046ce132e603befcc32650";
    for msg in [
        "Fix docs\n\nAuthor: Claude <noreply@anthropic.com>".to_owned(),
        "Fix docs\n\nAuthor: see docs\nWritten after asking Claude about it.".to_owned(),
        // Not git's layout: no blank line before an indented message.
        format!("Fix\n\ncommit {sha}\nAuthor: Claude <noreply@anthropic.com>\nSee above."),
        // Not an object id.
        format!(
            "Fix\n\ncommit {}\nAuthor: Claude <noreply@anthropic.com>\n\n    x",
            &sha[..39]
        ),
        // A header git does not write in this format.
        format!(
            "Fix\n\ncommit {sha}\nAuthor: Claude <noreply@anthropic.com>\nReviewer: Bob\n\n    x"
        ),
        // A `commit` subject is the commit's own.
        format!("commit {sha}\nAuthor: Claude <noreply@anthropic.com>\n\n    x"),
    ] {
        assert_eq!(
            class(&by(ALICE.0, ALICE.1, &msg), &cat).0,
            Class::Human,
            "{msg}"
        );
    }
}

#[test]
fn indented_trailers_count_within_the_guard() {
    let cat = builtin();
    for msg in [
        "Fix\n\n  Co-authored-by: Claude <noreply@anthropic.com>\n\nSigned-off-by: Ann <ann@example.com>",
        "Fix\n\n\tCo-authored-by: Claude <noreply@anthropic.com>\n\nSigned-off-by: Ann <ann@example.com>",
        // Loose whitespace in the key is the same key.
        "Fix\n\n  Co authored by: Claude <noreply@anthropic.com>",
        "Fix\n\nCo-authored-by : Claude <noreply@anthropic.com>",
    ] {
        let r = classify(&by(ALICE.0, ALICE.1, msg), &cat);
        assert_eq!(
            r.evidence,
            ["trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" names claude-code"],
            "{msg:?}"
        );
    }
    for msg in [
        "Fix\n\n  * Co-authored-by: Claude <noreply@anthropic.com>",
        "Fix\n\n  Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-Co-authored-by: Claude <noreply@anthropic.com>",
    ] {
        assert_eq!(
            class(&by(ALICE.0, ALICE.1, msg), &cat).0,
            Class::Human,
            "{msg:?}"
        );
    }
}

/// A commit whose trailers git did not parse (they are not the last paragraph).
fn mid_body(message: &str) -> Commit {
    let mut c = by(ALICE.0, ALICE.1, message);
    c.trailers.clear();
    c
}

#[test]
fn merge_messages_carry_trailers_in_the_body() {
    let cat = builtin();
    for msg in [
        // `git merge --no-ff --log`, edited to credit the agent above the shortlog.
        "Merge branch 'feat'\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\n* feat:\n  Drop the orders table\n  sub change",
        // The same, with the trailer under the shortlog's entry.
        "Merge branch 'feat'\n\n* feat:\n  Drop the orders table\n    Co-authored-by: Claude <noreply@anthropic.com>\n  sub change",
        // GitHub's merge commit of a pull request.
        "Merge pull request #12 from ann/feat\n\nDrop the orders table\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nReviewed-by: Bob",
    ] {
        let r = classify(&mid_body(msg), &cat);
        assert_eq!(
            r.evidence,
            ["trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" names claude-code"],
            "{msg}"
        );
    }
    let plain = "Merge branch 'feat'\n\n* feat:\n  Drop the orders table\n  Ask Claude\n";
    assert_eq!(class(&mid_body(plain), &cat).0, Class::Human);
}

#[test]
fn revert_messages_carry_trailers_and_quote_no_commit() {
    let cat = builtin();
    let sha = "5e65ac0b05ef8e2866046ce132e603befcc32650";
    let revert = format!("Revert \"Drop the orders table\"\n\nThis reverts commit {sha}.");
    assert_eq!(class(&by(ALICE.0, ALICE.1, &revert), &cat).0, Class::Human);
    let msg = format!(
        "{revert}\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nSigned-off-by: Alice Human <alice@example.com>"
    );
    let r = classify(&mid_body(&msg), &cat);
    assert_eq!(
        r.evidence,
        ["trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" names claude-code"]
    );
}

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.into(),
        email: email.into(),
    }
}

#[test]
fn co_authors_include_quoted_authors_and_their_co_authors_once() {
    let msg = format!(
        "{}\n\nCo-authored-by: Dana <dana@example.com>",
        squash(&[
            quote(
                &"a".repeat(40),
                "Claude <noreply@anthropic.com>",
                "One\n\nCo-authored-by: Bob <Bob@Example.com>"
            ),
            quote(
                &"b".repeat(40),
                "Alice Human <Alice@example.com>",
                "Two\n\nCo-authored-by: Bob <bob@example.com>"
            ),
            quote(
                &"c".repeat(40),
                "Carol <carol@example.com>",
                "Three\n\nCo-authored-by: Dana <dana@example.com>"
            ),
        ])
    );
    assert_eq!(
        co_authors(&by(ALICE.0, ALICE.1, &msg)),
        [
            person("Dana", "dana@example.com"),
            person("Claude", "noreply@anthropic.com"),
            person("Bob", "bob@example.com"),
            person("Carol", "carol@example.com"),
        ],
        "the squasher's own commit makes her no co-author"
    );
    let own = by(
        ALICE.0,
        ALICE.1,
        "x\n\nCo-authored-by: Alice Human <alice@example.com>",
    );
    assert_eq!(co_authors(&own), [person(ALICE.0, ALICE.1)], "as before");
}

#[test]
fn the_squash_message_splits_into_its_own_lines_and_quoted_commits() {
    let split = quoted::split(
        &format!("{SQUASH_MSG}\n\nSigned-off-by: Alice Human <alice@example.com>"),
        0,
    );
    assert_eq!(
        split.own,
        "Squashed commit of the following:\n\n\n\n\nSigned-off-by: Alice Human <alice@example.com>"
    );
    let got: Vec<(&str, String, &str)> = split
        .quoted
        .iter()
        .map(|q| (q.short(), q.author.to_string(), q.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "b830f881ce",
                "Alice Human <alice@example.com>".into(),
                "Merge branch 'sub' into feat"
            ),
            (
                "5e65ac0b05",
                "Alice Human <alice@example.com>".into(),
                "Drop the orders table\n\nBody line.\n\nCo-authored-by: Claude <noreply@anthropic.com>"
            ),
            (
                "dce58bf395",
                "Alice Human <alice@example.com>".into(),
                "sub change"
            ),
        ]
    );
}

// ---- issue 12: the marks still missed, and the long tail ----

#[track_caller]
fn agent_as(msg: &str, author: (&str, &str), agent: &str, says: &str) {
    let r = classify(&by(author.0, author.1, msg), &builtin());
    assert_eq!(r.class, Class::Agent, "{msg:?}: {:?}", r.evidence);
    assert_eq!(r.name.as_deref(), Some(agent), "{msg:?}: {:?}", r.evidence);
    assert!(
        r.evidence.iter().any(|e| e.contains(says)),
        "{msg:?}: {:?} lacks {says:?}",
        r.evidence
    );
}

#[track_caller]
fn human(msg: &str, author: (&str, &str)) {
    let r = classify(&by(author.0, author.1, msg), &builtin());
    assert_eq!(r.class, Class::Human, "{msg:?}: {:?}", r.evidence);
}

#[test]
fn session_thread_and_log_links_anywhere_in_the_body() {
    for (msg, agent) in [
        (
            "Fix db\n\nThread: https://ampcode.com/threads/T-0f3c9a1e-77aa-4b1e-9f00-123456789abc",
            "amp",
        ),
        (
            "Fix db\n\nAgent-Logs-Url: https://github.com/acme/infra/sessions/3f0e2a4b-1c2d",
            "github-agent-session",
        ),
        (
            "Fix db\n\nTask: https://chatgpt.com/codex/tasks/task_e_68a1b2c3d4e5f6",
            "codex",
        ),
        (
            "Fix db\n\nSession https://app.devin.ai/sessions/0123abcd4567ef89",
            "devin",
        ),
        (
            "Fix db\n\nhttps://cursor.com/agents?id=bc-12345678-aaaa",
            "cursor",
        ),
        (
            "Fix db\n\nSee https://claude.ai/code/session_01AbCdEf for the run",
            "claude-code",
        ),
    ] {
        agent_as(msg, ALICE, agent, "marker");
    }
    // A link to the vendor's docs is no session.
    human(
        "Fix db\n\nSee https://ampcode.com/manual and https://docs.devin.ai/",
        ALICE,
    );
}

#[test]
fn prose_that_claims_a_tool_wrote_the_change() {
    for (msg, agent) in [
        (
            "Add retries\n\nDeveloped with assistance from Claude Code.",
            "claude-code",
        ),
        ("Add retries\n\nThis PR was written by Codex", "codex"),
        (
            "Add retries\n\nThis change was generated using GitHub Copilot and reviewed by me",
            "copilot",
        ),
        (
            "Add retries\n\n- Implemented with the help of Cursor",
            "cursor",
        ),
        ("Generated by Claude Opus 4.6 (1M context)", "claude-code"),
        (
            "Add retries\n\nWith the assistance of Gemini 2.5 Pro.",
            "gemini",
        ),
        ("Add retries\n\nCode written with ChatGPT", "codex"),
    ] {
        agent_as(msg, ALICE, agent, "wrote it");
    }
    // Unknown-but-AI models still count, as unnamed AI.
    agent_as(
        "Add retries\n\nDrafted with Sonnet 4.5",
        ALICE,
        "ai-assisted",
        "wrote it",
    );
}

#[test]
fn prose_that_only_mentions_a_tool_stays_human() {
    for msg in [
        "Fix Claude Code hook parsing",
        "Address Copilot review comments\n\nUpdate CLAUDE.md and AGENTS.md.",
        "Add support for Cursor rules",
        "Revert \"Generated code\"\n\nThe agent was wrong.",
        "Docs\n\nThis was not generated by Claude.",
        "Docs\n\nWritten by Claude Monet in 1890",
        "Docs\n\nWritten by Devin Smith and Ann",
        "Docs\n\nWe never used Codex for this.",
        "Docs\n\nMade with love",
        "Docs\n\nBuilt with Terraform 1.11",
    ] {
        human(msg, ALICE);
    }
}

#[test]
fn loose_co_author_lines() {
    // A half-bracketed address reads as the address, and back the same
    // (the fuzzer found `Clnoreply@anthropic.comic.com>` keeping its `>`).
    let a = Address::parse("Cl noreply@anthropic.com>").unwrap();
    assert_eq!(a.email, "noreply@anthropic.com");
    assert_eq!(
        Address::parse(&format!("{} <{}>", a.name, a.email)),
        Some(a)
    );
    assert_eq!(Address::parse("x a>b@example.com"), None);
    agent_as(
        "Fix\n\nCo-authored-by: Claude noreply@anthropic.com>",
        ALICE,
        "claude-code",
        "noreply@anthropic.com",
    );
    // No angle brackets around the address.
    agent_as(
        "Fix\n\nCo-authored-by: OpenHands-GPT-5 openhands@all-hands.dev",
        ALICE,
        "openhands",
        "names openhands",
    );
    // No address at all: a tool's name (with model and version words).
    agent_as(
        "Fix\n\nCo-authored-by: Gemini",
        ALICE,
        "gemini",
        "without an address",
    );
    agent_as(
        "Fix\n\nCO-AUTHORED-BY:   Claude Opus 4.6 (1M context)",
        ALICE,
        "claude-code",
        "without an address",
    );
    agent_as(
        "Fix\n\nCo-authored-by: GPT-5 Codex",
        ALICE,
        "codex",
        "without an address",
    );
    agent_as(
        "Fix\n\nCo-authored-by: Llama 3",
        ALICE,
        "ai-assisted",
        "without an address",
    );
    // A tool's name of two words at an address the catalog does not know.
    agent_as(
        "Fix\n\nCo-authored-by: AI Assistant <assistant@example.com>",
        ALICE,
        "ai-assisted",
        "a tool's name",
    );
    agent_as(
        "Fix\n\nCo-authored-by: Claude Code <bot@example.com>",
        ALICE,
        "claude-code",
        "a tool's name",
    );
    // One word may be a person's first name; with an address it is a person.
    human("Fix\n\nCo-authored-by: Claude <claude@example.com>", ALICE);
    human(
        "Fix\n\nCo-authored-by: Devin Park <devin@example.com>",
        ALICE,
    );
    // A person's name without an address stays a person.
    human("Fix\n\nCo-authored-by: Jules Verne", ALICE);
    // A name-only co-author is someone approvals must know of.
    let c = by(ALICE.0, ALICE.1, "Fix\n\nCo-authored-by: Bob Builder");
    let people = co_authors(&c);
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].name, "Bob Builder");
    let c = by(
        ALICE.0,
        ALICE.1,
        "Fix\n\nCo-authored-by: Bob bob@example.com",
    );
    assert_eq!(co_authors(&c)[0].email, "bob@example.com");
}

#[test]
fn automation_not_known_to_be_non_ai_is_an_agent() {
    let cat = builtin();
    for (author, says) in [
        (
            (
                "sweep-ai[bot]",
                "128439645+sweep-ai[bot]@users.noreply.github.com",
            ),
            "GitHub App account sweep-ai[bot]",
        ),
        (
            ("Acme Fixer", "noreply@acme-fixer.dev"),
            "no-reply address noreply@acme-fixer.dev",
        ),
        (("helper[bot]", "helper@example.com"), "name helper[bot]"),
        (
            ("joestump-agent", "agent@stump.wtf"),
            "account name joestump-agent",
        ),
        (
            ("Ops", "bot@ops.example.com"),
            "automation mailbox bot@ops.example.com",
        ),
    ] {
        let r = classify(&by(author.0, author.1, "Fix"), &cat);
        assert_eq!(r.class, Class::Agent, "{author:?}: {:?}", r.evidence);
        assert!(
            r.evidence
                .iter()
                .any(|e| e.contains("automation not known to be non-AI") && e.contains(says)),
            "{author:?}: {:?}",
            r.evidence
        );
    }
    // A co-author line from an unknown vendor's no-reply mailbox.
    let r = classify(
        &by(
            ALICE.0,
            ALICE.1,
            "Fix\n\nCo-authored-by: Zed <noreply@zed.dev>",
        ),
        &cat,
    );
    assert_eq!(r.class, Class::Agent, "{:?}", r.evidence);
    // Catalogued non-AI automation is a bot, with its evidence.
    for author in [
        (
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
        ),
        (
            "release-please[bot]",
            "55107282+release-please[bot]@users.noreply.github.com",
        ),
        ("semantic-release-bot", "semantic-release-bot@martynus.net"),
        ("GitHub Action", "action@github.com"),
        (
            "pre-commit-ci[bot]",
            "66853113+pre-commit-ci[bot]@users.noreply.github.com",
        ),
    ] {
        let r = classify(&by(author.0, author.1, "chore: release 1.2.3"), &cat);
        assert_eq!(r.class, Class::Bot, "{author:?}: {:?}", r.evidence);
    }
    // GitHub's web-flow committer is the platform: a person's web merge stays theirs.
    let c = commit(
        ALICE,
        ("GitHub", "noreply@github.com"),
        "Merge pull request #7",
    );
    assert_eq!(classify(&c, &cat).class, Class::Human);
    // A person with a noreply GitHub address is a person.
    human("Fix", ("Ann", "12345+ann@users.noreply.github.com"));
}

#[test]
fn an_id_and_a_login_that_disagree_take_the_stronger_class() {
    let cat = builtin();
    // dependabot's id with an agent app's login: not a bot's commit.
    let r = classify(
        &by(
            "x",
            "49699333+copilot-swe-agent[bot]@users.noreply.github.com",
            "Fix",
        ),
        &cat,
    );
    assert_eq!(
        r.class,
        Class::Bot,
        "dependabot's id, and the login is not catalogued: {:?}",
        r.evidence
    );
    let r = classify(
        &by(
            "x",
            "198982749+dependabot[bot]@users.noreply.github.com",
            "Fix",
        ),
        &cat,
    );
    assert_eq!(r.class, Class::Agent, "{:?}", r.evidence);
    // Where the name narrows the same field, the name wins (OpenHands' lint bot).
    let r = classify(
        &by("OpenHands Bot", "openhands@all-hands.dev", "lint"),
        &cat,
    );
    assert_eq!(r.class, Class::Bot);
}

#[test]
fn prose_and_unknown_automation_can_be_turned_off() {
    let off = with_config("agents {\n  prose = false\n  unknown_automation = \"human\"\n}\n");
    let prose = by(
        ALICE.0,
        ALICE.1,
        "Add retries\n\nDeveloped with assistance from Claude Code.",
    );
    assert_eq!(classify(&prose, &builtin()).class, Class::Agent);
    assert_eq!(classify(&prose, &off).class, Class::Human);
    let app = by(
        "sweep-ai[bot]",
        "128439645+sweep-ai[bot]@users.noreply.github.com",
        "Fix",
    );
    assert_eq!(classify(&app, &builtin()).class, Class::Agent);
    assert_eq!(classify(&app, &off).class, Class::Human);
    // Catalogued marks are not affected.
    let marked = by(
        ALICE.0,
        ALICE.1,
        "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    );
    assert_eq!(classify(&marked, &off).class, Class::Agent);
}

#[test]
fn pull_request_signals_are_configured_in_agents_and_agent_blocks() {
    let cat = with_config(
        "agents {\n  pull_request_author = false\n  pull_request_branch = false\n  pull_request_links = true\n}\nagent \"in-house\" {\n  description = \"Ours\"\n  logins = [\"Helper-App[bot]\"]\n  branches = [\"helper/\"]\n  pr_links = [\"https://helper\\\\.example/runs/\"]\n}\n",
    );
    let s = &cat.settings;
    assert!(!s.pull_request_author && !s.pull_request_branch && s.pull_request_links);
    let e = cat.entries.iter().find(|e| e.name == "in-house").unwrap();
    assert_eq!(e.logins, ["helper-app[bot]"]);
    assert_eq!(e.branches, ["helper/"]);
    assert!(e.pr_links[0].is_match("see https://helper.example/runs/12"));

    let mut catalog = builtin();
    let text = "agents {\n  pull_request_author = \"no\"\n  pull_request_title = false\n}\n";
    let mut reader = Reader::new(SourceFile::new(".plangate.hcl", text));
    let body = reader.parse().unwrap();
    let mut f = reader.fields(&body, "");
    catalog::extend_from(&mut catalog, &mut reader, &mut f);
    let errors = reader.finish().unwrap_err().errors;
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages[0].starts_with(".plangate.hcl:2:25:"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with(".plangate.hcl:3:3: unknown key `pull_request_title`"),
        "{}",
        messages[1]
    );
}
