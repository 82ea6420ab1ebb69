//! `plangate commits`: the range, classification, and the labelled sample of
//! real commits, on repositories built at test time with the real git.

mod common;

use std::path::Path;
use std::process::Output;

use common::repo::{CLAUDE, HUMAN, TestRepo};
use common::{stderr, stdout};

fn plangate_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.current_dir(dir).args(args).env("NO_COLOR", "1");
    for k in [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_PATH",
        "GITHUB_EVENT_NAME",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn commits_json(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut all = vec!["commits", "--format", "json"];
    all.extend_from_slice(args);
    let o = plangate_in(dir, &all, env);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn classes(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let who = c["agent"].as_str().or(c["bot"].as_str()).unwrap_or("-");
            (c["class"].as_str().unwrap().to_owned(), who.to_owned())
        })
        .collect()
}

/// A repository with a base commit and three commits on top.
fn three_commits() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("main.tf", "# base\n");
    let base = repo.commit(HUMAN, "Base");
    repo.write("main.tf", "# one\n");
    repo.commit(HUMAN, "Human change");
    repo.write("main.tf", "# two\n");
    repo.commit(CLAUDE, "Agent change");
    repo.write("main.tf", "# three\n");
    repo.commit(
        HUMAN,
        "Pairing\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>",
    );
    (repo, base)
}

#[test]
fn flags_name_the_range_and_each_commit_is_classified_oldest_first() {
    let (repo, base) = three_commits();
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["range"]["base"], base.as_str());
    assert_eq!(doc["range"]["head"], repo.head().as_str());
    assert_eq!(
        classes(&doc),
        [
            ("human".into(), "-".into()),
            ("agent".into(), "claude-code".into()),
            ("agent".into(), "claude-code".into())
        ]
    );
    let evidence = doc["commits"][2]["evidence"][0].as_str().unwrap();
    assert!(
        evidence.contains("Co-Authored-By: Claude Opus 4.6"),
        "{evidence}"
    );
}

#[test]
fn a_pull_request_event_gives_the_range_in_github_actions() {
    let (repo, base) = three_commits();
    let head_minus_one = repo.git(&["rev-parse", "HEAD~1"]);
    let event = repo.file("event.json");
    std::fs::write(
        &event,
        serde_json::json!({
            "action": "synchronize",
            "number": 12,
            "pull_request": {"number": 12, "base": {"sha": base}, "head": {"sha": head_minus_one}},
            "repository": {"default_branch": "main"}
        })
        .to_string(),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let doc = commits_json(repo.path(), &[], &env);
    assert_eq!(doc["range"]["head"], head_minus_one.as_str());
    assert_eq!(doc["range"]["source"]["kind"], "pull-request");
    assert_eq!(doc["range"]["source"]["number"], 12);
    assert_eq!(doc["commits"].as_array().unwrap().len(), 2);
}

#[test]
fn a_push_creating_a_branch_compares_with_the_default_branch() {
    let (repo, _) = three_commits();
    let main_tip = repo.git(&["rev-parse", "HEAD~2"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["branch", "-f", "main", &main_tip]);
    let event = repo.file("push.json");
    let after = repo.head();
    std::fs::write(
        &event,
        serde_json::json!({"before": "0".repeat(40), "after": after,
                           "repository": {"default_branch": "main"}})
        .to_string(),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let doc = commits_json(repo.path(), &[], &env);
    assert_eq!(doc["range"]["base"], main_tip.as_str());
    assert_eq!(doc["commits"].as_array().unwrap().len(), 2);
}

#[test]
fn a_pre_push_hook_gives_the_pushed_range() {
    let (repo, base) = three_commits();
    let head = repo.head();
    let env = [
        ("PRE_COMMIT_FROM_REF", base.as_str()),
        ("PRE_COMMIT_TO_REF", head.as_str()),
    ];
    let doc = commits_json(repo.path(), &[], &env);
    assert_eq!(doc["range"]["source"]["kind"], "pre-commit");
    assert_eq!(doc["commits"].as_array().unwrap().len(), 3);
}

#[test]
fn locally_the_range_starts_at_the_upstream() {
    let (repo, _) = three_commits();
    let url = format!("file://{}", repo.path().display());
    repo.git(&["remote", "add", "origin", &url]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD~2"]);
    repo.git(&["branch", "--set-upstream-to=origin/main"]);
    let doc = commits_json(repo.path(), &[], &[]);
    assert_eq!(doc["range"]["source"]["kind"], "upstream");
    assert_eq!(doc["commits"].as_array().unwrap().len(), 2);
    // Without an upstream there is no range to decide from: exit 2.
    repo.git(&["branch", "--unset-upstream"]);
    let o = plangate_in(repo.path(), &["commits"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no upstream"), "{}", stderr(&o));
}

#[test]
fn a_shallow_clone_without_the_base_says_to_fetch_the_history() {
    let (repo, base) = three_commits();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let o = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "shallow"])
        .current_dir(clone.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let shallow = clone.path().join("shallow");
    let o = plangate_in(&shallow, &["commits", "--base", &base], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("shallow"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    // The base fetched alone still leaves the history between missing.
    let o = std::process::Command::new("git")
        .args(["fetch", "-q", "--depth", "1", "origin", &base])
        .current_dir(&shallow)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = plangate_in(&shallow, &["commits", "--base", &base], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("fetch-depth: 0"), "{}", stderr(&o));
}

#[test]
fn an_unknown_base_or_a_directory_outside_git_is_exit_2() {
    let (repo, _) = three_commits();
    let o = plangate_in(repo.path(), &["commits", "--base", "no-such-branch"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-branch"));
    let outside = tempfile::tempdir().unwrap();
    let o = plangate_in(outside.path(), &["commits", "--base", "HEAD"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not inside a git repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_human_rebasing_agent_commits_does_not_make_them_human() {
    let repo = TestRepo::new();
    let base = repo.commit(HUMAN, "Base");
    // Author an agent, committer the human who rebased it.
    repo.commit_as(CLAUDE, HUMAN, "Agent work, rebased by Alice");
    // And the other way round: an agent committing a human's change.
    repo.commit_as(
        HUMAN,
        (
            "Devin AI",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
        ),
        "Human work, committed by Devin",
    );
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(
        classes(&doc),
        [
            ("agent".into(), "claude-code".into()),
            ("agent".into(), "devin".into())
        ]
    );
    let evidence = doc["commits"][1]["evidence"][0].as_str().unwrap();
    assert!(evidence.starts_with("committer Devin AI"), "{evidence}");
}

#[test]
fn configuration_adds_identities_and_can_be_read_from_a_trusted_revision() {
    let repo = TestRepo::new();
    repo.write(
        ".plangate.hcl",
        "agents {\n  author_emails = [\"*@robots.example.com\"]\n}\n",
    );
    let base = repo.commit(HUMAN, "Add the policy");
    repo.commit(("R2", "r2@robots.example.com"), "Robot change");
    // The change also deletes the policy in the work tree.
    repo.write(".plangate.hcl", "# emptied\n");
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(
        classes(&doc),
        [("human".into(), "-".into())],
        "the emptied file counts"
    );
    let doc = commits_json(repo.path(), &["--base", &base, "--config-ref", &base], &[]);
    assert_eq!(classes(&doc)[0].0, "agent", "the policy at the base counts");
}

#[test]
fn a_bad_configuration_is_exit_2_with_its_position() {
    let (repo, base) = three_commits();
    repo.write(
        ".plangate.hcl",
        "agents {\n  unverified = \"sometimes\"\n}\n",
    );
    let o = plangate_in(repo.path(), &["commits", "--base", &base], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".plangate.hcl:2:16"), "{}", stderr(&o));
}

/// The labelled sample of real commits (../shared/corpus/agent-commits), replayed
/// as commits with the same authors, committers and messages. CI requires it
/// (PLANGATE_REQUIRE_SHARED); a checkout without ../shared skips it.
#[test]
fn the_labelled_sample_of_real_commits_is_classified_as_labelled() {
    let sample = std::env::var("PLANGATE_AGENT_SAMPLE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/agent-commits/sample.jsonl"
        )
        .into()
    });
    let Ok(text) = std::fs::read_to_string(&sample) else {
        assert!(
            std::env::var_os("PLANGATE_REQUIRE_SHARED").is_none(),
            "the agent-commit sample is required but {sample} is missing"
        );
        eprintln!("skipped: no {sample}");
        return;
    };
    let rows: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 40);
    let repo = TestRepo::new();
    let base = repo.commit(HUMAN, "Base");
    for row in &rows {
        let s = |k: &str| row[k].as_str().unwrap();
        repo.commit_as(
            (s("author_name"), s("author_email")),
            (s("committer_name"), s("committer_email")),
            s("message"),
        );
    }
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    let got = classes(&doc);
    assert_eq!(got.len(), rows.len());
    let mut wrong = Vec::new();
    for (row, (class, who)) in rows.iter().zip(&got) {
        let label = row["label"].as_str().unwrap();
        let agent = row["agent"].as_str();
        let ok = class == label && (label != "agent" || agent == Some(who.as_str()));
        if !ok {
            wrong.push(format!(
                "{} {}: labelled {label} {agent:?}, got {class} {who}",
                row["repo"], row["sha"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

#[test]
fn git_ai_notes_mark_agent_written_commits() {
    let (repo, base) = three_commits();
    let human = repo.git(&["rev-parse", "HEAD~2"]);
    let note = "main.tf\n  s_0123456789abcd::t_fedcba98765432 1-1\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{\"p\":{\"agent_id\":{\"tool\":\"cursor\",\"id\":\"1\",\"model\":\"m\"}}}}";
    repo.git(&["notes", "--ref=ai", "add", "-m", note, &human]);
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(classes(&doc)[0], ("agent".into(), "cursor".into()));
    let evidence = doc["commits"][0]["evidence"][0].as_str().unwrap();
    assert!(
        evidence.contains("git-ai note (refs/notes/ai)"),
        "{evidence}"
    );
}

#[test]
fn unsigned_commits_count_as_agents_when_the_policy_says_so() {
    let (repo, base) = three_commits();
    let config = repo.file("strict.hcl");
    std::fs::write(&config, "agents {\n  unverified = \"agent\"\n}\n").unwrap();
    let doc = commits_json(
        repo.path(),
        &["--base", &base, "--config", config.to_str().unwrap()],
        &[],
    );
    assert_eq!(classes(&doc)[0].0, "agent", "the human's unsigned commit");
    let evidence = doc["commits"][0]["evidence"][0].as_str().unwrap();
    assert!(evidence.starts_with("not signed"), "{evidence}");
}

#[test]
fn the_readme_configuration_example_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let examples: Vec<&str> = readme
        .split("```hcl\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(!examples.is_empty());
    for example in examples {
        let file = plangate::config::hcl::SourceFile::new("README.md", example);
        if let Err(e) = plangate::config::parse(file) {
            panic!("{}", common::render(&e));
        }
    }
}

const CURSOR: (&str, &str) = ("Cursor Agent", "cursoragent@cursor.com");
const CLAUDE_TRAILER: &str = "Co-authored-by: Claude <noreply@anthropic.com>";

/// Squash branch `name` into main the way `git merge --squash` and
/// `git commit --no-edit` do it, as the human; returns the squash commit.
fn squash_into_main(repo: &TestRepo, name: &str) -> String {
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--squash", name]);
    repo.git(&["commit", "-q", "--no-edit"]);
    repo.head()
}

fn short(sha: &str) -> &str {
    &sha[..10]
}

fn evidence_of(doc: &serde_json::Value, i: usize) -> Vec<String> {
    doc["commits"][i]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_git_squash_of_agent_commits_is_agent_and_names_the_quoted_commit() {
    let repo = TestRepo::new();
    repo.write("main.tf", "# base\n");
    let base = repo.commit(HUMAN, "Base");
    // A human commits with Claude as co-author.
    repo.git(&["checkout", "-q", "-b", "pairing"]);
    repo.write("main.tf", "# orders dropped\n");
    let paired = repo.commit(
        HUMAN,
        &format!("Drop the orders table\n\nBody line.\n\n{CLAUDE_TRAILER}\n"),
    );
    repo.write("main.tf", "# tidied\n");
    let tidy = repo.commit(HUMAN, "Tidy up\n");
    repo.git(&["checkout", "-q", "main"]);
    // Cursor's agent commits as itself, with no trailer.
    repo.git(&["checkout", "-q", "-b", "cursor"]);
    repo.write("other.tf", "# cursor\n");
    let by_cursor = repo.commit(CURSOR, "Add the queue\n");
    let first = squash_into_main(&repo, "pairing");
    let second = squash_into_main(&repo, "cursor");
    let message = repo.git(&["log", "-1", "--format=%B", &first]);
    assert!(
        message.starts_with("Squashed commit of the following:"),
        "{message}"
    );
    assert!(
        message.contains(&format!("commit {tidy}\nAuthor: Alice Human")),
        "{message}"
    );

    let doc = commits_json(repo.path(), &["--base", &base, "--head", "HEAD"], &[]);
    assert_eq!(doc["commits"][0]["sha"], first.as_str());
    assert_eq!(doc["commits"][1]["sha"], second.as_str());
    assert_eq!(
        classes(&doc),
        [
            ("agent".into(), "claude-code".into()),
            ("agent".into(), "cursor".into())
        ]
    );
    assert_eq!(
        evidence_of(&doc, 0),
        [format!(
            "squashed commit {}: trailer \"{CLAUDE_TRAILER}\" names claude-code",
            short(&paired)
        )]
    );
    assert_eq!(
        evidence_of(&doc, 1),
        [format!(
            "squashed commit {}: author Cursor Agent <cursoragent@cursor.com> is cursor",
            short(&by_cursor)
        )]
    );
}

#[test]
fn a_git_squash_of_human_commits_stays_human() {
    let repo = TestRepo::new();
    let base = repo.commit(HUMAN, "Base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("main.tf", "# one\n");
    repo.commit(
        HUMAN,
        "Document the module\n\nAuthor: someone from the platform team\nAsked Claude to review the wording; I wrote it.\n",
    );
    squash_into_main(&repo, "feature");
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(classes(&doc), [("human".into(), "-".into())]);
    assert_eq!(
        evidence_of(&doc, 0),
        [
            "no agent or bot signal; author Alice Human <alice@example.com>; squashed commits by Alice Human <alice@example.com>"
        ]
    );
}

#[test]
fn author_lines_and_mentions_in_a_body_claim_no_authorship() {
    let repo = TestRepo::new();
    let base = repo.commit(HUMAN, "Base");
    let agent_commit = repo.commit(CLAUDE, "Agent change");
    repo.commit(
        HUMAN,
        &format!(
            "Explain the change\n\nAuthor: someone\nSee commit {agent_commit} for what Claude wrote.\nAuthor: Claude <noreply@anthropic.com>\n"
        ),
    );
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(
        classes(&doc),
        [
            ("agent".into(), "claude-code".into()),
            ("human".into(), "-".into())
        ]
    );
}

#[test]
fn a_git_revert_reads_an_added_trailer_and_quotes_no_commit() {
    let repo = TestRepo::new();
    let base = repo.commit(HUMAN, "Base");
    repo.write("a.tf", "# agent\n");
    let agent = repo.commit(CLAUDE, "Drop the orders table");
    repo.write("b.tf", "# human\n");
    let human = repo.commit(HUMAN, "Rename the queue");
    // The human reverts the agent's commit: their own work.
    repo.git(&["revert", "--no-edit", &agent]);
    // And the human's, with the agent credited.
    repo.git(&["revert", "--no-edit", &human]);
    repo.git(&[
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--trailer",
        CLAUDE_TRAILER,
    ]);
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert_eq!(
        message,
        format!("Revert \"Rename the queue\"\n\nThis reverts commit {human}.\n\n{CLAUDE_TRAILER}")
    );
    let first = repo.git(&["log", "-1", "--format=%B", "HEAD~1"]);
    assert!(
        first.contains(&format!("This reverts commit {agent}.")),
        "{first}"
    );
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(
        classes(&doc),
        [
            ("agent".into(), "claude-code".into()),
            ("human".into(), "-".into()),
            ("human".into(), "-".into()),
            ("agent".into(), "claude-code".into())
        ]
    );
    assert_eq!(
        evidence_of(&doc, 3),
        [format!("trailer \"{CLAUDE_TRAILER}\" names claude-code")]
    );
}

#[test]
fn a_git_merge_log_message_with_an_indented_trailer_is_agent() {
    let repo = TestRepo::new();
    repo.write("main.tf", "# base\n");
    let base = repo.commit(HUMAN, "Base");
    repo.git(&["checkout", "-q", "-b", "feat"]);
    repo.write("main.tf", "# one\n");
    repo.commit(HUMAN, "Drop the orders table");
    repo.write("main.tf", "# two\n");
    repo.commit(HUMAN, "Tidy up");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--log", "--no-commit", "feat"]);
    let path = repo.file(".git/MERGE_MSG");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.starts_with("Merge branch 'feat'\n\n* feat:\n  Tidy up\n  Drop the orders table\n"),
        "{written}"
    );
    // The human credits the agent under the shortlog entry it helped with.
    let edited = written.replacen(
        "  Drop the orders table\n",
        &format!("  Drop the orders table\n    {CLAUDE_TRAILER}\n"),
        1,
    );
    std::fs::write(&path, edited).unwrap();
    repo.git(&["commit", "-q", "--no-edit"]);
    let trailers = repo.git(&["log", "-1", "--format=%(trailers:only)"]);
    assert_eq!(trailers, "", "git itself reads no trailer here");
    let doc = commits_json(repo.path(), &["--base", &base], &[]);
    assert_eq!(
        classes(&doc),
        [
            ("human".into(), "-".into()),
            ("human".into(), "-".into()),
            ("agent".into(), "claude-code".into())
        ]
    );
    assert_eq!(
        evidence_of(&doc, 2),
        [format!("trailer \"{CLAUDE_TRAILER}\" names claude-code")]
    );
}

#[test]
fn files_at_revisions_read_right_from_many_threads_at_once() {
    // Attribution evaluates at several revisions at once; each thread's
    // answers must be its own, and a missing file must not stop the reader.
    let repo = TestRepo::new();
    let mut revs = Vec::new();
    for i in 0..4 {
        repo.write(
            "a.txt",
            &format!("version {i}\n{}", "x".repeat(100_000 * i)),
        );
        revs.push(repo.commit(HUMAN, &format!("version {i}")));
    }
    let git = plangate::git::Git::open(repo.path()).unwrap();
    let revisions = git.revisions();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    for (i, rev) in revs.iter().enumerate() {
                        let text = revisions.text(rev, "a.txt").unwrap();
                        assert!(text.starts_with(&format!("version {i}\n")), "{rev}");
                        assert_eq!(text.len(), 10 + 100_000 * i);
                        assert_eq!(revisions.text(rev, "absent.txt"), None);
                    }
                }
            });
        }
    });
    assert!(revisions.failure().is_none());
}
