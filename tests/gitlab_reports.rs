//! The reports GitLab reads from a job, end to end on pull requests of
//! testdata/attribution (real git, plans by the real terraform): the Code
//! Quality report (`--codequality`, validated against
//! tests/schemas/gitlab-codequality.schema.json and checked for what no schema
//! can say) and JUnit XML (`--junit`, read back as XML and compared with the
//! JSON report of the same run).
//!
//! With `PLANGATE_REPORTS_DIR` set, each document is also written there
//! (`NAME.xml`, `NAME.codequality.json`), for `.ci/run` to validate the JUnit
//! against Jenkins' xunit-plugin `junit-10.xsd`.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;

use common::gate::{Gate, approve};
use common::{stderr, stdout};
use serde_json::Value;

const ANY_DESTROY: &str = "rule \"any-destroy\" {\n  description = \"Any delete or replace\"\n  match {\n    actions = [\"delete\", \"replace\"]\n  }\n  require {\n    approvals = 1\n  }\n}\n";

fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemas/gitlab-codequality.schema.json"
        );
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::draft7::new(&schema).expect("the schema compiles")
    })
}

struct Reports {
    code: i32,
    report: Value,
    codequality: Value,
    junit: String,
}

/// One `check` run writing all three: the JSON report on stdout, the Code
/// Quality report and the JUnit XML to files.
fn reports(g: &Gate, name: &str, args: &[&str]) -> Reports {
    let cq = g.file("codequality.json");
    let junit = g.file("junit.xml");
    let mut all = vec![
        "--format".to_owned(),
        "json".to_owned(),
        "--codequality".to_owned(),
        cq.display().to_string(),
        "--junit".to_owned(),
        junit.display().to_string(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = g.run(&refs);
    let code = out.status.code().unwrap();
    assert_ne!(code, 2, "{}", stderr(&out));
    let codequality_text = std::fs::read_to_string(&cq).unwrap();
    let junit = std::fs::read_to_string(&junit).unwrap();
    if let Some(dir) = std::env::var_os("PLANGATE_REPORTS_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.xml")), &junit).unwrap();
        std::fs::write(
            dir.join(format!("{name}.codequality.json")),
            &codequality_text,
        )
        .unwrap();
    }
    let codequality: Value = serde_json::from_str(&codequality_text).unwrap();
    let errors: Vec<String> = schema()
        .iter_errors(&codequality)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{codequality}");
    common::schemas::validate_text(&stdout(&out));
    Reports {
        code,
        report: serde_json::from_str(&stdout(&out)).unwrap(),
        codequality,
        junit,
    }
}

fn gate(case: &str) -> Gate {
    let mut g = Gate::new(case);
    std::fs::copy(&g.plan, g.repo.file("plan.json")).unwrap();
    g.plan = "plan.json".into();
    g
}

/// Every issue is a finding of the report, in its order, with a fingerprint
/// no other issue has.
fn assert_codequality_facts(r: &Reports) {
    let issues = r.codequality.as_array().unwrap();
    let findings = r.report["findings"].as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let mut fingerprints = HashSet::new();
    for (issue, f) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], f["rule"]);
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()),
            "a repeated fingerprint: {issue}"
        );
        if let Some(item) = f["item"]["id"].as_str() {
            assert_eq!(issue["fingerprint"], item, "the item's id is the issue's");
        }
        let expected = match (
            f["status"].as_str().unwrap(),
            f["severity"].as_str().unwrap(),
        ) {
            ("approved", _) | (_, "info") => "info",
            ("blocked", "error") => "blocker",
            _ => "minor",
        };
        assert_eq!(issue["severity"], expected, "{issue}\n{f}");
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.starts_with("./"), "{path}");
        assert!(
            issue["description"]
                .as_str()
                .unwrap()
                .contains(f["address"].as_str().unwrap())
        );
    }
}

/// The JUnit document says what the report says: a case per finding, a
/// failure per blocked one, named by its rule.
fn assert_junit_facts(r: &Reports) {
    let doc = roxmltree::Document::parse(&r.junit).expect("the JUnit is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let findings = r.report["findings"].as_array().unwrap();
    let blocked: Vec<&Value> = findings
        .iter()
        .filter(|f| f["status"] == "blocked")
        .collect();
    let cases: Vec<roxmltree::Node> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failures: Vec<roxmltree::Node> = root
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    let plans_without = r.report["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !findings.iter().any(|f| f["plan"] == p["path"]))
        .count();
    assert_eq!(cases.len(), findings.len() + plans_without);
    assert_eq!(failures.len(), blocked.len());
    assert_eq!(
        root.attribute("failures"),
        Some(&*blocked.len().to_string())
    );
    assert_eq!(root.attribute("tests"), Some(&*cases.len().to_string()));
    let suites_total: usize = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|s| s.attribute("tests").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(suites_total, cases.len());
    for f in &blocked {
        let name = format!(
            "{}: {} {}",
            f["rule"].as_str().unwrap(),
            f["action"].as_str().unwrap(),
            f["address"].as_str().unwrap()
        );
        let case = cases
            .iter()
            .find(|c| c.attribute("name") == Some(&name))
            .unwrap_or_else(|| panic!("no case {name} in {}", r.junit));
        let failure = case
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("a blocked finding's case fails");
        assert_eq!(failure.attribute("type"), f["rule"].as_str());
    }
    // The job fails exactly when a case does.
    assert_eq!(r.code == 1, !blocked.is_empty());
}

#[test]
fn a_blocked_replace_is_a_blocker_at_its_block_and_a_failing_case() {
    let g = gate("human-forces-replace");
    let config = g.config(ANY_DESTROY);
    let r = reports(&g, "blocked-replace", &["--config", &config]);
    assert_eq!(r.code, 1);
    assert_codequality_facts(&r);
    assert_junit_facts(&r);
    let issue = r
        .codequality
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "any-destroy")
        .unwrap();
    let f = r.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "any-destroy")
        .unwrap();
    // At the declaration at the head, as SARIF points.
    assert_eq!(issue["location"]["path"], f["location"]["file"]);
    assert_eq!(
        issue["location"]["lines"]["begin"],
        f["location"]["lines"]["start"]
    );
}

#[test]
fn an_approved_finding_is_information_and_a_passing_case() {
    let g = gate("human-forces-replace");
    let config = g.config(ANY_DESTROY);
    g.reviews(vec![approve("carol", 41, g.head())]);
    let r = reports(&g, "approved", &["--config", &config]);
    assert_codequality_facts(&r);
    assert_junit_facts(&r);
    assert!(
        r.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["status"] == "approved"),
        "{}",
        r.report
    );
}

#[test]
fn a_deleted_block_points_at_the_plan_and_a_preview_fails_nothing() {
    let g = gate("carry-push-deletes");
    let config = g.config(ANY_DESTROY);
    let r = reports(&g, "deleted-block", &["--config", &config]);
    assert_codequality_facts(&r);
    assert_junit_facts(&r);
    let r = reports(&g, "preview", &["--config", &config, "--preview"]);
    assert_eq!(r.code, 0);
    assert!(!r.junit.contains("<failure"), "{}", r.junit);
    assert!(
        r.codequality
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] != "blocker"),
        "a preview blocks nothing"
    );
}

#[test]
fn an_error_is_still_one_document_of_each_kind() {
    let g = gate("carry-push-deletes");
    let cq = g.file("cq.json");
    let junit = g.file("j.xml");
    let out = g
        .plangate()
        .args(["check", "--format", "junit", "--codequality"])
        .arg(&cq)
        .arg("--junit")
        .arg(&junit)
        .arg("missing.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for text in [stdout(&out), std::fs::read_to_string(&junit).unwrap()] {
        let doc = roxmltree::Document::parse(&text).unwrap();
        let error = doc
            .descendants()
            .find(|n| n.has_tag_name("error"))
            .expect("the problem is a case in error");
        assert_eq!(error.attribute("type"), Some("plangate::read::io"));
        assert!(error.text().unwrap().contains("missing.json"));
    }
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&cq).unwrap()).unwrap();
    assert!(schema().is_valid(&issues), "{issues}");
    assert_eq!(issues[0]["severity"], "blocker");
    assert!(
        issues[0]["description"]
            .as_str()
            .unwrap()
            .contains("missing.json")
    );
}
