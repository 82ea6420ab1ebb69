//! The `plangate` binary: exit codes, inputs (files, directories, standard
//! input, binary plans) and what it prints.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{plangate, run, stderr, stdout};

const REPLACE: &str = "testdata/terraform/replace-cannot-update/plan.json";

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

#[test]
fn changes_prints_counts_then_each_destructive_change() {
    let o = run(&["changes", "testdata/terraform/delete-count-index/plan.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("3 change(s): 2 delete, 1 no-op"), "{out}");
    assert!(out.contains("delete  terraform_data.worker[1]  (terraform_data)"));
    assert!(out.contains("why: delete_because_count_index"));
    assert!(!out.contains("worker[0]"), "a no-op is not listed: {out}");
}

#[test]
fn changes_json_has_the_contract_shape() {
    let o = run(&["changes", "--format", "json", REPLACE]);
    assert_eq!(code(&o), 0);
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["version"], 1);
    let plan = &doc["plans"][0];
    assert_eq!(plan["path"], REPLACE);
    assert_eq!(plan["format"], "terraform");
    let change = &plan["changes"][0];
    assert_eq!(change["address"], "terraform_data.app");
    assert_eq!(change["resource_type"], "terraform_data");
    assert_eq!(change["action"], "replace");
    assert_eq!(
        change["reasons"],
        serde_json::json!(["replace_because_cannot_update"])
    );
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let mut child = plangate()
        .args(["changes", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let plan = fs::read(REPLACE).unwrap();
    child.stdin.take().unwrap().write_all(&plan).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0);
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["plans"][0]["path"], "<stdin>");
    assert_eq!(doc["plans"][0]["changes"][0]["action"], "replace");
}

#[test]
fn a_directory_is_walked_and_json_that_is_no_plan_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("nested/.terraform")).unwrap();
    fs::copy(REPLACE, d.join("nested/renamed-without-extension")).unwrap();
    fs::write(d.join("package.json"), r#"{"name":"x","version":"1.0.0"}"#).unwrap();
    fs::write(d.join("main.tf"), "resource \"x\" \"y\" {}\n").unwrap();
    fs::write(d.join(".gitkeep"), "").unwrap();
    // Terraform's cache is never walked, even when it holds JSON.
    fs::write(d.join("nested/.terraform/modules.json"), "{broken").unwrap();
    let o = run(&["changes", "--format", "json", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        doc["plans"].as_array().unwrap().len(),
        1,
        "found by content"
    );
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("package.json")
    );

    let o = run(&["changes", d.to_str().unwrap()]);
    assert!(stdout(&o).contains("skipped 1 JSON file(s) that are not plans"));
}

#[test]
fn a_damaged_plan_in_a_directory_is_an_error_not_a_skip() {
    for (name, content) in [
        (
            "plan.json",
            &b"{\"format_version\":\"1.2\",\"resource_changes\":[{"[..],
        ),
        ("prod.json", b""),
        ("plan.json", b"Error: Failed to load plugin schemas\n"),
        ("prod.json", b"Error: Failed to load plugin schemas\n"),
        // Unreadable, named like nothing in particular, but a plan by its keys.
        (
            "out.json",
            b"{\"format_version\":\"1.2\",\"planned_values\":{",
        ),
        ("out.json", b"{\"Changes\":[{\"Type\":\"Resource\""),
        ("notes.json", b"// a plan\n{\"format_version\":\"1.2\"}"),
        ("nested-changeset.json", b"{ // damaged\n"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        fs::copy(REPLACE, dir.path().join("good.json")).unwrap();
        fs::write(dir.path().join(name), content).unwrap();
        let o = run(&["changes", dir.path().to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{name}: {:?}", content);
        assert!(stderr(&o).contains(name), "{}", stderr(&o));
    }
}

#[test]
fn a_walk_passes_over_json_with_comments_and_generated_trees() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(REPLACE, dir.path().join("plan.json")).unwrap();
    let files: &[(&str, &str)] = &[
        (
            "tsconfig.json",
            "{\n  // strict mode\n  \"compilerOptions\": {}\n}\n",
        ),
        (".vscode/settings.json", "// editor\n{ \"a\": 1 }\n"),
        (
            "node_modules/pkg/plan.json",
            "{\"format_version\":\"1.2\",\"resource_changes\":[",
        ),
        ("cdk.out/plan.json", "{\"format_version\":"),
        (".terragrunt-cache/x/plan.json", "{"),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let o = run(&["changes", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let plans = out["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 1, "{out:#}");
}

#[test]
fn a_directory_without_plans_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("package.json"), "{}").unwrap();
    let o = run(&["changes", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no plan found"), "{}", stderr(&o));
}

#[test]
fn a_named_file_that_is_no_plan_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("missing.json", b"", "cannot read"),
        ("empty.json", b"", "is empty"),
        ("object.json", br#"{"hello":"world"}"#, "is not a plan"),
        ("array.json", b"[1,2,3]", "is not a plan"),
        (
            "state.json",
            br#"{"format_version":"1.0","values":{}}"#,
            "not a plan",
        ),
        (
            "binary.bin",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00",
            "binary data",
        ),
        ("utf16.json", b"\xff\xfe{\x00}\x00", "UTF-16"),
        ("zip.tfplan", b"PK\x03\x04garbage", "damaged zip"),
        (
            "legacy.tfplan",
            b"tfplan\x00\x00\x01",
            "from Terraform older than",
        ),
        (
            "wrapper.json",
            b"[command]/usr/bin/terraform-bin show -json tfplan\n{}",
            "terraform_wrapper: false",
        ),
        (
            "tofu-encrypted.json",
            br#"{"meta":{},"encrypted_data":"AAAA","encryption_version":"v0"}"#,
            "encrypted OpenTofu plan",
        ),
        (
            // In a field plangate reads (what it skips the parser does not check).
            "latin1.json",
            b"{\"format_version\":\"1.2\",\"resource_changes\":[{\"address\":\"caf\xe9\",\"type\":\"t\",\"change\":{\"actions\":[\"delete\"]}}]}",
            "not UTF-8",
        ),
    ];
    for (name, content, says) in cases {
        let path = dir.path().join(name);
        if *name != "missing.json" {
            fs::write(&path, content).unwrap();
        }
        let o = run(&["changes", path.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{name}");
        assert!(stderr(&o).contains(says), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{name}");
    }
}

#[test]
fn every_bad_file_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    fs::write(&a, "{").unwrap();
    fs::write(&b, "[1]").unwrap();
    let o = run(&["changes", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("2 plan file(s) could not be read"), "{err}");
    assert!(err.contains("a.json") && err.contains("b.json"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&["changes"])), 2);
    assert_eq!(code(&run(&["changes", "--format", "yaml", REPLACE])), 2);
    assert_eq!(code(&run(&["no-such-command"])), 2);
}

#[test]
fn check_refuses_an_errored_plan() {
    let o = run(&["check", "testdata/terraform/errored/plan.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("errored"), "{}", stderr(&o));
}

#[test]
fn check_without_git_history_cannot_decide() {
    // Attribution needs the history: outside a repository, `check` exits 2.
    let outside = tempfile::tempdir().unwrap();
    let plan = std::fs::canonicalize(REPLACE).unwrap();
    let o = plangate()
        .current_dir(outside.path())
        .args(["check", plan.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not inside a git repository"),
        "{}",
        stderr(&o)
    );
    // The help names only what exists: there is no `--repo` flag.
    assert!(!stderr(&o).contains("--repo"), "{}", stderr(&o));
    assert!(stderr(&o).contains("cd"), "{}", stderr(&o));
}

/// A directory holding a fake `terraform` that runs `script`.
fn fake_terraform(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tool = dir.path().join("terraform");
    fs::write(&tool, format!("#!/bin/sh\n{script}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

const BINARY_PLAN: &str = "testdata/terraform/replace-cannot-update/tfplan";

fn with_path(dir: &Path, args: &[&str]) -> std::process::Output {
    plangate().env("PATH", dir).args(args).output().unwrap()
}

#[test]
fn a_binary_plan_without_terraform_says_which_command_to_run() {
    let empty = tempfile::tempdir().unwrap();
    let o = with_path(empty.path(), &["changes", BINARY_PLAN]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("neither `terraform` nor `tofu` is on PATH"),
        "{err}"
    );
    assert!(err.contains("terraform show -json"), "{err}");
}

#[test]
fn a_binary_plan_is_read_through_show_json_in_its_directory() {
    // The fake prints a plan when called as `show -json -no-color tfplan` from the
    // plan's directory, and fails otherwise.
    let plan = fs::canonicalize(REPLACE).unwrap();
    let fake = fake_terraform(&format!(
        r#"[ "$*" = "show -json -no-color tfplan" ] && [ -f tfplan ] && exec /bin/cat '{}'
echo "unexpected call: $* in $(pwd)" >&2; exit 1"#,
        plan.display()
    ));
    let o = with_path(fake.path(), &["changes", "--format", "json", BINARY_PLAN]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["plans"][0]["path"], BINARY_PLAN);
    assert_eq!(doc["plans"][0]["changes"][0]["action"], "replace");
}

#[test]
fn a_failing_show_is_reported_with_what_terraform_said() {
    let fake = fake_terraform(
        "echo 'Error: plan file was created by Terraform 1.9.0, but this is 1.11.4' >&2; exit 1",
    );
    let o = with_path(fake.path(), &["changes", BINARY_PLAN]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("`terraform show -json"), "{err}");
    assert!(err.contains("created by Terraform 1.9.0"), "{err}");
}

#[test]
fn a_binary_plan_is_read_by_the_real_terraform() {
    // Needs terraform 1.11 (the version that wrote the fixture). `.ci/run` sets
    // PLANGATE_REQUIRE_TERRAFORM so that CI cannot skip this.
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
    let o = run(&["changes", "--format", "json", BINARY_PLAN]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let from_binary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let o = run(&["changes", "--format", "json", REPLACE]);
    common::schemas::validate_text(&stdout(&o));
    let from_json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        from_binary["plans"][0]["changes"],
        from_json["plans"][0]["changes"]
    );
}

const SECRETS: &[&str] = &[
    "plangate-fixture-secret-7f3a",
    "plangate-fixture-old-secret-0c1d",
];

#[test]
fn sensitive_values_never_reach_the_output() {
    let path = "testdata/terraform/sensitive/plan.json";
    let plan = fs::read_to_string(path).unwrap();
    assert!(
        SECRETS.iter().all(|s| plan.contains(s)),
        "the fixture holds them"
    );
    for format in ["human", "json"] {
        let o = run(&["changes", "--format", format, path]);
        assert_eq!(code(&o), 0);
        for s in SECRETS {
            assert!(
                !stdout(&o).contains(s) && !stderr(&o).contains(s),
                "{format}"
            );
        }
    }
}

#[test]
fn sensitive_values_never_reach_an_error_message() {
    let plan = fs::read_to_string("testdata/terraform/sensitive/plan.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for secret in SECRETS {
        let at = plan.find(secret).unwrap();
        // Cut inside the secret, and break the JSON right after it.
        let cut = &plan[..at + secret.len() - 4];
        let broken = plan.replacen(&format!("{secret}\""), &format!("{secret}\" !"), 1);
        for (i, text) in [cut.to_owned(), broken].iter().enumerate() {
            let file = dir.path().join(format!("bad{i}.json"));
            fs::write(&file, text).unwrap();
            let o = run(&["changes", file.to_str().unwrap()]);
            assert_eq!(code(&o), 2);
            let err = stderr(&o);
            assert!(err.contains("here"), "the error points somewhere: {err}");
            assert!(!err.contains(&secret[..12]), "leaked: {err}");
        }
    }
}

#[test]
fn a_huge_one_line_plan_reads_and_a_truncated_one_fails_with_a_short_message() {
    // 25,000 changes with 1 KiB values on one line (as `terraform show -json`
    // writes it): about 40 MB, read through the memory-mapped path.
    let mut plan = String::from(r#"{"format_version":"1.2","resource_changes":["#);
    let value = "v".repeat(1024);
    for i in 0..25_000 {
        if i > 0 {
            plan.push(',');
        }
        let action = if i % 1000 == 0 { "delete" } else { "update" };
        plan.push_str(&format!(
            r#"{{"address":"x.r{i}","type":"x","change":{{"actions":["{action}"],"before":{{"a":"{value}","b":[{{"c":"{value}"}}]}},"after":{{}}}}}}"#
        ));
    }
    plan.push_str("]}");
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.json");
    let cut = dir.path().join("cut.json");
    fs::write(&whole, &plan).unwrap();
    fs::write(&cut, &plan[..plan.len() * 2 / 3]).unwrap();

    let o = run(&["changes", "--format", "json", whole.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let changes = doc["plans"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 25_000);
    assert_eq!(
        changes.iter().filter(|c| c["action"] == "delete").count(),
        25
    );

    let o = run(&["changes", cut.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("cut short"), "{err}");
    assert!(
        err.len() < 4096,
        "the message stays short: {} bytes",
        err.len()
    );
}

#[test]
fn init_gitlab_writes_a_job_to_include_and_no_github_workflow() {
    let repo = common::repo::TestRepo::new();
    let o = plangate()
        .current_dir(repo.path())
        .args(["init", "--gitlab"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let job = fs::read_to_string(repo.file(".gitlab/ci/plangate.yml")).unwrap();
    // The job examples/ci.sh validates against GitLab's CI schema.
    assert_eq!(job, include_str!("../src/config/templates/gitlab-ci.yml"));
    assert!(!repo.file(".github").exists());
    let said = stdout(&o);
    assert!(
        said.contains("include: [{local: .gitlab/ci/plangate.yml}]")
            && said.contains("PLANGATE_GITLAB_TOKEN"),
        "{said}"
    );
    let o = plangate()
        .current_dir(repo.path())
        .args(["init", "--gitlab", "--guard", "codex"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "--gitlab and --guard are different jobs");
}

#[test]
fn init_writes_a_configuration_that_reads_and_a_workflow_and_keeps_existing_files() {
    let repo = common::repo::TestRepo::new();
    let run_in = |args: &[&str]| {
        plangate()
            .current_dir(repo.path())
            .args(args)
            .output()
            .unwrap()
    };
    let o = run_in(&["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("wrote"));
    let config = fs::read_to_string(repo.file(".plangate.hcl")).unwrap();
    assert!(
        config.contains("--config-ref"),
        "it says how to run the gate safely"
    );
    let workflow = fs::read_to_string(repo.file(".github/workflows/plangate.yml")).unwrap();
    assert!(workflow.contains("fetch-depth: 0") && workflow.contains("pull_request_review"));
    // The written configuration is valid: `rules` reads it.
    assert_eq!(code(&run_in(&["rules"])), 0);
    // A second init keeps the user's files unless told otherwise.
    fs::write(repo.file(".plangate.hcl"), "# mine\n").unwrap();
    let o = run_in(&["init"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("exists"));
    assert_eq!(
        fs::read_to_string(repo.file(".plangate.hcl")).unwrap(),
        "# mine\n"
    );
    assert_eq!(code(&run_in(&["init", "--force"])), 0);
    assert_ne!(
        fs::read_to_string(repo.file(".plangate.hcl")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn completions_and_the_manual_are_generated_from_the_arguments() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        assert!(
            stdout(&o).contains("check") && stdout(&o).contains("config-ref"),
            "{shell}"
        );
    }
    let o = run(&["man"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH plangate"));
}

#[test]
fn every_command_has_examples_in_its_help() {
    for command in [
        "changes",
        "commits",
        "check",
        "rules",
        "explain",
        "init",
        "completions",
        "man",
    ] {
        let o = run(&[command, "--help"]);
        assert_eq!(code(&o), 0, "{command}");
        assert!(
            stdout(&o).contains("Examples:"),
            "{command} --help has no examples"
        );
    }
}

#[test]
fn check_names_the_plan_it_cannot_read_before_the_repository_it_cannot_open() {
    // `check` reads the plans and the repository at once; when both fail, the
    // plan's error is the one reported, as when they were read in turn.
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.json");
    fs::write(
        &cut,
        r#"{"format_version":"1.2","resource_changes":[{"addr"#,
    )
    .unwrap();
    let check = |plan: &std::path::Path| {
        let o = plangate()
            .current_dir(dir.path())
            .args(["check", "--preview", plan.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        o
    };
    let o = check(&cut);
    let err = stderr(&o);
    assert!(err.contains("cut short"), "{err}");
    assert!(!err.contains("git repository"), "{err}");

    // The same directory with a readable plan: the repository's error.
    let whole = dir.path().join("whole.json");
    fs::write(&whole, r#"{"format_version":"1.2","resource_changes":[]}"#).unwrap();
    let o = check(&whole);
    assert!(
        stderr(&o).contains("not inside a git repository"),
        "{}",
        stderr(&o)
    );
}

/// `--format json` on exit 2 still prints one JSON document, so a pipeline
/// into `jq` has the error to read; other formats keep stdout empty.
#[test]
fn json_output_carries_the_error_on_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(
        &state,
        r#"{"format_version":"1.0","terraform_version":"1.11.4"}"#,
    )
    .unwrap();
    let state = state.to_str().unwrap();
    for args in [
        vec!["changes", "--format", "json", state],
        vec!["check", "--format", "json", state],
    ] {
        let o = plangate()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{args:?}");
        common::schemas::validate_text(&stdout(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(doc["result"], "error", "{doc}");
        assert_eq!(doc["version"], 1);
        let first = &doc["errors"][0];
        assert!(
            first["code"].as_str().unwrap().starts_with("plangate::"),
            "{doc}"
        );
        assert!(
            first["message"].as_str().unwrap().contains("state.json"),
            "{doc}"
        );
        // The diagnostics still go to stderr.
        assert!(!stderr(&o).is_empty());
    }
    let o = plangate()
        .current_dir(dir.path())
        .args(["changes", state])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
}

/// The same plan found twice in a walk is read once, and the output says
/// which path it was read under; two files named on the command line are
/// two plans, as asked.
#[test]
fn a_plan_found_twice_in_a_walk_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/copy")).unwrap();
    fs::copy(REPLACE, dir.path().join("a/plan.json")).unwrap();
    fs::copy(REPLACE, dir.path().join("a/copy/plan.json")).unwrap();
    fs::copy(
        "testdata/terraform/create/plan.json",
        dir.path().join("a/other.json"),
    )
    .unwrap();
    let walk = dir.path().join("a").display().to_string();
    let o = run(&["changes", "--format", "json", &walk]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let paths: Vec<&str> = doc["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(doc["duplicates"].as_array().unwrap().len(), 1, "{doc}");
    let dup = &doc["duplicates"][0];
    // The first in the walk's order (by name; `copy/` before `plan.json`) is read.
    assert!(
        dup["path"].as_str().unwrap().ends_with("a/plan.json"),
        "{dup}"
    );
    assert!(dup["same_as"].as_str().unwrap().ends_with("copy/plan.json"));
    assert!(paths.contains(&dup["same_as"].as_str().unwrap()));
    let human = stdout(&run(&["changes", &walk]));
    assert!(human.contains("is the same plan as"), "{human}");
    // Named twice: two plans.
    let first = dir.path().join("a/plan.json").display().to_string();
    let second = dir.path().join("a/copy/plan.json").display().to_string();
    let o = run(&["changes", "--format", "json", &first, &second]);
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["plans"].as_array().unwrap().len(), 2);
    // A binary plan beside its `terraform show -json`: one plan (needs the
    // real terraform, as the test above).
    let found = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("v1.11."));
    if !found {
        assert!(std::env::var_os("PLANGATE_REQUIRE_TERRAFORM").is_none());
        return;
    }
    let b = dir.path().join("b");
    fs::create_dir_all(&b).unwrap();
    fs::copy(BINARY_PLAN, b.join("tfplan")).unwrap();
    let shown = Command::new("terraform")
        .args(["show", "-json", "tfplan"])
        .current_dir(&b)
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    fs::write(b.join("plan.json"), &shown.stdout).unwrap();
    let o = run(&["changes", "--format", "json", &b.display().to_string()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    common::schemas::validate_text(&stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["plans"].as_array().unwrap().len(), 1, "{doc}");
    assert!(
        doc["plans"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("plan.json")
    );
    assert!(
        doc["duplicates"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("tfplan")
    );
}
