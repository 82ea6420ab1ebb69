use super::*;
use crate::config::hcl::{Reader, SourceFile};
use crate::git::{Person, Signature};

fn commit(author: (&str, &str), committer: (&str, &str), message: &str) -> Commit {
    let trailers = message
        .rsplit("\n\n")
        .next()
        .unwrap_or("")
        .lines()
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
        // A bare name is not an identity.
        by("Ann", "ann@example.com", "Fix\n\nCo-authored-by: Claude"),
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
