//! Attacks on the gate by whoever may commit: each history is built at test
//! time with the real git, each plan was made by the real terraform
//! (testdata/attribution/<case>/plan.json). Each attack is caught (exit 1, the
//! finding naming the rule and its evidence), refused (exit 2, saying why), or,
//! where git alone cannot tell, documented as a limit: the test asserts what
//! plangate does and says why that is the intended behaviour.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::repo::{CLAUDE, HUMAN, TestRepo};
use common::{cases, flat, github};
use serde_json::{Value, json};

const DEVIN: (&str, &str) = (
    "Devin AI",
    "158243242+devin-ai-integration[bot]@users.noreply.github.com",
);

/// A base whose policy wants two SRE approvals for an agent's delete.
const STRICT_POLICY: &str = "team \"sre\" {\n  members = [\"erin\", \"frank\"]\n}\nrule \"agent-destroy\" {\n  require {\n    approvals = 2\n    from      = [\"team:sre\"]\n  }\n}\n";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Write step `step` of attribution case `case` over the work tree.
fn put(repo: &TestRepo, case: &str, step: &str) {
    cases::copy_tree(&cases::case_dir(case).join(step), repo.path());
}

fn plan_of(case: &str) -> String {
    cases::case_dir(case)
        .join("plan.json")
        .display()
        .to_string()
}

/// agent-deletes-block's base committed by a person, and its deletion of
/// `terraform_data.orders_db` written over the work tree, not yet committed.
fn base_and_deletion(repo: &TestRepo) -> String {
    put(repo, "agent-deletes-block", "0-base");
    let base = repo.commit(HUMAN, "Add the app and its database");
    put(repo, "agent-deletes-block", "2-agent");
    base
}

/// agent-deletes-block with the deleting commit written by `author` with
/// `message`: the base, then the commit that deletes `terraform_data.orders_db`.
fn deletion_by(
    author: (&str, &str),
    committer: (&str, &str),
    message: &str,
) -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let base = base_and_deletion(&repo);
    let head = repo.commit_as(author, committer, message);
    (repo, base, head)
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn report(&self) -> Value {
        assert_ne!(self.code, 2, "could not decide: {}", self.stderr);
        common::schemas::validate_text(&self.stdout);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }

    /// The error, flattened, for an exit 2.
    fn refused(&self) -> String {
        assert_eq!(
            self.code, 2,
            "expected a refusal: {}{}",
            self.stdout, self.stderr
        );
        flat(&self.stderr)
    }
}

/// `plangate ARGS` in `dir`, outside GitHub Actions.
fn plangate_in(dir: &Path, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF")
        .output()
        .expect("plangate runs");
    Outcome {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Pull request #7 (opened by dave) from `base` to `head`, with `reviews`,
/// saved as the files `--approvals` and `--event` read.
struct SavedReviews {
    dir: tempfile::TempDir,
}

impl SavedReviews {
    fn new(base: &str, head: &str, reviews: Vec<Value>) -> SavedReviews {
        let dir = tempfile::tempdir().unwrap();
        let pr = github::pull_request(7, github::user("dave", 40, "User"), base, head, "feature");
        std::fs::write(
            dir.path().join("event.json"),
            github::pull_request_event("synchronize", pr, "acme/infra").to_string(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("reviews.json"),
            Value::Array(reviews).to_string(),
        )
        .unwrap();
        SavedReviews { dir }
    }

    fn args(&self) -> Vec<String> {
        vec![
            "--approvals".into(),
            self.dir.path().join("reviews.json").display().to_string(),
            "--event".into(),
            self.dir.path().join("event.json").display().to_string(),
        ]
    }
}

/// `plangate check --format json --base BASE EXTRA PLAN` in the repository.
fn check(repo: &TestRepo, base: &str, extra: &[String], plan: &str) -> Outcome {
    let mut args: Vec<&str> = vec!["check", "--format", "json", "--base", base];
    args.extend(extra.iter().map(String::as_str));
    args.push(plan);
    plangate_in(repo.path(), &args)
}

fn strings(extra: &[&str]) -> Vec<String> {
    extra.iter().map(|s| s.to_string()).collect()
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    findings(report, rule)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {rule} finding in {report:#}"))
}

/// A finding's commit as the report's commit table gives it (author, evidence).
fn commit_of<'a>(report: &'a Value, f: &Value, i: usize) -> &'a Value {
    let sha = &f["commits"][i]["sha"];
    report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| &c["sha"] == sha)
        .unwrap_or_else(|| panic!("{sha} is not in the report's commits"))
}

fn evidence(report: &Value, f: &Value) -> String {
    (0..f["commits"].as_array().unwrap().len())
        .flat_map(|i| {
            commit_of(report, f, i)["evidence"]
                .as_array()
                .unwrap()
                .iter()
        })
        .map(|e| e.as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn shas(f: &Value) -> Vec<String> {
    f["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// 1. An agent commit that forges a human author
// ---------------------------------------------------------------------------

#[test]
fn a_forged_human_author_that_leaves_an_agent_marker_is_caught() {
    // Author and committer are Alice; what is left of the agent is one marker.
    let markers: &[(&str, &str)] = &[
        (
            "Recreate the environment\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
            "trailer \"Co-Authored-By: Claude <noreply@anthropic.com>\" names claude-code",
        ),
        (
            "Recreate the environment\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
            "is claude-code's marker",
        ),
        (
            "Recreate the environment\n\nMade-with: Cursor",
            "is cursor's marker",
        ),
        (
            "Recreate the environment\n\nAssisted-by: Claude Code",
            "discloses AI help (claude-code)",
        ),
        // A squash merge stacks the squashed commits' trailers mid-message.
        (
            "Clean up (#42)\n\n* Drop the database\n\nco-authored-by: Amp <amp@ampcode.com>\n\n* Docs\n\nSigned-off-by: Alice Human <alice@example.com>",
            "names amp",
        ),
        // A repository's own agent, declared in its policy (below).
        (
            "Recreate the environment\n\nAgent-Session: 8f1c",
            "trailer \"Agent-Session: 8f1c\" (agents.trailers)",
        ),
    ];
    for (message, says) in markers {
        let (repo, base, _) = deletion_by(HUMAN, HUMAN, message);
        let policy = repo.file(".git/policy.hcl");
        std::fs::write(&policy, "agents {\n  trailers = [\"Agent-Session\"]\n}\n").unwrap();
        let run = check(
            &repo,
            &base,
            &strings(&["--config", policy.to_str().unwrap()]),
            &plan_of("agent-deletes-block"),
        );
        assert_eq!(run.code, 1, "{message}: {}", run.stdout);
        let report = run.report();
        let f = finding(&report, "agent-destroy");
        assert_eq!(f["address"], "terraform_data.orders_db");
        assert_eq!(f["authored_by"], "agent");
        assert_eq!(f["status"], "blocked");
        assert_eq!(
            commit_of(&report, f, 0)["author"]["email"],
            "alice@example.com"
        );
        assert!(
            evidence(&report, f).contains(says),
            "{message}: {}",
            evidence(&report, f)
        );
    }
}

#[test]
fn a_forged_author_with_a_git_ai_note_is_caught() {
    let (repo, base, head) = deletion_by(HUMAN, HUMAN, "Recreate the environment");
    let note = "main.tf\n  s_0123456789abcd::t_fedcba98765432 1-4\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{\"p\":{\"agent_id\":{\"tool\":\"claude\",\"id\":\"1\",\"model\":\"m\"}}}}";
    repo.git(&["notes", "--ref=ai", "add", "-m", note, &head]);
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    let report = run.report();
    let f = finding(&report, "agent-destroy");
    assert!(
        evidence(&report, f).contains("git-ai note (refs/notes/ai)"),
        "{}",
        evidence(&report, f)
    );
}

#[test]
fn a_forged_author_under_an_agent_committer_is_caught() {
    // The author line is forged; the committer is still the agent's.
    let (repo, base, _) = deletion_by(HUMAN, CLAUDE, "Recreate the environment");
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    let report = run.report();
    assert!(
        evidence(&report, finding(&report, "agent-destroy"))
            .contains("committer Claude <noreply@anthropic.com> is claude-code")
    );
}

/// The cfn-template-agent history with the agent's co-author trailer stripped:
/// a perfect forgery that removes a DynamoDB table and replaces a bucket.
fn forged_stateful_deletion() -> (TestRepo, String) {
    let repo = TestRepo::new();
    let case = "cfn-template-agent";
    put(&repo, case, "0-base");
    let base = repo.commit(HUMAN, "Orders stack");
    put(&repo, case, "1-human");
    repo.commit(HUMAN, "Name the topic");
    put(&repo, case, "2-agent");
    repo.commit(HUMAN, "Rename the environment");
    (repo, base)
}

fn changeset() -> String {
    cases::case_dir("cfn-template-agent")
        .join("changeset.json")
        .display()
        .to_string()
}

#[test]
fn a_perfect_forgery_of_a_stateful_delete_is_still_reported_by_stateful_destroy() {
    let (repo, base) = forged_stateful_deletion();
    let run = check(&repo, &base, &[], &changeset());
    let report = run.report();
    // Nothing in git says "agent": the agent rules stay silent. The
    // author-independent rule still puts both losses in the report, but as
    // the warning it is built to be (a human's change goes through the team's
    // own review): exit 0.
    assert!(findings(&report, "agent-destroy").is_empty());
    assert!(findings(&report, "agent-destroy-stateful").is_empty());
    let stateful = findings(&report, "stateful-destroy");
    let mut seen: Vec<(&str, &str, &str)> = stateful
        .iter()
        .map(|f| {
            (
                f["address"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
                f["authored_by"].as_str().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("OrdersTable", "warning", "human"),
            ("ReceiptsBucket", "warning", "human")
        ]
    );
    assert_eq!(run.code, 0);

    // A team that does not trust authorship for data makes the rule hold the
    // build: tightening a built-in is free.
    let policy = repo.file(".git/policy.hcl");
    std::fs::write(
        &policy,
        "rule \"stateful-destroy\" {\n  severity = \"error\"\n  require {\n    approvals = 1\n  }\n}\n",
    )
    .unwrap();
    let run = check(
        &repo,
        &base,
        &strings(&["--config", policy.to_str().unwrap()]),
        &changeset(),
    );
    assert_eq!(run.code, 1);
    let report = run.report();
    assert!(
        findings(&report, "stateful-destroy")
            .iter()
            .all(|f| f["status"] == "blocked")
    );
}

#[test]
fn limit_a_perfect_forgery_of_a_non_stateful_delete_passes_unless_commits_must_be_signed() {
    // The agent writes the commit as Alice, with no trailer, footer or note:
    // every signal plangate reads is text the committer chose. Git alone
    // cannot tell this commit from Alice's, so it is human, and no rule is
    // about a human's delete of a resource that holds no data. This is the
    // intended behaviour, and what the README's security model says:
    // authorship signals are claims, a missing one proves nothing; the
    // defences are signed commits (`agents { unverified = "agent" }`), the
    // author-independent stateful-destroy rule, `unknown` counting as agent,
    // and not giving an agent credentials that commit as a person.
    let (repo, base, _) = deletion_by(HUMAN, HUMAN, "Recreate the environment");
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.report();
    assert_eq!(report["findings"], json!([]), "{report:#}");

    // Requiring good signatures turns the same forgery into an agent commit:
    // the agent cannot sign with a key the repository trusts.
    let policy = repo.file(".git/policy.hcl");
    std::fs::write(&policy, "agents {\n  unverified = \"agent\"\n}\n").unwrap();
    let run = check(
        &repo,
        &base,
        &strings(&["--config", policy.to_str().unwrap()]),
        &plan_of("agent-deletes-block"),
    );
    assert_eq!(run.code, 1);
    let report = run.report();
    assert!(evidence(&report, finding(&report, "agent-destroy")).contains("not signed"));
}

#[test]
fn limit_an_agent_posing_as_a_bot_counts_as_a_bot() {
    // The catalog's bot identities (Dependabot, and OpenHands' lint bot, which
    // shares the OpenHands agent's address but not its name) are automation,
    // not AI; an agent that commits under one is, to git, that bot. Same limit
    // and same defence as a forged human.
    for bot in [
        (
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
        ),
        ("OpenHands Bot", "openhands@all-hands.dev"),
    ] {
        let (repo, base, _) = deletion_by(bot, bot, "Bump");
        let commits = plangate_in(
            repo.path(),
            &["commits", "--format", "json", "--base", &base],
        );
        let doc = commits.report();
        assert_eq!(doc["commits"][0]["class"], "bot", "{bot:?}");
        let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
        assert_eq!(run.code, 0, "{bot:?}");
        assert_eq!(run.report()["findings"], json!([]));

        let policy = repo.file(".git/policy.hcl");
        std::fs::write(&policy, "agents {\n  unverified = \"agent\"\n}\n").unwrap();
        let run = check(
            &repo,
            &base,
            &strings(&["--config", policy.to_str().unwrap()]),
            &plan_of("agent-deletes-block"),
        );
        assert_eq!(run.code, 1, "{bot:?}");
    }
}

// ---------------------------------------------------------------------------
// 2. An agent commit that edits the policy
// ---------------------------------------------------------------------------

/// A base with the strict policy; an agent commit deletes the database and,
/// with `edit`, does something to the policy. Erin (SRE) approves the head.
struct PolicyAttack {
    repo: TestRepo,
    base: String,
    reviews: SavedReviews,
}

impl PolicyAttack {
    fn new(edit: &dyn Fn(&TestRepo)) -> PolicyAttack {
        let repo = TestRepo::new();
        repo.write(".plangate.hcl", STRICT_POLICY);
        put(&repo, "agent-deletes-block", "0-base");
        let base = repo.commit(HUMAN, "Policy and infrastructure");
        put(&repo, "agent-deletes-block", "2-agent");
        edit(&repo);
        let head = repo.commit(CLAUDE, "Tidy up");
        let reviews = SavedReviews::new(&base, &head, vec![approve("erin", 42, &head)]);
        PolicyAttack {
            repo,
            base,
            reviews,
        }
    }

    fn check(&self, extra: &[&str]) -> Outcome {
        let mut args = self.reviews.args();
        args.extend(strings(extra));
        check(
            &self.repo,
            &self.base,
            &args,
            &plan_of("agent-deletes-block"),
        )
    }

    /// Judged by the base's policy: Erin's one approval is not two.
    fn assert_judged_by_the_base(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--config-ref", self.base.as_str()];
        args.extend_from_slice(extra);
        let run = self.check(&args);
        assert_eq!(run.code, 1, "{}", run.stdout);
        let report = run.report();
        let f = finding(&report, "agent-destroy");
        assert_eq!(f["approval"]["required"], 2);
        assert_eq!(f["approval"]["approved_by"], json!(["erin"]));
        assert_eq!(f["status"], "blocked");
        assert!(report.get("overrides").is_none(), "{report:#}");
        report
    }
}

fn approve(login: &str, id: u64, commit: &str) -> Value {
    common::gate::approve(login, id, commit)
}

#[test]
fn loosening_a_rule_with_override_does_not_apply_under_config_ref() {
    let loosened = [
        // Switch the rule off.
        "rule \"agent-destroy\" {\n  disabled = true\n  override = true\n}\n",
        // Make it a warning.
        "rule \"agent-destroy\" {\n  override = true\n  severity = \"warning\"\n}\n",
        // Narrow its match to nothing.
        "rule \"agent-destroy\" {\n  override = true\n  match {\n    actions = [\"import\"]\n  }\n}\n",
        // Call every agent a human.
        "agents {\n  unknown = \"human\"\n}\nrule \"agent-destroy\" {\n  override = true\n  match {\n    authored_by = [\"bot\"]\n  }\n}\n",
    ];
    for text in loosened {
        // The agent also switches off the rule that flags its edit.
        let text = format!(
            "{text}rule \"agent-edits-policy\" {{\n  disabled = true\n  override = true\n}}\n"
        );
        let attack = PolicyAttack::new(&|repo| repo.write(".plangate.hcl", &text));
        let report = attack.assert_judged_by_the_base(&[]);
        let edit = finding(&report, "agent-edits-policy");
        assert_eq!(
            (edit["address"].as_str(), edit["action"].as_str()),
            (Some(".plangate.hcl"), Some("update"))
        );
        assert_eq!(edit["authored_by"], "agent");
        assert_eq!(edit["commits"][0]["agent"], "claude-code");

        // Without --config-ref the loosened file judges its own pull request:
        // that is why the workflow must pass it (README, agent-edits-policy's
        // `why`). What plangate still does there is say so.
        let run = attack.check(&[]);
        let report = run.report();
        let overridden: Vec<&str> = report["overrides"]
            .as_array()
            .unwrap_or_else(|| panic!("the override is reported: {report:#}"))
            .iter()
            .map(|o| o["rule"].as_str().unwrap())
            .collect();
        assert!(overridden.contains(&"agent-edits-policy"), "{overridden:?}");
        assert!(overridden.contains(&"agent-destroy"), "{overridden:?}");
        assert_eq!(run.code, 0, "{text}");
    }
}

/// What an agent does to the policy, named.
type PolicyEdit<'a> = (&'a str, &'a dyn Fn(&TestRepo));

#[test]
fn deleting_renaming_or_moving_the_policy_is_flagged_and_does_not_loosen_it() {
    let edits: [PolicyEdit<'_>; 3] = [
        ("deleted", &|repo| repo.remove(".plangate.hcl")),
        ("renamed", &|repo| {
            repo.git(&["mv", ".plangate.hcl", "plangate.hcl.old"]);
        }),
        ("moved into a subdirectory", &|repo| {
            std::fs::create_dir_all(repo.file("infra")).unwrap();
            repo.git(&["mv", ".plangate.hcl", "infra/.plangate.hcl"]);
        }),
    ];
    for (what, edit) in edits {
        let attack = PolicyAttack::new(edit);
        let report = attack.assert_judged_by_the_base(&[]);
        let flagged = finding(&report, "agent-edits-policy");
        assert_eq!(flagged["address"], ".plangate.hcl", "{what}");
        assert_eq!(flagged["action"], "delete", "{what}");
        // The edit itself needs one approval, from anyone: Erin's.
        assert_eq!(flagged["approval"]["required"], 1, "{what}");

        // Without --config-ref the built-in rules judge (one approval), and
        // the policy's disappearance is still flagged.
        let report = attack.check(&[]).report();
        assert_eq!(finding(&report, "agent-destroy")["approval"]["required"], 1);
        assert_eq!(finding(&report, "agent-edits-policy")["action"], "delete");
    }
}

#[test]
fn a_second_policy_file_elsewhere_changes_nothing() {
    // plangate reads one file: the repository root's (or --config). A looser
    // copy elsewhere is just a file; it is not flagged because it is not the
    // policy, and it does not judge anything.
    let attack = PolicyAttack::new(&|repo| {
        repo.write(
            "infra/.plangate.hcl",
            "rule \"agent-destroy\" {\n  disabled = true\n  override = true\n}\n",
        );
    });
    let report = attack.assert_judged_by_the_base(&[]);
    assert!(findings(&report, "agent-edits-policy").is_empty());
    let run = attack.check(&[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        finding(&run.report(), "agent-destroy")["approval"]["required"],
        2
    );
}

#[test]
fn a_policy_replaced_by_a_symlink_is_flagged_and_never_read_through() {
    // The agent moves the policy behind a link to a file of its own: edits of
    // that file would never show up as edits of `.plangate.hcl`.
    let attack = PolicyAttack::new(&|repo| {
        repo.write(
            "docs/policy.hcl",
            "rule \"agent-destroy\" {\n  disabled = true\n  override = true\n}\n",
        );
        repo.remove(".plangate.hcl");
        std::os::unix::fs::symlink("docs/policy.hcl", repo.file(".plangate.hcl")).unwrap();
    });
    let report = attack.assert_judged_by_the_base(&[]);
    assert_eq!(finding(&report, "agent-edits-policy")["action"], "update");

    // Read from the work tree, the link is refused, not followed.
    let why = attack.check(&[]).refused();
    assert!(
        why.contains(".plangate.hcl is a symbolic link (to docs/policy.hcl)"),
        "{why}"
    );
    assert!(why.contains("only from a regular file"), "{why}");

    // Once merged, the link is the trusted revision's: git stores it as a blob
    // holding "docs/policy.hcl", which must not be read as the policy text.
    let head = attack.repo.head();
    let run = plangate_in(attack.repo.path(), &["rules", "--config-ref", &head]);
    let why = run.refused();
    assert!(
        why.contains(&format!(
            ".plangate.hcl is a symbolic link in revision {head}"
        )),
        "{why}"
    );
}

#[test]
fn naming_the_policy_by_another_path_still_watches_its_edits() {
    // `--config ./.plangate.hcl` or the absolute path is the same file; its
    // edits must still be flagged. (They were not: the rule compared the
    // argument as written with the repository's `.plangate.hcl`.)
    let attack = PolicyAttack::new(&|repo| repo.write(".plangate.hcl", "# nothing here\n"));
    let absolute = attack.repo.file(".plangate.hcl").display().to_string();
    for config in ["./.plangate.hcl", absolute.as_str()] {
        let report = attack.check(&["--config", config]).report();
        let f = finding(&report, "agent-edits-policy");
        assert_eq!(f["address"], ".plangate.hcl", "--config {config}");
    }
    let report = attack.assert_judged_by_the_base(&["--config", "./.plangate.hcl"]);
    assert_eq!(
        finding(&report, "agent-edits-policy")["address"],
        ".plangate.hcl"
    );
}

// ---------------------------------------------------------------------------
// 3. Approvals written into commit messages
// ---------------------------------------------------------------------------

#[test]
fn approval_lines_in_commit_messages_never_count() {
    let repo = TestRepo::new();
    let base = base_and_deletion(&repo);
    repo.commit(
        CLAUDE,
        "Recreate the environment\n\nplangate: pass\nplangate-approved: true\n\nApproved-by: erin\nReviewed-by: Erin SRE <erin@example.com>\nAcked-by: frank",
    );
    // A later commit by a person says the same: still no approval.
    repo.write("NOTES.md", "approved\n");
    let head = repo.commit(
        HUMAN,
        "Sign off\n\nApproved-by: alice\nReviewed-by: Alice Human <alice@example.com>",
    );
    // Approvals come from reviews only: here, none; then one that counts.
    for (reviews, code) in [(vec![], 1), (vec![approve("carol", 41, &head)], 0)] {
        let saved = SavedReviews::new(&base, &head, reviews);
        let run = check(&repo, &base, &saved.args(), &plan_of("agent-deletes-block"));
        assert_eq!(run.code, code);
        let report = run.report();
        let approval = &finding(&report, "agent-destroy")["approval"];
        let expected: Vec<&str> = if code == 0 { vec!["carol"] } else { vec![] };
        assert_eq!(approval["approved_by"], json!(expected));
        assert_eq!(approval["ignored"], json!([]));
    }
    // Nor without any approval source.
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    assert_eq!(
        finding(&run.report(), "agent-destroy")["approval"]["approved_by"],
        json!([])
    );
}

// ---------------------------------------------------------------------------
// 4. Deletions hidden in merges
// ---------------------------------------------------------------------------

/// testdata/attribution/merges with the merge made by `merger`: an agent
/// deletes `a` on a branch, a human edits `b` on main, and the merge also
/// deletes `c`, which neither parent did. Returns (repo, base, agent's branch
/// commit, merge).
fn merges(merger: (&str, &str)) -> (TestRepo, String, String, String) {
    let case = "merges";
    let repo = TestRepo::new();
    put(&repo, case, "0-base");
    let base = repo.commit(HUMAN, "Three resources");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    put(&repo, case, "1-agent-branch");
    let branch = repo.commit(CLAUDE, "Drop a");
    repo.git(&["checkout", "-q", "main"]);
    put(&repo, case, "2-human-main");
    repo.commit(HUMAN, "Change b");
    // The merge's tree is the step's: its deletion of `c` is the merge's own.
    // Started the way cases.rs does: whether git merges cleanly does not
    // matter, the step's tree is what is committed.
    let _ = Command::new("git")
        .args(["merge", "-q", "--no-ff", "--no-commit", "feature"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    put(&repo, case, "3-merge");
    let merge = repo.commit(merger, "Merge branch 'feature'");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%P", &merge])
            .split_whitespace()
            .count(),
        2
    );
    (repo, base, branch, merge)
}

/// Every delete or replace needs an approval, by anyone: so every delete is a
/// finding, and its attribution shows.
fn any_delete_policy(repo: &TestRepo) -> Vec<String> {
    let policy = repo.file(".git/any-delete.hcl");
    std::fs::write(
        &policy,
        "rule \"any-delete\" {\n  description = \"Any delete\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n",
    )
    .unwrap();
    strings(&["--config", policy.to_str().unwrap()])
}

fn finding_at<'a>(report: &'a Value, rule: &str, address: &str) -> Option<&'a Value> {
    findings(report, rule)
        .into_iter()
        .find(|f| f["address"] == address)
}

#[test]
fn an_evil_merge_owns_the_deletion_it_hides_and_its_author_answers_for_it() {
    // A person's evil merge: `c` is attributed to the merge and to Alice.
    let (repo, base, branch, merge) = merges(HUMAN);
    let run = check(&repo, &base, &any_delete_policy(&repo), &plan_of("merges"));
    let report = run.report();
    let c = finding_at(&report, "any-delete", "terraform_data.c").expect("c is deleted");
    assert_eq!(shas(c), [merge.as_str()]);
    assert_eq!(c["authored_by"], "human");
    assert_eq!(commit_of(&report, c, 0)["author"]["name"], "Alice Human");
    assert!(finding_at(&report, "agent-destroy", "terraform_data.c").is_none());
    // `a` is the agent's, from its branch: the clean part of the merge is not blamed.
    let a = finding_at(&report, "agent-destroy", "terraform_data.a").expect("a is the agent's");
    assert_eq!(shas(a), [branch]);
    assert_eq!(run.code, 1);

    // An agent's evil merge: the hidden deletion is the agent's, and blocks.
    let (repo, base, _, merge) = merges(CLAUDE);
    let run = check(&repo, &base, &[], &plan_of("merges"));
    assert_eq!(run.code, 1);
    let report = run.report();
    let c = finding_at(&report, "agent-destroy", "terraform_data.c")
        .expect("the agent's merge deleted c");
    assert_eq!(shas(c), [merge]);
    assert_eq!(c["authored_by"], "agent");
    assert_eq!(c["status"], "blocked");
    assert!(
        c["commits"][0]["wrote"][0]
            .as_str()
            .unwrap()
            .contains("removed resource \"terraform_data\" \"c\" in main.tf"),
        "{c:#}"
    );
}

#[test]
fn a_deletion_on_an_agents_side_branch_stays_the_agents_when_a_person_merges_it() {
    let case = "merges";
    let repo = TestRepo::new();
    put(&repo, case, "0-base");
    let base = repo.commit(HUMAN, "Three resources");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    put(&repo, case, "1-agent-branch");
    let branch = repo.commit(DEVIN, "Drop a");
    repo.git(&["checkout", "-q", "main"]);
    put(&repo, case, "2-human-main");
    repo.commit(HUMAN, "Change b");
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature'",
        "feature",
    ]);
    // The clean merge's own plan: the `merges` plan was made from the
    // evil merge's tree, which also deletes `c` (not this head's).
    let run = check(&repo, &base, &[], &plan_of("merges-clean"));
    assert_eq!(run.code, 1);
    let report = run.report();
    let a = finding_at(&report, "agent-destroy", "terraform_data.a").expect("a is the agent's");
    assert_eq!(shas(a), [branch]);
    assert_eq!(a["commits"][0]["agent"], "devin");
}

// ---------------------------------------------------------------------------
// 5. History rewritten between runs
// ---------------------------------------------------------------------------

#[test]
fn an_approval_does_not_survive_a_rewrite_to_the_same_tree() {
    let (repo, base, a) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let approved_a = SavedReviews::new(&base, &a, vec![approve("carol", 41, &a)]);
    let run = check(
        &repo,
        &base,
        &approved_a.args(),
        &plan_of("agent-deletes-block"),
    );
    assert_eq!(run.code, 0, "approved at A");

    // Force-pushed: the same tree, a new commit (a later date is enough).
    repo.git_as(CLAUDE, CLAUDE, &["commit", "-q", "--amend", "--no-edit"]);
    let a2 = repo.head();
    assert_ne!(a2, a);
    assert_eq!(repo.git(&["rev-parse", "HEAD^{tree}"]), tree);
    let stale = SavedReviews::new(&base, &a2, vec![approve("carol", 41, &a)]);
    let run = check(&repo, &base, &stale.args(), &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    let report = run.report();
    let ignored = &finding(&report, "agent-destroy")["approval"]["ignored"];
    assert_eq!(ignored[0]["user"], "carol");
    assert_eq!(
        ignored[0]["why"],
        format!("approved {}, not the head checked ({})", &a[..7], &a2[..7])
    );
    let fresh = SavedReviews::new(&base, &a2, vec![approve("carol", 41, &a2)]);
    let run = check(&repo, &base, &fresh.args(), &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 0);
}

#[test]
fn amending_the_agent_commits_author_between_runs() {
    let (repo, base, a) = deletion_by(
        CLAUDE,
        CLAUDE,
        "Recreate the environment\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    );
    // Approved at A; then the author is rewritten to Alice, trailer kept.
    let author = "Alice Human <alice@example.com>";
    repo.git_as(
        HUMAN,
        HUMAN,
        &["commit", "-q", "--amend", "--no-edit", "--author", author],
    );
    let a2 = repo.head();
    let saved = SavedReviews::new(&base, &a2, vec![approve("carol", 41, &a)]);
    let run = check(&repo, &base, &saved.args(), &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1, "still an agent's, and the approval is stale");
    let report = run.report();
    let f = finding(&report, "agent-destroy");
    assert_eq!(f["commits"][0]["sha"], a2);
    assert!(evidence(&report, f).contains("Co-Authored-By: Claude"));
    assert!(
        f["approval"]["ignored"][0]["why"]
            .as_str()
            .unwrap()
            .starts_with(&format!("approved {}, not the head checked", &a[..7]))
    );

    // Stripping the trailer too makes the perfect forgery of the limit above:
    // nothing is left for git to tell, the delete is a person's, and the old
    // approval does not matter.
    repo.git_as(
        HUMAN,
        HUMAN,
        &[
            "commit",
            "-q",
            "--amend",
            "-m",
            "Recreate the environment",
            "--author",
            author,
        ],
    );
    let a3 = repo.head();
    let saved = SavedReviews::new(&base, &a3, vec![approve("carol", 41, &a)]);
    let run = check(&repo, &base, &saved.args(), &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 0);
    assert_eq!(run.report()["findings"], json!([]));
}

// ---------------------------------------------------------------------------
// 6. Paths outside the repository
// ---------------------------------------------------------------------------

#[test]
fn a_config_outside_the_repository_named_with_config_is_read() {
    // The operator's choice (a central policy on the runner): read as given.
    let (repo, base, _) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    let outside = tempfile::tempdir().unwrap();
    let policy = outside.path().join("central.hcl");
    std::fs::write(&policy, STRICT_POLICY).unwrap();
    let run = check(
        &repo,
        &base,
        &strings(&["--config", policy.to_str().unwrap()]),
        &plan_of("agent-deletes-block"),
    );
    assert_eq!(run.code, 1);
    let report = run.report();
    assert_eq!(report["config"], policy.display().to_string());
    assert_eq!(finding(&report, "agent-destroy")["approval"]["required"], 2);
    // A link to it is as good as the file, outside the repository.
    let link = outside.path().join("link.hcl");
    std::os::unix::fs::symlink(&policy, &link).unwrap();
    let run = check(
        &repo,
        &base,
        &strings(&["--config", link.to_str().unwrap()]),
        &plan_of("agent-deletes-block"),
    );
    assert_eq!(
        finding(&run.report(), "agent-destroy")["approval"]["required"],
        2
    );
}

#[test]
fn a_policy_symlink_to_a_file_outside_the_repository_is_refused_unread() {
    // `.plangate.hcl -> /proc/self/environ` would have printed the process's
    // environment (GITHUB_TOKEN included) in the syntax error's excerpt.
    const SECRET: &str = "ghs_adversarialEnvSecret0123456789";
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("policy.hcl");
    std::fs::write(&file, format!("token = \"{SECRET}\" = broken\n")).unwrap();
    let missing = outside.path().join("missing.hcl");
    for target in [
        PathBuf::from("/proc/self/environ"),
        file.clone(),
        // A dangling link must not fall back to the built-in rules either.
        missing,
    ] {
        let (repo, base, _) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
        std::os::unix::fs::symlink(&target, repo.file(".plangate.hcl")).unwrap();
        for args in [
            vec![
                "check",
                "--format",
                "json",
                "--base",
                &base,
                &plan_of("agent-deletes-block"),
            ],
            vec!["rules"],
            vec!["explain", "agent-destroy"],
            vec!["commits", "--base", &base],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
                .current_dir(repo.path())
                .args(&args)
                .env("NO_COLOR", "1")
                .env("PLANGATE_TEST_SECRET", SECRET)
                .env_remove("GITHUB_ACTIONS")
                .output()
                .unwrap();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert_eq!(out.status.code(), Some(2), "{target:?} {args:?}: {stdout}");
            assert!(
                !stdout.contains(SECRET) && !stderr.contains(SECRET),
                "{stderr}"
            );
            // Unwrapped: a long target is wrapped where the terminal would.
            let why: String = stderr.split_whitespace().filter(|w| *w != "│").collect();
            let says = format!(
                "theconfiguration.plangate.hclisasymboliclink(to{})",
                target.display()
            );
            assert!(why.contains(&says), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn a_policy_reached_through_a_linked_directory_is_refused() {
    let (repo, base, _) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("policy.hcl"), STRICT_POLICY).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.file("policy")).unwrap();
    let run = check(
        &repo,
        &base,
        &strings(&["--config", "policy/policy.hcl"]),
        &plan_of("agent-deletes-block"),
    );
    let why = run.refused();
    assert!(
        why.contains("is reached through the symbolic link") && why.contains("/policy (to "),
        "{why}"
    );
}

#[test]
fn a_policy_that_is_a_symlink_in_the_trusted_revision_is_refused() {
    let repo = TestRepo::new();
    std::os::unix::fs::symlink("/etc/passwd", repo.file(".plangate.hcl")).unwrap();
    put(&repo, "agent-deletes-block", "0-base");
    let base = repo.commit(HUMAN, "Policy and infrastructure");
    put(&repo, "agent-deletes-block", "2-agent");
    repo.commit(CLAUDE, "Recreate");
    let run = check(
        &repo,
        &base,
        &strings(&["--config-ref", &base]),
        &plan_of("agent-deletes-block"),
    );
    let why = run.refused();
    assert!(
        why.contains(&format!(
            "the configuration .plangate.hcl is a symbolic link in revision {base}"
        )),
        "{why}"
    );
    assert!(!why.contains("root:"), "nothing of the target is read");
}

#[test]
fn config_ref_with_a_path_outside_the_repository_is_refused() {
    let (repo, base, _) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    for path in ["../policy.hcl", "/etc/plangate.hcl"] {
        let run = check(
            &repo,
            &base,
            &strings(&["--config-ref", &base, "--config", path]),
            &plan_of("agent-deletes-block"),
        );
        let why = run.refused();
        assert!(
            why.contains(&format!(
                "the configuration {path} is not a path in the repository, and --config-ref {base} reads it from a revision"
            )),
            "{why}"
        );
    }
}

#[test]
fn a_config_that_is_not_a_regular_file_is_refused() {
    // /dev/zero would be read until memory ran out.
    let (repo, base, _) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    std::fs::create_dir(repo.file("policy.d")).unwrap();
    for path in ["/dev/zero", "policy.d"] {
        let run = check(
            &repo,
            &base,
            &strings(&["--config", path]),
            &plan_of("agent-deletes-block"),
        );
        let why = run.refused();
        assert!(
            why.contains(&format!("the configuration {path} is not a regular file")),
            "{why}"
        );
    }
}

#[test]
fn paths_outside_the_repository_in_the_policy_are_refused() {
    // History names files from the repository's root: these would never
    // match, and a rule or setting that silently never applies is a hole.
    let cases = [
        (
            "rule \"x\" {\n  description = \"x\"\n  severity    = \"warning\"\n  match {\n    files = [\"../secrets/**\"]\n  }\n}\n",
            "`files` takes paths relative to the repository's root, not a path with `..`",
            5,
        ),
        (
            "rule \"x\" {\n  description = \"x\"\n  severity    = \"warning\"\n  match {\n    files = [\"modules/**\", \"/etc/**\"]\n  }\n}\n",
            "`files` takes paths relative to the repository's root, not an absolute path",
            5,
        ),
        (
            "rule \"x\" {\n  description = \"x\"\n  severity    = \"warning\"\n  match {\n    files = [\"./infra/*.tf\"]\n  }\n}\n",
            "`files` takes paths relative to the repository's root, not a path starting with `./`",
            5,
        ),
        (
            "attribution {\n  infrastructure = [\"**/*.tf\", \"infra/../../**\"]\n}\n",
            "`infrastructure` takes paths relative to the repository's root, not a path with `..`",
            2,
        ),
        (
            "attribution {\n  terraform_roots = { \"../plans/prod.json\" = \"infra/prod\" }\n}\n",
            "`terraform_roots` takes paths relative to the repository's root, not a path with `..`",
            2,
        ),
        (
            "attribution {\n  terraform_roots = { \"plans/prod.json\" = \"/srv/infra\" }\n}\n",
            "`terraform_roots` takes paths relative to the repository's root, not an absolute path",
            2,
        ),
    ];
    let repo = TestRepo::new();
    for (text, says, line) in cases {
        repo.write(".plangate.hcl", text);
        let why = plangate_in(repo.path(), &["rules"]).refused();
        assert!(why.contains(says), "{text}: {why}");
        assert!(
            why.contains(&format!(".plangate.hcl:{line}:")),
            "{text}: {why}"
        );
    }
    // `<config>` and ordinary globs are fine.
    repo.write(
        ".plangate.hcl",
        "rule \"x\" {\n  description = \"x\"\n  severity    = \"warning\"\n  match {\n    files = [\"<config>\", \"modules/**\", \"**/*.tf\"]\n  }\n}\n",
    );
    assert_eq!(plangate_in(repo.path(), &["rules"]).code, 0);
}

#[test]
fn a_plan_outside_the_repository_is_read_and_attributed() {
    let (repo, base, head) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    let outside = tempfile::tempdir().unwrap();
    let plan = outside.path().join("plan.json");
    std::fs::copy(plan_of("agent-deletes-block"), &plan).unwrap();
    let run = check(&repo, &base, &[], plan.to_str().unwrap());
    assert_eq!(run.code, 1);
    let report = run.report();
    let f = finding(&report, "agent-destroy");
    assert_eq!(f["plan"], plan.display().to_string());
    assert_eq!(shas(f), [head]);
    // SARIF locations point only at files in the repository: the plan is not
    // one (the declaration's lines would be, when known).
    let plan_arg = plan.display().to_string();
    let args = ["check", "--format", "sarif", "--base", &base, &plan_arg];
    let sarif: Value = serde_json::from_str(&plangate_in(repo.path(), &args).stdout).unwrap();
    let locations = sarif["runs"][0]["results"][0]["locations"].to_string();
    assert!(
        !locations.contains(outside.path().to_str().unwrap()),
        "{locations}"
    );
}

// ---------------------------------------------------------------------------
// 7. Other ways around the gate
// ---------------------------------------------------------------------------

#[test]
fn a_committer_date_in_the_future_changes_nothing() {
    let repo = TestRepo::new();
    let base = base_and_deletion(&repo);
    repo.git(&["add", "-A"]);
    let status = Command::new("git")
        .current_dir(repo.path())
        .args(["commit", "-q", "-m", "Recreate the environment"])
        .env("GIT_AUTHOR_NAME", CLAUDE.0)
        .env("GIT_AUTHOR_EMAIL", CLAUDE.1)
        .env("GIT_COMMITTER_NAME", CLAUDE.0)
        .env("GIT_COMMITTER_EMAIL", CLAUDE.1)
        .env("GIT_AUTHOR_DATE", "2099-12-31T23:59:59Z")
        .env("GIT_COMMITTER_DATE", "2099-12-31T23:59:59Z")
        .env("HOME", repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    let head = repo.head();
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    assert_eq!(
        shas(finding(&run.report(), "agent-destroy")),
        [head.as_str()]
    );
    // Approvals are tied to the commit, not to a time.
    let saved = SavedReviews::new(&base, &head, vec![approve("carol", 41, &head)]);
    let run = check(&repo, &base, &saved.args(), &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 0);
}

#[test]
fn a_mailmap_cannot_launder_an_agent_identity() {
    // `git log --use-mailmap` (and log.mailmap, on by default for the log's
    // own header) prints the mapped identity; plangate reads %an/%ae/%cn/%ce,
    // which never apply the mailmap, whatever the configuration says.
    let repo = TestRepo::new();
    put(&repo, "agent-deletes-block", "0-base");
    repo.write(
        ".mailmap",
        "Alice Human <alice@example.com> Claude <noreply@anthropic.com>\n",
    );
    let base = repo.commit(HUMAN, "Add the app and its database");
    put(&repo, "agent-deletes-block", "2-agent");
    repo.commit(CLAUDE, "Recreate the environment");
    repo.git(&["config", "log.mailmap", "true"]);
    repo.git(&["config", "mailmap.file", ".mailmap"]);
    assert_eq!(
        repo.git(&["log", "-1", "--use-mailmap", "--format=%aN <%aE>"]),
        "Alice Human <alice@example.com>",
        "git itself launders it"
    );
    let doc = plangate_in(
        repo.path(),
        &["commits", "--format", "json", "--base", &base],
    )
    .report();
    assert_eq!(doc["commits"][0]["class"], "agent");
    assert_eq!(doc["commits"][0]["agent"], "claude-code");
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    let report = run.report();
    assert_eq!(
        commit_of(&report, finding(&report, "agent-destroy"), 0)["author"]["email"],
        "noreply@anthropic.com"
    );
}

#[test]
fn gitattributes_cannot_hide_a_deletion() {
    // Attributes change how git *shows* a diff (binary, no diff, a textconv
    // driver); plangate reads raw tree entries and blob texts, which they do
    // not touch.
    let repo = TestRepo::new();
    put(&repo, "agent-deletes-block", "0-base");
    repo.write(
        ".gitattributes",
        "*.tf -diff binary linguist-generated export-ignore diff=hidden\n",
    );
    let base = repo.commit(HUMAN, "Add the app and its database");
    repo.git(&["config", "diff.hidden.textconv", "true"]);
    put(&repo, "agent-deletes-block", "2-agent");
    let head = repo.commit(CLAUDE, "Recreate the environment");
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
    let report = run.report();
    let f = finding(&report, "agent-destroy");
    assert_eq!(shas(f), [head]);
    assert_eq!(f["basis"], "declaration");
}

#[test]
fn replace_refs_cannot_swap_in_a_forged_commit() {
    // `git replace` makes every git command show another commit in place of
    // the agent's (here: the same tree, authored by Alice). plangate reads the
    // objects themselves (GIT_NO_REPLACE_OBJECTS).
    let (repo, base, head) = deletion_by(CLAUDE, CLAUDE, "Recreate the environment");
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let forged = repo.git(&[
        "commit-tree",
        &tree,
        "-p",
        &base,
        "-m",
        "Recreate the environment",
    ]);
    repo.git(&["replace", &head, &forged]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an", &head]),
        "Alice Human"
    );
    let doc = plangate_in(
        repo.path(),
        &["commits", "--format", "json", "--base", &base],
    )
    .report();
    assert_eq!(doc["commits"][0]["sha"], head);
    assert_eq!(doc["commits"][0]["class"], "agent");
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
}

#[test]
fn an_agents_edit_of_the_workflow_that_makes_the_plan_is_attributed() {
    // No declaration asked for the replacement (`-replace=` in the plan
    // command), so it is attributed to every commit that changed
    // infrastructure files. A person's commit changed main.tf; the agent's
    // added `-replace=` to a workflow that does not mention plangate (so
    // agent-edits-gate-workflow does not see it). Workflows now count as
    // infrastructure files: before, the replacement was the person's alone and
    // the gate passed.
    let case = "replaced-by-request";
    let repo = TestRepo::new();
    put(&repo, case, "0-base");
    let base = repo.commit(HUMAN, "Worker");
    put(&repo, case, "1-agent");
    let human = repo.commit(HUMAN, "Expose the worker id");
    repo.write(
        ".github/workflows/plan.yml",
        "on: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: terraform plan -replace=terraform_data.worker -out=tfplan\n",
    );
    let agent = repo.commit(CLAUDE, "CI: plan on pull requests");
    let run = check(&repo, &base, &[], &plan_of(case));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.report();
    let f = finding(&report, "agent-destroy");
    assert_eq!(f["basis"], "infrastructure-files");
    assert_eq!(shas(f), [human, agent]);
    assert!(
        f["commits"][1]["wrote"][0]
            .as_str()
            .unwrap()
            .contains(".github/workflows/plan.yml")
    );
    assert!(findings(&report, "agent-edits-gate-workflow").is_empty());
}

#[test]
fn a_plan_committed_by_the_agent_that_is_not_the_heads_is_refused() {
    // The gate judges the plan it is given. If the pipeline reads a plan file
    // from the repository, whoever commits writes the plan: here the agent
    // deletes the database and commits a plan (a real one, from
    // testdata/terraform/no-changes) with nothing to do. Before provenance was
    // checked (issue 13), nothing contradicted that file and plangate passed;
    // now its configuration is not the head's: exit 2. A plan JSON written by
    // hand to declare the head's resources still says what it likes: the plan
    // must be made by CI from the head being judged (the README's workflow
    // runs `terraform plan` in the job), never read from the pull request.
    let repo = TestRepo::new();
    let base = base_and_deletion(&repo);
    let committed_plan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform/no-changes/plan.json");
    std::fs::create_dir_all(repo.file("plans")).unwrap();
    std::fs::copy(&committed_plan, repo.file("plans/plan.json")).unwrap();
    repo.commit(CLAUDE, "Recreate the environment");
    let run = check(&repo, &base, &[], "plans/plan.json");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("plan_not_from_head"), "{}", run.stderr);
    // The same history judged on the plan CI makes is blocked.
    let run = check(&repo, &base, &[], &plan_of("agent-deletes-block"));
    assert_eq!(run.code, 1);
}
