//! The destructive set: each finding that needs approval has an identity that
//! survives what does not change it (another commit, another run, a push that
//! touches nothing it depends on) and changes with what does (its declaration,
//! its rule, its plan). Histories built with the real git, plans made by the
//! real terraform.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::cases;
use common::repo::{HUMAN, TestRepo};
use common::{stderr, stdout};
use serde_json::Value;

const ANY_DESTROY: &str = "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n";

/// `check --preview --format FORMAT` from `base` to the repository's head,
/// outside GitHub Actions, the plan placed in the work tree as a workflow does.
fn check_as(repo: &TestRepo, base: &str, plan: &str, format: &str, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["check", "--preview", "--format", format, "--base", base])
        .args(extra)
        .arg(plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// [`check_as`] JSON.
fn check(repo: &TestRepo, base: &str, plan: &str, extra: &[&str]) -> Value {
    let text = check_as(repo, base, plan, "json", extra);
    common::schemas::validate_text(&text);
    serde_json::from_str(&text).unwrap()
}

/// Each finding's item, by "rule address"; and the set's digest and size.
fn items(report: &Value) -> (BTreeMap<String, (String, Value)>, String, u64) {
    let mut items = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let item = &f["item"];
        assert!(
            item.is_object() == f["approval"].is_object(),
            "an item exactly when approval is needed: {f}"
        );
        if item.is_object() {
            let declared = item["declared"].as_str().unwrap();
            assert_eq!(
                declared == "head",
                item["declaration"].is_string(),
                "{item}"
            );
            if f["action"] == "delete" && declared != "head" {
                assert_eq!(declared, "absent", "{item}");
            }
        }
        if let Some(id) = item["id"].as_str() {
            assert_eq!(id.len(), 64, "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
            let key = format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["address"].as_str().unwrap()
            );
            items.insert(key, (id.to_owned(), item["declaration"].clone()));
        }
    }
    let set = &report["destructive_set"];
    (
        items,
        set["digest"].as_str().unwrap().to_owned(),
        set["items"].as_u64().unwrap(),
    )
}

/// The any-destroy policy in a file outside the repository (kept while the guard lives).
fn any_destroy() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("any-destroy.hcl");
    std::fs::write(&path, ANY_DESTROY).unwrap();
    let path = path.display().to_string();
    (dir, path)
}

/// A case's history with its plan in the work tree (untracked).
fn case(name: &str) -> (TestRepo, Vec<String>, String) {
    let (repo, steps) = cases::build(name);
    let plan = cases::place_plan(name, &repo);
    (repo, steps, plan)
}

#[test]
fn an_item_survives_a_push_that_changes_nothing_it_depends_on() {
    let (repo, steps, plan) = case("human-forces-replace");
    let (_dir, config) = any_destroy();
    let args = ["--config", config.as_str()];
    let (before, digest, n) = items(&check(&repo, &steps[0], &plan, &args));
    let replaced = &before["any-destroy terraform_data.orders_db"];
    assert!(
        replaced.1.is_string(),
        "declared at the head: {:?}",
        replaced
    );
    assert_eq!(n, before.len() as u64);

    // A docs-only push, and the same run again: the same items, the same set.
    repo.write("README.md", "# infra\n\nNotes about the database.\n");
    repo.commit(HUMAN, "Document the database");
    let (after, digest_after, _) = items(&check(&repo, &steps[0], &plan, &args));
    assert_eq!(before, after);
    assert_eq!(digest, digest_after);
    // An edit elsewhere in the same file moves the block, not its text.
    let main = repo.file("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("# Stateful services.\n\n{text}")).unwrap();
    repo.commit(HUMAN, "Comment main.tf");
    let (moved, digest_moved, _) = items(&check(&repo, &steps[0], &plan, &args));
    assert_eq!(before, moved);
    assert_eq!(digest, digest_moved);
}

#[test]
fn an_edited_declaration_is_a_new_item_and_a_new_set() {
    let (repo, steps, plan) = case("human-forces-replace");
    let (_dir, config) = any_destroy();
    let args = ["--config", config.as_str()];
    let (before, digest, _) = items(&check(&repo, &steps[0], &plan, &args));

    // The approved replace's block gains an argument after the approval.
    let main = repo.file("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let edited = text.replace(
        "triggers_replace = [\"engine-16\"]",
        "triggers_replace = [\"engine-16\"]\n  input_extra      = \"wipe\"",
    );
    assert_ne!(
        text, edited,
        "the fixture declares the replaced block as expected"
    );
    std::fs::write(&main, edited).unwrap();
    repo.commit(HUMAN, "Tune the database");
    let (after, digest_after, _) = items(&check(&repo, &steps[0], &plan, &args));
    let key = "any-destroy terraform_data.orders_db";
    assert_ne!(
        before[key].0, after[key].0,
        "the edited block is a new item"
    );
    assert_ne!(
        before[key].1, after[key].1,
        "its declaration's hash changed"
    );
    assert_ne!(digest, digest_after);
    // Nothing else changed identity.
    for (k, v) in &before {
        if k != key {
            assert_eq!(Some(v), after.get(k), "{k}");
        }
    }
}

#[test]
fn a_deleted_block_has_no_declaration_and_the_rule_is_part_of_the_identity() {
    let (repo, steps, plan) = case("agent-deletes-block");
    // The built-in rules, no configuration.
    let (builtin, digest, n) = items(&check(&repo, &steps[0], &plan, &[]));
    let deleted = &builtin["agent-destroy terraform_data.orders_db"];
    assert!(
        deleted.1.is_null(),
        "the head does not declare it: {deleted:?}"
    );
    assert_eq!(n, 1);

    // The same change under a rule of another name: another item.
    let (_dir, config) = any_destroy();
    let (own, own_digest, _) = items(&check(&repo, &steps[0], &plan, &["--config", &config]));
    let other = &own["any-destroy terraform_data.orders_db"];
    assert_ne!(deleted.0, other.0);
    assert_ne!(digest, own_digest);
}

#[test]
fn the_set_is_in_every_output_format() {
    let (repo, steps, plan) = case("agent-deletes-block");
    let (items, digest, _) = items(&check(&repo, &steps[0], &plan, &[]));
    let id = &items["agent-destroy terraform_data.orders_db"].0;
    let run = |format: &str| check_as(&repo, &steps[0], &plan, format, &[]);
    let human = run("human");
    assert!(
        human.contains(&format!("digest {}", &digest[..12])),
        "{human}"
    );
    assert!(human.contains(&format!("item {}", &id[..12])), "{human}");
    let markdown = run("markdown");
    assert!(
        markdown.contains(&format!("digest `{}`", &digest[..12])),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("item `{}`", &id[..12])),
        "{markdown}"
    );
    let github = run("github");
    assert!(github.contains(&format!("Item {}.", &id[..12])), "{github}");
    assert!(
        github.contains(&format!("digest {}", &digest[..12])),
        "{github}"
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(
        run0["properties"]["destructiveSet"]["digest"],
        digest.as_str()
    );
    assert_eq!(
        run0["results"][0]["fingerprints"]["plangate/item/v1"],
        id.as_str()
    );

    // In GitHub Actions, the step outputs carry the digest.
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .current_dir(repo.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "push")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["check", "--preview", "--base", &steps[0], &plan])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(
        written
            .lines()
            .any(|l| l == format!("destructive-set={digest}")),
        "{written}"
    );
}

#[test]
fn a_cloudformation_item_hashes_its_resource_in_the_template() {
    let (repo, steps, plan) = case("cfn-template-agent");
    let (before, digest, n) = items(&check(&repo, &steps[0], &plan, &[]));
    assert!(n >= 2, "{before:?}");
    let declared: Vec<&String> = before
        .iter()
        .filter(|(_, (_, d))| d.is_string())
        .map(|(k, _)| k)
        .collect();
    let removed: Vec<&String> = before
        .iter()
        .filter(|(_, (_, d))| d.is_null())
        .map(|(k, _)| k)
        .collect();
    assert!(!declared.is_empty() && !removed.is_empty(), "{before:?}");

    // Editing the template elsewhere than the replaced resource keeps every item.
    let template = repo.file("stack/template.yaml");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("# Orders.\n{text}")).unwrap();
    repo.commit(HUMAN, "Comment the template");
    let (after, digest_after, _) = items(&check(&repo, &steps[0], &plan, &[]));
    assert_eq!(before, after);
    assert_eq!(digest, digest_after);
}
