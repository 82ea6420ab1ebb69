//! What `plangate check` writes, end to end (the binary, a history rebuilt
//! with the real git, a local GitHub): its SARIF validated against the OASIS
//! SARIF 2.1.0 schema (tests/schemas), and the human, GitHub-annotation, SARIF
//! and step-summary outputs of a few pull requests as snapshots.
//!
//! With `PLANGATE_SARIF_DIR` set, every SARIF document checked here is also
//! written there (`NAME.sarif`), for `.ci/run` to give to Microsoft's validator.

mod common;

use std::sync::OnceLock;

use common::cases;
use common::gate::{Gate, approve};
use common::repo::{CLAUDE, HUMAN, TestRepo};
use common::{stderr, stdout};
use serde_json::{Value, json};

/// Every delete or replace needs one approval, whoever wrote it.
const ANY_DESTROY: &str = "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n";

/// The pull request of testdata/attribution/`case`, its plan written into the
/// work tree (untracked) and named relative to the repository's root, as a
/// workflow does (`terraform show -json tfplan > plan.json`): SARIF locations
/// are then what code scanning can place.
fn gate(case: &str) -> Gate {
    let mut g = Gate::new(case);
    in_repo(&mut g);
    g
}

fn in_repo(g: &mut Gate) {
    std::fs::copy(&g.plan, g.repo.file("plan.json")).unwrap();
    g.plan = "plan.json".into();
}

fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemas/sarif-schema-2.1.0.json"
        );
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"], "http://json-schema.org/draft-04/schema#",
            "the OASIS schema is draft-04; a changed file needs a changed validator"
        );
        jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

/// Every way `doc` breaks the SARIF 2.1.0 schema, one line each.
fn schema_errors(doc: &Value) -> Vec<String> {
    schema()
        .iter_errors(doc)
        .map(|e| format!("{} (schema {}): {e}", e.instance_path(), e.schema_path()))
        .collect()
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// (level, kind) of a result for a finding's status.
/// A preview judges no approvals, so what would block is only a warning there.
fn level_and_kind(status: &str, preview: bool) -> (&'static str, &'static str) {
    match status {
        "blocked" if preview => ("warning", "fail"),
        "blocked" => ("error", "fail"),
        "approved" => ("none", "pass"),
        "warning" => ("warning", "fail"),
        "info" => ("note", "fail"),
        other => panic!("unknown status {other}"),
    }
}

/// The default level of a rule whose findings have this status.
fn rule_level(status: &str) -> &'static str {
    match status {
        "blocked" | "approved" => "error",
        "warning" => "warning",
        "info" => "note",
        other => panic!("unknown status {other}"),
    }
}

/// Assert what must hold of any SARIF document made from `report`.
fn assert_sarif_facts(doc: &Value, report: &Value) {
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "plangate");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique: {ids:?}");
    let results = runs[0]["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "one result per finding");
    let mut used: Vec<&str> = Vec::new();
    for (r, f) in results.iter().zip(findings) {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(id, f["rule"], "results follow the findings' order");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            ids.get(index),
            Some(&id),
            "ruleIndex {index} points at {id}"
        );
        let mut status = f["status"].as_str().unwrap();
        let mut preview = report["approvals"]["kind"] == "preview";
        if status == "excepted" {
            // Suppressed, at its rule's level: the result a reviewer dismissed.
            assert_eq!(r["suppressions"][0]["kind"], "external", "{r}");
            status = match f["severity"].as_str().unwrap() {
                "error" => "blocked",
                other => other,
            };
            preview = false;
        } else {
            assert!(r.get("suppressions").is_none(), "{r}");
        }
        let (level, kind) = level_and_kind(status, preview);
        assert_eq!(
            (r["level"].as_str(), r["kind"].as_str()),
            (Some(level), Some(kind)),
            "{status}: {r}"
        );
        assert_eq!(
            rules[index]["defaultConfiguration"]["level"],
            rule_level(status),
            "{id}"
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "{r}");
        let physical = &locations[0]["physicalLocation"];
        assert!(
            !physical["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        let start = physical["region"]["startLine"].as_u64().unwrap();
        let end = physical["region"]["endLine"].as_u64().unwrap();
        assert!(start >= 1 && end >= start, "{physical}");
        used.push(id);
    }
    used.sort_unstable();
    used.dedup();
    assert_eq!(
        used, unique,
        "every rule listed has a result, and only those"
    );
}

/// `plangate check --format sarif ARGS` and the same with `--format json`: the
/// SARIF document, checked against the schema and the report, and the report.
fn sarif(g: &Gate, name: &str, args: &[&str]) -> (Value, Value) {
    let mut with_format = vec!["--format", "sarif"];
    with_format.extend_from_slice(args);
    let out = g.run(&with_format);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    if let Some(dir) = std::env::var_os("PLANGATE_SARIF_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.sarif")),
            &text,
        )
        .unwrap();
    }
    let doc: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errors = schema_errors(&doc);
    assert!(
        errors.is_empty(),
        "{name}: the SARIF breaks the SARIF 2.1.0 schema:\n{}\n\n{}",
        errors.join("\n"),
        pretty(&doc)
    );
    let (code, report) = g.check(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "the format does not change the verdict"
    );
    assert_sarif_facts(&doc, &report);
    (doc, report)
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().unwrap()
}

/// The result and the finding of `rule`.
fn result_of<'a>(doc: &'a Value, report: &'a Value, rule: &str) -> (&'a Value, &'a Value) {
    let i = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"));
    (&results(doc)[i], &report["findings"][i])
}

fn region(result: &Value) -> (&str, u64, u64) {
    let p = &result["locations"][0]["physicalLocation"];
    (
        p["artifactLocation"]["uri"].as_str().unwrap(),
        p["region"]["startLine"].as_u64().unwrap(),
        p["region"]["endLine"].as_u64().unwrap(),
    )
}

#[test]
fn sarif_of_a_blocked_replace_points_at_its_block_at_the_head() {
    let g = gate("human-forces-replace");
    let config = g.config(ANY_DESTROY);
    let (doc, report) = sarif(&g, "blocked-replace-at-head", &["--config", &config]);
    let (r, f) = result_of(&doc, &report, "any-destroy");
    assert_eq!(f["action"], "replace");
    assert_eq!(f["location"]["rev"], g.head(), "declared at the head");
    assert_eq!(
        region(r),
        (
            f["location"]["file"].as_str().unwrap(),
            f["location"]["lines"]["start"].as_u64().unwrap(),
            f["location"]["lines"]["end"].as_u64().unwrap()
        )
    );
    assert!(region(r).2 > region(r).1, "the whole block: {r}");
    assert_eq!(
        (r["level"].as_str(), r["kind"].as_str()),
        (Some("error"), Some("fail"))
    );
}

#[test]
fn sarif_of_a_deleted_block_points_at_its_declaration_at_the_base() {
    let g = gate("agent-deletes-block");
    let (doc, report) = sarif(&g, "deleted-block", &[]);
    let (r, f) = result_of(&doc, &report, "agent-destroy");
    assert_eq!(f["action"], "delete");
    assert_eq!(
        f["location"]["rev"], g.steps[0],
        "declared at the base only"
    );
    // The block's lines at the base, saying so, and the plan beside them.
    assert_eq!(region(r), ("main.tf", 6, 11));
    let at = &r["locations"][0];
    assert_eq!(at["properties"]["revision"], g.steps[0]);
    assert!(
        at["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("at the base {}", &g.steps[0][..12])),
        "{at}"
    );
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "plan.json"
    );
    assert_eq!(r["level"], "error");
}

#[test]
fn sarif_of_an_approved_finding_is_a_pass() {
    let g = gate("agent-deletes-block");
    g.reviews(vec![approve("erin", 42, g.head())]);
    let (doc, report) = sarif(&g, "approved", &[]);
    assert_eq!(report["result"], "pass");
    let (r, _) = result_of(&doc, &report, "agent-destroy");
    assert_eq!(
        (r["level"].as_str(), r["kind"].as_str()),
        (Some("none"), Some("pass"))
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("approved by erin"),
        "{r}"
    );
}

#[test]
fn sarif_of_warnings_and_information() {
    let g = gate("agent-deletes-block");
    let config = g.config(
        "rule \"delete-warned\" {\n  description = \"A delete, to look at\"\n  severity    = \"warning\"\n  match {\n    actions = [\"delete\"]\n  }\n}\nrule \"delete-noted\" {\n  description = \"A delete, for the record\"\n  severity    = \"info\"\n  match {\n    actions = [\"delete\"]\n  }\n}\n",
    );
    let (doc, report) = sarif(&g, "warning-and-info", &["--config", &config]);
    let (warned, _) = result_of(&doc, &report, "delete-warned");
    assert_eq!(
        (warned["level"].as_str(), warned["kind"].as_str()),
        (Some("warning"), Some("fail"))
    );
    let (noted, _) = result_of(&doc, &report, "delete-noted");
    assert_eq!(
        (noted["level"].as_str(), noted["kind"].as_str()),
        (Some("note"), Some("fail"))
    );
    let (blocked, _) = result_of(&doc, &report, "agent-destroy");
    assert_eq!(blocked["level"], "error");
    assert_eq!(results(&doc).len(), 3);
}

#[test]
fn sarif_of_an_agents_edit_of_the_policy_is_a_result_on_the_file() {
    // As in tests/check.rs: at the base the policy wants two SRE approvals; an
    // agent commit deletes a resource and empties the policy.
    let repo = TestRepo::new();
    repo.write(
        ".plangate.hcl",
        "team \"sre\" {\n  members = [\"erin\", \"frank\"]\n}\nrule \"agent-destroy\" {\n  require {\n    approvals = 2\n    from      = [\"team:sre\"]\n  }\n}\n",
    );
    let case = cases::case_dir("agent-deletes-block");
    cases::copy_tree(&case.join("0-base"), repo.path());
    let base = repo.commit(HUMAN, "Policy and infrastructure");
    repo.remove("main.tf");
    cases::copy_tree(&case.join("2-agent"), repo.path());
    repo.write(".plangate.hcl", "# nothing to see here\n");
    let head = repo.commit(CLAUDE, "Tidy up");
    let plan = case.join("plan.json").display().to_string();
    let mut g = Gate::with_history(repo, vec![base.clone(), head], plan);
    in_repo(&mut g);
    g.reviews(vec![approve("erin", 42, g.head())]);
    let (doc, report) = sarif(&g, "policy-edit", &["--config-ref", &base]);
    let (r, f) = result_of(&doc, &report, "agent-edits-policy");
    assert!(f["plan"].is_null(), "a file finding has no plan: {f}");
    assert_eq!(region(r), (".plangate.hcl", 1, 1));
    // Erin's approval is enough for the edit, not for the base's two from SRE.
    assert_eq!(
        (r["level"].as_str(), r["kind"].as_str()),
        (Some("none"), Some("pass"))
    );
    assert_eq!(
        result_of(&doc, &report, "agent-destroy").0["level"],
        "error"
    );
}

#[test]
fn sarif_without_findings_is_valid_and_empty() {
    // A human's replace of a resource that holds no data: no built-in rule applies.
    let g = gate("human-forces-replace");
    let (doc, report) = sarif(&g, "no-findings", &[]);
    assert_eq!(report["findings"], json!([]));
    assert_eq!(doc["runs"][0]["results"], json!([]));
    assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"], json!([]));
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validation above means something only if the validator catches the
    // mistakes a SARIF writer makes: each of these breaks one requirement.
    let g = gate("agent-deletes-block");
    let (doc, _) = sarif(&g, "control", &[]);
    type Break = fn(&mut Value);
    let broken: [(&str, Break); 8] = [
        ("version", |d| d["version"] = json!("2.1")),
        ("level", |d| {
            d["runs"][0]["results"][0]["level"] = json!("fatal")
        }),
        ("kind", |d| {
            d["runs"][0]["results"][0]["kind"] = json!("blocked")
        }),
        ("startLine", |d| {
            d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                json!(0)
        }),
        ("ruleIndex", |d| {
            d["runs"][0]["results"][0]["ruleIndex"] = json!(-2)
        }),
        ("an unknown property", |d| {
            d["runs"][0]["results"][0]["status"] = json!("blocked")
        }),
        ("message", |d| {
            d["runs"][0]["results"][0]["message"] = json!("text")
        }),
        // formats are checked (`uri`; draft-04 knows no `uri-reference`)
        ("$schema", |d| d["$schema"] = json!("sarif 2.1.0")),
    ];
    for (what, breaks) in broken {
        let mut d = doc.clone();
        breaks(&mut d);
        assert!(
            !schema_errors(&d).is_empty(),
            "a wrong {what} passed the schema"
        );
    }
}

// ---------------------------------------------------------------------------
// Snapshots: what a person reads, for a few representative pull requests.

/// `plangate check --format FORMAT ARGS` with a fresh step summary: the exit
/// code, the output and the summary written.
fn output(g: &Gate, format: &str, args: &[&str]) -> (i32, String, String) {
    let summary = g.file("summary.md");
    let _ = std::fs::remove_file(&summary);
    let mut with_format = vec!["--format", format];
    with_format.extend_from_slice(args);
    let out = g.run(&with_format);
    let code = out.status.code().unwrap();
    assert_ne!(code, 2, "{}", stderr(&out));
    let written = std::fs::read_to_string(&summary).expect("the step summary is written");
    (code, stdout(&out), written)
}

/// Snapshot the human, GitHub, SARIF and markdown outputs of one pull request
/// as `output__NAME-{human,github,sarif,summary}.snap`.
fn snapshot(name: &str, g: &Gate, args: &[&str], expected_code: i32) {
    let (code, human, summary) = output(g, "human", args);
    assert_eq!(code, expected_code, "{human}");
    let (code, github, same) = output(g, "github", args);
    assert_eq!(code, expected_code);
    assert_eq!(same, summary, "the summary does not depend on the format");
    let (doc, _) = sarif(g, &format!("snapshot-{name}"), args);

    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    // Anything that depends on the machine or the run: the scratch
    // directories, the checkout, the local server's port and the version.
    for (dir, placeholder) in [
        (g.repo.path(), "[REPO]"),
        (g.dir.path(), "[TMP]"),
        (std::path::Path::new(env!("CARGO_MANIFEST_DIR")), "[ROOT]"),
    ] {
        settings.add_filter(&regex::escape(&dir.display().to_string()), placeholder);
    }
    settings.add_filter(r"(127\.0\.0\.1|localhost):\d+", "$1:[PORT]");
    settings.add_filter(
        &format!(
            r#""version": "{}""#,
            regex::escape(env!("CARGO_PKG_VERSION"))
        ),
        r#""version": "[VERSION]""#,
    );
    settings.bind(|| {
        insta::assert_snapshot!(format!("{name}-human"), human);
        insta::assert_snapshot!(format!("{name}-github"), github);
        insta::assert_snapshot!(format!("{name}-sarif"), pretty(&doc));
        insta::assert_snapshot!(format!("{name}-summary"), summary);
    });
}

#[test]
fn commit_ids_are_the_same_on_every_run() {
    // The snapshots name commits by their ids: the histories must not depend
    // on when or where they are built (fixed identities and dates).
    let (_, steps) = cases::build("agent-deletes-block");
    let (_, again) = cases::build("agent-deletes-block");
    assert_eq!(steps, again);
    assert_eq!(
        steps,
        [
            "19e712d1e400e290601ec97f6d950d8f606d670c",
            "675f0c8ff9148b890e77d88cede094ea3d5a4f73",
            "a1d05f3c3bc2052b42a3289bb42cced5a2fe48c9"
        ]
    );
}

#[test]
fn snapshot_a_blocked_agent_delete_without_approvals() {
    let g = gate("agent-deletes-block");
    snapshot("blocked-agent-delete", &g, &[], 1);
}

#[test]
fn snapshot_a_blocked_agent_delete_with_a_stale_and_a_counted_approval() {
    let g = gate("agent-deletes-block");
    // Two approvals needed: carol approved an older push, erin the head.
    let config = g.config("rule \"agent-destroy\" {\n  require {\n    approvals = 2\n  }\n}\n");
    g.reviews(vec![
        approve("carol", 41, &g.steps[1]),
        approve("erin", 42, g.head()),
    ]);
    snapshot("stale-and-counted-approval", &g, &["--config", &config], 1);
}

#[test]
fn snapshot_an_approved_agent_delete() {
    let g = gate("agent-deletes-block");
    g.reviews(vec![approve("erin", 42, g.head())]);
    snapshot("approved-agent-delete", &g, &[], 0);
}

#[test]
fn snapshot_a_preview() {
    let g = gate("agent-deletes-block");
    snapshot("preview", &g, &["--preview"], 0);
    assert!(g.gh.requests().is_empty(), "preview asks GitHub nothing");
}

#[test]
fn snapshot_a_blocked_replace_declared_at_the_head() {
    // The author's own approval does not count; the block is in the head.
    let g = gate("human-forces-replace");
    let config = g.config(ANY_DESTROY);
    g.gh.route(
        &format!("{}/commits?per_page=100", common::gate::PULLS),
        vec![common::github::Reply::json(
            200,
            json!([common::github::pull_commit(
                g.head(),
                "Alice Human",
                "alice@example.com",
                Some(common::github::user("alice-h", 43, "User")),
                Some(common::github::user("alice-h", 43, "User")),
                "Upgrade postgres to 16"
            )]),
        )],
    );
    g.reviews(vec![approve("alice-h", 43, g.head())]);
    snapshot("blocked-replace-at-head", &g, &["--config", &config], 1);
}

/// Two rules on one change are one change and two rule hits; a destructive
/// change no rule matches is listed, not left out; and at 80 columns no line
/// is wider, and no rule id, address or path is cut.
#[test]
fn the_report_counts_changes_and_names_what_no_rule_gates_at_80_columns() {
    let g = gate("carry-push-deletes");
    // Only the cache: the agent's delete is hit twice (this rule and the
    // built-in agent-destroy); the human's replace of the database by none.
    let config = g.config(
        "rule \"cache-goes\" {\n  description = \"The cache is deleted\"\n  match {\n    \
         actions = [\"delete\"]\n    addresses = [\"terraform_data.cache\"]\n  }\n  require {\n    \
         approvals = 1\n  }\n}\n",
    );
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1);
    let ungated = report["ungated"].as_array().unwrap();
    let gated: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["address"].as_str().unwrap())
        .collect();
    assert!(!ungated.is_empty(), "{report}");
    for u in ungated {
        assert!(!gated.contains(&u["address"].as_str().unwrap()), "{u}");
        assert!(["delete", "replace", "forget"].contains(&u["action"].as_str().unwrap()));
    }
    let hits = report["findings"].as_array().unwrap().len();
    let out = g
        .plangate()
        .env("COLUMNS", "80")
        .args(["check", "--config", &config, &g.plan])
        .output()
        .unwrap();
    let text = stdout(&out);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!("1 change blocked, 0 approved, 0 with warnings, 0 info ({hits} rule hits, {} not gated)",
            if ungated.len() == 1 { "1 destructive change".to_owned() } else { format!("{} destructive changes", ungated.len()) })),
        "{text}"
    );
    assert!(
        text.contains("also destroyed or replaced, not gated"),
        "{text}"
    );
    for u in ungated {
        assert!(text.contains(u["address"].as_str().unwrap()), "{text}");
    }
    assert!(
        text.contains("rules: "),
        "the rule line is labelled: {text}"
    );
    // GitHub's workflow commands are one line each, whatever the width, and
    // the repository's own source lines are shown as they are.
    let source_line = regex::Regex::new(r"^ *\d+ │").unwrap();
    for line in text
        .lines()
        .filter(|l| !l.starts_with("::") && !source_line.is_match(l))
    {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    for word in [
        "agent-destroy",
        "cache-goes",
        "terraform_data.cache",
        "plan.json",
    ] {
        assert!(text.contains(word), "{word} is cut or missing:\n{text}");
    }
    insta::assert_snapshot!("counts-and-ungated-80-columns", text);
}

#[test]
fn quiet_shows_the_blocking_findings_and_the_verdict_only() {
    let g = gate("carry-push-deletes");
    let out = g
        .plangate()
        .args(["check", "--quiet", &g.plan])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // What a person reads, before the workflow commands Actions gets.
    let human = |o: &std::process::Output| {
        let text = stdout(o);
        text.split("\n::").next().unwrap().to_owned()
    };
    let text = human(&out);
    let loud = human(&g.plangate().args(["check", &g.plan]).output().unwrap());
    assert!(text.len() < loud.len());
    assert!(
        text.contains("blocked:") && text.contains("plangate: fail"),
        "{text}"
    );
    assert!(
        !text.contains("note:") && !text.contains("destructive set:"),
        "{text}"
    );
}

#[test]
fn fail_on_warning_fails_on_a_warning() {
    let g = gate("carry-push-deletes");
    let config = g.config(
        "rule \"watch-replace\" {\n  description = \"A replace\"\n  severity = \"warning\"\n  \
         match {\n    actions = [\"replace\"]\n  }\n}\n",
    );
    g.reviews(vec![approve("carol", 41, g.head())]);
    let (code, report) = g.check(&["--config", &config]);
    let warned = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "warning");
    assert!(warned, "{report}");
    let (strict, _) = g.check(&["--config", &config, "--fail-on", "warning"]);
    assert_eq!(strict, 1);
    assert!(code <= strict);
}

#[test]
fn sarif_of_an_error_is_a_failed_invocation_with_the_problem_as_a_notification() {
    // Exit 2 still leaves code scanning a run to show: one that could not
    // decide, never an empty run that reads as "nothing found".
    let g = gate("agent-deletes-block");
    let file = g.file("out.sarif");
    let out = g
        .plangate()
        .args(["check", "--format", "sarif", "--sarif"])
        .arg(&file)
        .arg("missing.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for text in [stdout(&out), std::fs::read_to_string(&file).unwrap()] {
        let doc: Value = serde_json::from_str(&text).expect("SARIF is JSON");
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{}\n{}", errors.join("\n"), pretty(&doc));
        let run = &doc["runs"][0];
        assert_eq!(run["results"], serde_json::json!([]));
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(invocation["exitCode"], 2);
        let n = &invocation["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "error");
        assert_eq!(n["descriptor"]["id"], "plangate::read::io");
        assert!(
            n["message"]["text"]
                .as_str()
                .unwrap()
                .contains("missing.json"),
            "{n}"
        );
    }
}

#[test]
fn sarif_of_an_excepted_finding_is_a_suppressed_result() {
    let g = gate("agent-deletes-block");
    let config = g.config(
        "exception \"rebuild\" {\n  rule = \"agent-destroy\"\n  resource_types = [\"terraform_data\"]\n  \
         reason = \"rebuilt from the snapshot\"\n  expires = \"2099-12-31\"\n}\n",
    );
    let (doc, report) = sarif(&g, "excepted", &["--config", &config]);
    let (r, f) = result_of(&doc, &report, "agent-destroy");
    assert_eq!(f["status"], "excepted");
    assert_eq!(r["suppressions"][0]["status"], "accepted");
    // The run lists the configuration's exceptions, as the JSON report does.
    assert_eq!(
        doc["runs"][0]["properties"]["exceptions"],
        report["exceptions"]
    );
}
