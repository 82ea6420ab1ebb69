//! Provenance (issue 13, item 6): `check` refuses a plan not made from the
//! head it judges. testdata/attribution/provenance-older-plan holds real plans
//! (JSON and binary, terraform 1.11) of its head and of its step 1, before an
//! agent deleted the database: the older ones are exit 2, naming what differs;
//! the head's are read as before.
//!
//! Binary plans are shown through a fake `terraform` that prints the matching
//! JSON, so these tests need only git; the configuration compared is the one
//! in the plan file's `tfconfig/`, not what `show` prints. One test runs the
//! real terraform 1.11 when it is on PATH (`.ci/run` requires it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::repo::TestRepo;
use common::{cases, flat, stderr, stdout};
use serde_json::Value;

const CASE: &str = "provenance-older-plan";

/// The case's history, with `files` of the case directory copied into the
/// work tree's root (untracked: CI makes plans, nobody commits them).
fn history(files: &[&str]) -> (TestRepo, Vec<String>) {
    let (repo, steps) = cases::build(CASE);
    for f in files {
        std::fs::copy(cases::case_dir(CASE).join(f), repo.file(f)).unwrap();
    }
    (repo, steps)
}

/// `plangate check --preview --format json` of `plan` over the whole range,
/// with `path` as PATH (a fake terraform first on it, when given).
fn check(repo: &TestRepo, steps: &[String], plan: &str, path: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.args(["check", "--base", &steps[0], "--head", "HEAD", "--preview"])
        .args(["--format", "json", plan])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH");
    if let Some(dir) = path {
        let rest = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{rest}", dir.display()));
    }
    cmd.output().unwrap()
}

/// A directory with a fake `terraform` whose `show -json` of each binary
/// plan prints the JSON of the same plan.
fn fake_terraform(shows: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut script = String::from("#!/bin/sh\n");
    for (binary, json) in shows {
        let json: PathBuf = cases::case_dir(CASE).join(json);
        script += &format!(
            "[ \"$*\" = \"show -json -no-color {binary}\" ] && exec /bin/cat '{}'\n",
            json.display()
        );
    }
    script += "echo \"unexpected call: $*\" >&2; exit 1\n";
    let tool = dir.path().join("terraform");
    std::fs::write(&tool, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn refused(o: &Output, head: &str) -> String {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    // No report: `--format json` prints the error document only.
    common::schemas::validate_text(&stdout(o));
    let doc: Value = serde_json::from_str(&stdout(o)).unwrap();
    assert_eq!(doc["result"], "error", "no report: {}", stdout(o));
    assert_eq!(
        doc["errors"][0]["code"],
        "plangate::check::plan_not_from_head"
    );
    let err = flat(&stderr(o));
    assert!(err.contains("plangate::check::plan_not_from_head"), "{err}");
    assert!(err.contains(&head[..12]), "names the head: {err}");
    assert!(err.contains("git checkout"), "says how to fix it: {err}");
    err
}

/// The head's own plan: read and judged as before (the agent's delete).
fn judged(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    common::schemas::validate_text(&stdout(o));
    let report: Value = serde_json::from_str(&stdout(o)).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "agent-destroy")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["address"], "terraform_data.db");
    assert_eq!(f["authored_by"], "agent");
    report
}

#[test]
fn a_json_plan_made_at_an_older_commit_of_the_range_is_refused() {
    let (repo, steps) = history(&["plan-at-1.json", "plan.json"]);
    let head = steps.last().unwrap();
    let err = refused(&check(&repo, &steps, "plan-at-1.json", None), head);
    assert!(
        err.contains("1 declaration of its configuration differs from the head's in `.`"),
        "{err}"
    );
    assert!(
        err.contains("terraform_data.db (only in the plan)"),
        "{err}"
    );

    let report = judged(&check(&repo, &steps, "plan.json", None));
    assert!(report.get("notes").is_none(), "{report:#}");
}

#[test]
fn a_binary_plan_made_at_an_older_commit_of_the_range_is_refused() {
    let (repo, steps) = history(&["tfplan-at-1", "tfplan"]);
    let head = steps.last().unwrap();
    let fake = fake_terraform(&[("tfplan-at-1", "plan-at-1.json"), ("tfplan", "plan.json")]);
    let err = refused(
        &check(&repo, &steps, "tfplan-at-1", Some(fake.path())),
        head,
    );
    assert!(
        err.contains(
            "1 file of its configuration differs from the head's in `.`: main.tf (differs)"
        ),
        "{err}"
    );
    judged(&check(&repo, &steps, "tfplan", Some(fake.path())));
}

#[test]
fn a_binary_plan_is_judged_by_its_snapshot_not_by_what_show_prints() {
    // The older plan file, shown as the head's JSON (a tool that lies, or a
    // JSON file swapped beside it): its `tfconfig/` still says where it was made.
    let (repo, steps) = history(&["tfplan-at-1"]);
    let fake = fake_terraform(&[("tfplan-at-1", "plan.json")]);
    refused(
        &check(&repo, &steps, "tfplan-at-1", Some(fake.path())),
        steps.last().unwrap(),
    );
}

#[test]
fn an_older_plan_judged_at_its_own_commit_is_read() {
    // Judged with step 1 (the commit it was made from) as the head, the older
    // plan is the head's: what is checked is the head, not the plan's age.
    let (repo, steps) = history(&["plan-at-1.json", "tfplan-at-1"]);
    repo.git(&["checkout", "-q", &steps[1]]);
    let o = check(&repo, &steps[..2], "plan-at-1.json", None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let fake = fake_terraform(&[("tfplan-at-1", "plan-at-1.json")]);
    let o = check(&repo, &steps[..2], "tfplan-at-1", Some(fake.path()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_plan_json_without_its_configuration_cannot_be_tied_to_the_head() {
    let (repo, steps) = history(&[]);
    let mut plan: Value = serde_json::from_str(
        &std::fs::read_to_string(cases::case_dir(CASE).join("plan.json")).unwrap(),
    )
    .unwrap();
    plan.as_object_mut().unwrap().remove("configuration");
    repo.write("cut.json", &plan.to_string());
    let o = check(&repo, &steps, "cut.json", None);
    assert_eq!(o.status.code(), Some(2));
    let err = flat(&stderr(&o));
    assert!(err.contains("plangate::check::provenance_unknown"), "{err}");
    assert!(err.contains("has no `configuration`"), "{err}");
    // `changes` has no head to compare with, and reads it as before.
    let o = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["changes", "cut.json"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn binary_plans_read_by_the_real_terraform() {
    let found = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("v1.11."));
    if !found {
        assert!(
            std::env::var_os("PLANGATE_REQUIRE_TERRAFORM").is_none(),
            "terraform 1.11 is required but not on PATH"
        );
        eprintln!("skipped: terraform 1.11 is not on PATH");
        return;
    }
    let (repo, steps) = history(&["tfplan-at-1", "tfplan"]);
    refused(
        &check(&repo, &steps, "tfplan-at-1", None),
        steps.last().unwrap(),
    );
    judged(&check(&repo, &steps, "tfplan", None));
}

/// CloudFormation: `--change-set-template` with what `aws cloudformation
/// get-template --change-set-name` prints (`{"TemplateBody": …}`, the body as
/// submitted), built here from the case's own templates.
mod change_set_template {
    use super::*;

    const CFN: &str = "cfn-template-agent";

    fn get_template(step: &str) -> tempfile::NamedTempFile {
        let body =
            std::fs::read_to_string(cases::case_dir(CFN).join(step).join("stack/template.yaml"))
                .unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        let output = serde_json::json!({
            "TemplateBody": body,
            "StagesAvailable": ["Original", "Processed"],
        });
        std::fs::write(file.path(), output.to_string()).unwrap();
        file
    }

    fn check_with(args: &[&str]) -> (Output, Vec<String>) {
        let (repo, steps) = cases::build(CFN);
        let plan = cases::case_dir(CFN).join("changeset.json");
        let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
            .args(["check", "--base", &steps[0], "--head", "HEAD", "--preview"])
            .args(["--format", "json", "--template", "stack/template.yaml"])
            .args(args)
            .arg(&plan)
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_EVENT_PATH")
            .output()
            .unwrap();
        (out, steps)
    }

    #[test]
    fn the_heads_template_is_read_as_before() {
        let head = get_template("2-agent");
        let (out, _) = check_with(&["--change-set-template", head.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        common::schemas::validate_text(&stdout(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert!(
            !report["notes"].to_string().contains("not compared"),
            "{}",
            report["notes"]
        );
        // Named by its stack, the same.
        let named = format!("orders={}", head.path().display());
        let (out, _) = check_with(&["--change-set-template", &named]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    #[test]
    fn a_change_set_of_an_older_template_is_exit_2() {
        let older = get_template("1-human");
        let (out, _) = check_with(&["--change-set-template", older.path().to_str().unwrap()]);
        let err = flat(&stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("plangate::check::plan_not_from_head")
                && err.contains("is not the head's stack/template.yaml")
                && err.contains("line "),
            "{err}"
        );
    }

    #[test]
    fn without_it_the_report_says_the_change_set_was_not_compared() {
        let (out, _) = check_with(&[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        common::schemas::validate_text(&stdout(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert!(
            report["notes"]
                .to_string()
                .contains("not compared with the head's template"),
            "{}",
            report["notes"]
        );
    }

    #[test]
    fn a_stack_no_change_set_is_of_is_exit_2() {
        let head = get_template("2-agent");
        let named = format!("payments={}", head.path().display());
        let (out, _) = check_with(&["--change-set-template", &named]);
        let err = flat(&stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("no change set given is of the stack `payments`"),
            "{err}"
        );
    }
}
