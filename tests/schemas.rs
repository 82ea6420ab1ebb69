//! The JSON Schemas of schemas/ against what the real binary prints: every
//! plan and change set of testdata/ through `changes --format json`, every
//! attribution case through `check --format json` (previewed and not, with
//! its own configuration and with the built-in rules) and `commits --format
//! json`, and the error document of inputs that cannot be decided. Then
//! documents broken on purpose, which the schemas must reject.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::cases;
use common::gate::{Gate, approve, review};
use common::repo::{CLAUDE, HUMAN, TestRepo};
use common::schemas::{self, Kind};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const DEPENDABOT: (&str, &str) = (
    "dependabot[bot]",
    "49699333+dependabot[bot]@users.noreply.github.com",
);

/// Every destructive change is a finding (as in tests/attribution_paths.rs),
/// for the cases without a configuration of their own.
const CATCH_ALL: &str = r#"
rule "every-destroy" {
  description = "Every destructive change"
  severity    = "info"
  match {
    actions = ["delete", "replace", "forget"]
  }
}
"#;

/// `plangate` in `dir`, outside any CI.
fn plangate(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    for var in [
        "GITLAB_CI",
        "GITHUB_ACTIONS",
        "COLUMNS",
        "GITHUB_EVENT_PATH",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The documents validated, by kind.
#[derive(Default)]
struct Tally(Mutex<BTreeMap<Kind, usize>>);

impl Tally {
    fn add(&self, kind: Kind) {
        *self.0.lock().unwrap().entry(kind).or_default() += 1;
    }

    fn get(&self, kind: Kind) -> usize {
        self.0.lock().unwrap().get(&kind).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.0.lock().unwrap().values().sum()
    }

    fn summary(&self) -> String {
        let counts = self.0.lock().unwrap();
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k:?}")).collect();
        parts.join(", ")
    }

    /// One run's stdout: exit 0 or 1 with one document of `kind`, or exit 2
    /// with one error document; valid either way. Returns the document.
    #[track_caller]
    fn run(&self, what: &str, out: &Output, kind: Kind) -> Value {
        let code = out
            .status
            .code()
            .unwrap_or_else(|| panic!("{what}: killed"));
        let text = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        let expected = match code {
            0 | 1 => kind,
            2 => Kind::Error,
            other => panic!("{what}: exit {other}: {stderr}"),
        };
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("{what}: exit {code}, stdout is not one JSON document ({e}):\n{text}\n{stderr}")
        });
        let found = schemas::validate_doc(&doc);
        assert_eq!(
            found, expected,
            "{what}: exit {code} printed {found:?}:\n{text}"
        );
        self.add(found);
        doc
    }
}

/// Every plan file and change-set directory the fixtures hold.
fn plan_inputs() -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    let sorted = |dir: PathBuf| {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        entries
    };
    for dir in sorted(Path::new(ROOT).join("testdata/terraform")) {
        if dir.is_dir() {
            inputs.extend(
                sorted(dir)
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "json")),
            );
        }
    }
    for entry in sorted(Path::new(ROOT).join("testdata/cloudformation")) {
        // A directory is one input (pages, nested change sets).
        if entry.is_dir() || entry.extension().is_some_and(|e| e == "json") {
            inputs.push(entry);
        }
    }
    inputs
}

fn attribution_cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("testdata/attribution"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").exists())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `changes --format json` of every fixture, one at a time and all together.
fn sweep_changes(tally: &Tally) {
    let root = Path::new(ROOT);
    let inputs = plan_inputs();
    assert!(inputs.len() > 50, "the fixtures are found: {inputs:?}");
    for input in &inputs {
        let rel = input.strip_prefix(root).unwrap().display().to_string();
        let out = plangate(root)
            .args(["changes", "--format", "json", &rel])
            .output()
            .unwrap();
        tally.run(&format!("changes {rel}"), &out, Kind::Changes);
    }
    let terraform: Vec<String> = inputs
        .iter()
        .filter(|p| p.starts_with(root.join("testdata/terraform")))
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    let out = plangate(root)
        .args(["changes", "--format", "json"])
        .args(&terraform)
        .output()
        .unwrap();
    let doc = tally.run("changes of every terraform plan", &out, Kind::Changes);
    assert_eq!(
        doc["plans"].as_array().map(Vec::len),
        Some(terraform.len()),
        "{doc}"
    );
    // A walk: skipped JSON files and duplicates are listed too.
    let dir = tempfile::tempdir().unwrap();
    let walk = dir.path().join("walk");
    std::fs::create_dir_all(walk.join("copy")).unwrap();
    let plan = root.join("testdata/terraform/modules-nested/plan.json");
    std::fs::copy(&plan, walk.join("plan.json")).unwrap();
    std::fs::copy(&plan, walk.join("copy/plan.json")).unwrap();
    std::fs::write(
        walk.join("package.json"),
        r#"{"name":"x","version":"1.0.0"}"#,
    )
    .unwrap();
    let out = plangate(dir.path())
        .args(["changes", "--format", "json", "walk"])
        .output()
        .unwrap();
    let doc = tally.run("changes of a walk", &out, Kind::Changes);
    assert!(
        doc.get("skipped").is_some() && doc.get("duplicates").is_some(),
        "{doc}"
    );
    // Standard input.
    let mut child = plangate(root)
        .args(["changes", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        &std::fs::read(root.join("testdata/terraform/replace-tainted/plan.json")).unwrap(),
    )
    .unwrap();
    tally.run(
        "changes of stdin",
        &child.wait_with_output().unwrap(),
        Kind::Changes,
    );
}

/// One attribution case's history: `check` four ways on its plan (and on
/// any older plan it has), and `commits` of its range.
fn sweep_case(name: &str, tally: &Tally) {
    let (repo, steps) = cases::build(name);
    let plan = cases::place_plan(name, &repo);
    let base = steps[cases::base(name)].clone();
    let own = cases::case_dir(name).join("plangate.hcl");
    let config = if own.exists() {
        own
    } else {
        let path = repo.path().join(".git/plangate-sweep.hcl");
        std::fs::write(&path, CATCH_ALL).unwrap();
        path
    };
    let config = config.display().to_string();
    let range = ["--base", base.as_str(), "--head", "HEAD"];
    let check = |what: &str, extra: &[&str], plan: &str| {
        let out = plangate(repo.path())
            .args(["check", "--format", "json"])
            .args(range)
            .args(extra)
            .arg(plan)
            .output()
            .unwrap();
        tally.run(&format!("{name}: check {what}"), &out, Kind::Check);
    };
    check(
        "--preview --config",
        &["--preview", "--config", &config],
        &plan,
    );
    check("--config", &["--config", &config], &plan);
    check("--preview (built-in rules)", &["--preview"], &plan);
    check("(built-in rules)", &[], &plan);
    // Plans made at an older commit of the range (provenance cases).
    let dir = cases::case_dir(name);
    let mut older: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("plan-at-"))
        })
        .collect();
    older.sort();
    for p in older {
        check(
            &format!("--preview {}", p.file_name().unwrap().to_string_lossy()),
            &["--preview"],
            &p.display().to_string(),
        );
    }
    let out = plangate(repo.path())
        .args(["commits", "--format", "json"])
        .args(range)
        .output()
        .unwrap();
    let doc = tally.run(&format!("{name}: commits"), &out, Kind::Commits);
    assert_eq!(doc["range"]["base"], base.as_str(), "{name}: {doc}");
}

/// Reports the other cases do not give: an exception and an override,
/// approvals from GitHub (counted and ignored), from a file, `--report FILE`.
fn sweep_gate(tally: &Tally) {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(
        "exception \"rebuild\" {\n  rule = \"agent-destroy\"\n  resource_types = [\"terraform_data\"]\n  \
         reason = \"rebuilt from the snapshot\"\n  expires = \"2099-12-31\"\n  agreed_by = [\"carol\"]\n}\n\
         rule \"agent-edits-policy\" {\n  override = true\n  severity = \"warning\"\n}\n",
    );
    let report = g.file("report.json");
    let report_arg = report.display().to_string();
    let (_, doc) = g.check(&["--config", &config, "--report", &report_arg]);
    tally.add(Kind::Check);
    assert!(
        doc.get("exceptions").is_some() && doc.get("overrides").is_some(),
        "{doc}"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(schemas::validate_text(&written), Kind::Check);
    tally.add(Kind::Check);

    // GitHub: one approval of an older commit (ignored), then one of the head.
    g.reviews(vec![
        approve("carol", 41, &g.steps[1]),
        review("erin", 42, "COMMENTED", g.head()),
    ]);
    let (code, doc) = g.check(&[]);
    tally.add(Kind::Check);
    assert_eq!((code, &doc["approvals"]["kind"]), (1, &json!("github")));
    g.reviews(vec![approve("carol", 41, g.head())]);
    let (code, _) = g.check(&[]);
    tally.add(Kind::Check);
    assert_eq!(code, 0);

    // A saved reviews file.
    let reviews = g.file("reviews.json");
    std::fs::write(
        &reviews,
        json!([approve("carol", 41, g.head())]).to_string(),
    )
    .unwrap();
    let event = g.file("event.json").display().to_string();
    let (_, doc) = g.check(&["--approvals", reviews.to_str().unwrap(), "--event", &event]);
    tally.add(Kind::Check);
    assert_eq!(doc["approvals"]["kind"], "file");

    // Exit 2 still writes the error document to `--report FILE`.
    let out = g
        .plangate()
        .args([
            "check",
            "--format",
            "json",
            "--report",
            &report_arg,
            "missing.json",
        ])
        .output()
        .unwrap();
    tally.run("check of a missing plan in Actions", &out, Kind::Check);
    assert_eq!(
        schemas::validate_text(&std::fs::read_to_string(&report).unwrap()),
        Kind::Error
    );
    tally.add(Kind::Error);
}

/// A history with a bot's commit and an agent's edit of the configuration:
/// a finding about a file (`"plan": null`), and a commit with its `bot`.
fn sweep_repo(tally: &Tally) {
    let repo = TestRepo::new();
    let blocks = cases::case_dir("agent-deletes-block");
    cases::copy_tree(&blocks.join("0-base"), repo.path());
    repo.write(
        ".plangate.hcl",
        "rule \"agent-destroy\" {\n  require {\n    approvals = 2\n  }\n}\n",
    );
    let base = repo.commit(HUMAN, "Infrastructure and policy");
    repo.write(
        "versions.tf",
        "terraform {\n  required_version = \">= 1.5\"\n}\n",
    );
    repo.commit(DEPENDABOT, "Bump terraform");
    std::fs::remove_file(repo.file("main.tf")).unwrap();
    cases::copy_tree(&blocks.join("2-agent"), repo.path());
    repo.write(".plangate.hcl", "# nothing to see here\n");
    repo.commit(CLAUDE, "Tidy up");
    let plan = cases::place_plan("agent-deletes-block", &repo);
    for extra in [&["--preview"][..], &["--config-ref", &base]] {
        let out = plangate(repo.path())
            .args(["check", "--format", "json", "--base", &base])
            .args(extra)
            .arg(&plan)
            .output()
            .unwrap();
        let doc = tally.run(
            &format!("check {extra:?} of a policy edit"),
            &out,
            Kind::Check,
        );
        let files = doc["findings"].as_array().unwrap().iter();
        assert!(
            files.filter(|f| f["plan"].is_null()).count() > 0,
            "a finding about the configuration file: {doc}"
        );
    }
    let out = plangate(repo.path())
        .args(["commits", "--format", "json", "--base", &base])
        .output()
        .unwrap();
    let doc = tally.run("commits of a bot's and an agent's", &out, Kind::Commits);
    assert!(
        doc["commits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["bot"].is_string()),
        "{doc}"
    );
}

/// What cannot be decided: exit 2, and the error document on stdout.
fn sweep_errors(tally: &Tally) {
    let root = Path::new(ROOT);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let whole = std::fs::read_to_string(root.join("testdata/terraform/update/plan.json")).unwrap();
    std::fs::write(d.join("cut.json"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(
        d.join("v2.json"),
        r#"{"format_version":"2.0","terraform_version":"2.0.0","resource_changes":[]}"#,
    )
    .unwrap();
    std::fs::write(d.join("bad.hcl"), "rule \"x\" {\n  severity = \n").unwrap();
    std::fs::write(
        d.join("unknown.hcl"),
        "rule \"x\" {\n  severity = \"fatal\"\n  match {\n    actions = [\"obliterate\"]\n  }\n}\n",
    )
    .unwrap();
    let repo = TestRepo::new();
    repo.write("main.tf", "resource \"terraform_data\" \"a\" {}\n");
    let head = repo.commit(HUMAN, "Infrastructure");
    let plan = root.join("testdata/terraform/update/plan.json");
    let plan = plan.to_str().unwrap();
    let file = |name: &str| d.join(name).display().to_string();
    let runs: Vec<(&str, &Path, Vec<String>)> = vec![
        (
            "a truncated plan",
            d,
            vec!["changes".into(), file("cut.json")],
        ),
        (
            "an unknown format version",
            d,
            vec!["changes".into(), file("v2.json")],
        ),
        (
            "a missing file",
            d,
            vec!["changes".into(), file("missing.json")],
        ),
        (
            "a truncated plan",
            repo.path(),
            vec!["check".into(), file("cut.json")],
        ),
        (
            "an unknown format version",
            repo.path(),
            vec!["check".into(), file("v2.json")],
        ),
        (
            "a missing file",
            repo.path(),
            vec!["check".into(), file("missing.json")],
        ),
        (
            "a bad configuration",
            repo.path(),
            vec![
                "check".into(),
                "--config".into(),
                file("bad.hcl"),
                plan.into(),
            ],
        ),
        (
            "a configuration with unknown values",
            repo.path(),
            vec![
                "check".into(),
                "--config".into(),
                file("unknown.hcl"),
                plan.into(),
            ],
        ),
        (
            "a missing configuration",
            repo.path(),
            vec![
                "check".into(),
                "--config".into(),
                file("missing.hcl"),
                plan.into(),
            ],
        ),
        (
            "an unknown base",
            repo.path(),
            vec![
                "check".into(),
                "--base".into(),
                "no-such-rev".into(),
                plan.into(),
            ],
        ),
        ("outside a repository", d, vec!["check".into(), plan.into()]),
        (
            "a bad configuration",
            repo.path(),
            vec!["commits".into(), "--config".into(), file("bad.hcl")],
        ),
        (
            "an unknown base",
            repo.path(),
            vec!["commits".into(), "--base".into(), "no-such-rev".into()],
        ),
        (
            "outside a repository",
            d,
            vec!["commits".into(), "--base".into(), head],
        ),
        // Usage errors: clap refuses them before a command runs, and the
        // document is still printed (issue 16: a pipeline into jq reads it).
        (
            "an unknown flag",
            repo.path(),
            vec!["check".into(), "--bogus".into(), plan.into()],
        ),
        ("no path", d, vec!["changes".into()]),
        (
            "a bad value",
            repo.path(),
            vec!["commits".into(), "--fail-on".into(), "x".into()],
        ),
    ];
    for (what, cwd, args) in runs {
        let out = plangate(cwd)
            .arg(&args[0])
            .args(["--format", "json"])
            .args(&args[1..])
            .output()
            .unwrap();
        let what = format!("{} of {what}", args[0]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = tally.run(&what, &out, Kind::Error);
        assert!(
            doc["errors"][0]["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("plangate::")),
            "{what}: {doc}"
        );
    }
}

#[test]
fn every_json_document_plangate_prints_is_valid_against_its_schema() {
    let tally = Tally::default();
    sweep_changes(&tally);
    sweep_errors(&tally);
    sweep_gate(&tally);
    sweep_repo(&tally);
    let names = attribution_cases();
    assert!(names.len() > 40, "the cases are found: {names:?}");
    // Two workers: each case builds a history with git.
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(name) = names.get(next.fetch_add(1, Ordering::SeqCst)) {
                    sweep_case(name, &tally);
                }
            });
        }
    });
    // The cases decide: most of what they print is reports, not errors.
    assert!(
        tally.get(Kind::Check) >= names.len() * 3,
        "{}",
        tally.summary()
    );
    assert!(
        tally.get(Kind::Commits) >= names.len(),
        "{}",
        tally.summary()
    );
    eprintln!(
        "validated {} documents against schemas/ ({}) from {} fixtures and {} attribution cases",
        tally.total(),
        tally.summary(),
        plan_inputs().len(),
        names.len()
    );
}

/// A real report of the agent's delete (a blocked finding), outside CI.
fn a_report() -> Value {
    let (repo, steps) = cases::build("agent-deletes-block");
    let plan = cases::place_plan("agent-deletes-block", &repo);
    let out = plangate(repo.path())
        .args([
            "check",
            "--format",
            "json",
            "--preview",
            "--base",
            &steps[0],
            &plan,
        ])
        .output()
        .unwrap();
    let doc = Tally::default().run("check", &out, Kind::Check);
    assert!(!doc["findings"].as_array().unwrap().is_empty(), "{doc}");
    doc
}

#[track_caller]
fn assert_rejected(kind: Kind, doc: &Value, says: &str) {
    assert_eq!(Kind::of(doc), kind, "{doc}");
    let errors = schemas::errors(kind, doc);
    assert!(
        !errors.is_empty(),
        "schemas/{} accepts a broken document: {doc}",
        kind.file()
    );
    assert!(
        errors.iter().any(|e| e.contains(says)),
        "{says} is not among: {errors:#?}"
    );
}

#[test]
fn a_finding_with_an_unknown_status_is_rejected() {
    let mut doc = a_report();
    doc["findings"][0]["status"] = json!("bogus");
    assert_rejected(Kind::Check, &doc, "/findings/0/status");
    // So are a field the schema does not know and a missing one.
    let mut doc = a_report();
    doc["findings"][0]["severity_score"] = json!(9);
    assert_rejected(Kind::Check, &doc, "severity_score");
    let mut doc = a_report();
    doc["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("approval");
    assert_rejected(Kind::Check, &doc, "approval");
    let mut doc = a_report();
    doc["approvals"] = json!({"kind": "github"});
    assert_rejected(Kind::Check, &doc, "/approvals");
}

#[test]
fn a_changes_document_with_an_unknown_top_level_field_is_rejected() {
    let mut doc = common::changes_json(&["testdata/terraform/replace-tainted/plan.json"]);
    doc["generated_at"] = json!("2026-01-01T00:00:00Z");
    assert_rejected(Kind::Changes, &doc, "generated_at");
    let mut doc = common::changes_json(&["testdata/terraform/replace-tainted/plan.json"]);
    doc["version"] = json!(2);
    assert_rejected(Kind::Changes, &doc, "/version");
    let mut doc = common::changes_json(&["testdata/terraform/replace-tainted/plan.json"]);
    doc["plans"][0]["changes"][0]["action"] = json!("destroy");
    assert_rejected(Kind::Changes, &doc, "/plans/0/changes/0/action");
}

#[test]
fn an_error_document_without_errors_is_rejected() {
    let doc = json!({"version": 1, "result": "error"});
    assert_rejected(Kind::Error, &doc, "errors");
    let doc = json!({"version": 1, "result": "error", "errors": []});
    assert_rejected(Kind::Error, &doc, "/errors");
    let doc = json!({"version": 1, "result": "error", "errors": [{"code": "plangate::x", "message": "m"}]});
    assert_rejected(Kind::Error, &doc, "help");
}

#[test]
fn a_commits_document_with_an_unknown_class_is_rejected() {
    let (repo, steps) = cases::build("agent-deletes-block");
    let out = plangate(repo.path())
        .args([
            "commits", "--format", "json", "--base", &steps[0], "--head", "HEAD",
        ])
        .output()
        .unwrap();
    let mut doc = Tally::default().run("commits", &out, Kind::Commits);
    doc["commits"][0]["class"] = json!("robot");
    assert_rejected(Kind::Commits, &doc, "/commits/0/class");
}

#[test]
#[should_panic(expected = "breaks schemas/check.v1.schema.json")]
fn validate_text_panics_on_an_invalid_report() {
    let mut doc = a_report();
    doc["result"] = json!("maybe");
    schemas::validate_text(&doc.to_string());
}

/// Each schema is a draft 2020-12 schema with its `$id`, a title and a
/// description, whose references all stay inside it (no network, no files).
#[test]
fn the_schemas_are_self_contained_draft_2020_12() {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("$ref" | "$dynamicRef", Value::String(r)) => out.push(r.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    for kind in Kind::ALL {
        let schema = schemas::schema(kind);
        assert_eq!(
            schema["$id"],
            format!("https://plangate.dev/schemas/{}", kind.file())
        );
        assert!(schema["title"].is_string() && schema["description"].is_string());
        assert_eq!(
            schema["properties"]["version"]["const"],
            1,
            "{}",
            kind.file()
        );
        assert_eq!(schema["additionalProperties"], false, "{}", kind.file());
        let mut found = Vec::new();
        refs(&schema, &mut found);
        for r in found {
            assert!(r.starts_with("#/$defs/"), "{}: {r}", kind.file());
        }
        // Compiles (and meets the meta-schema).
        assert!(
            schemas::errors(kind, &json!({}))
                .iter()
                .any(|e| e.contains("version"))
        );
    }
}
