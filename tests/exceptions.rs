//! `exception` blocks end to end, on the real plan of
//! testdata/attribution/agent-deletes-block (an agent's commit deletes
//! `terraform_data.orders_db`, which `agent-destroy` holds for 1 approval).

mod common;

use common::cases;
use common::gate::Gate;
use common::{flat, stderr, stdout};
use serde_json::Value;

/// An exception of `agent-destroy` for `addresses`, ending on `expires`.
fn exception(addresses: &str, expires: &str) -> String {
    format!(
        r#"exception "orders-db-rebuild" {{
  rule      = "agent-destroy"
  addresses = [{addresses}]
  reason    = "the database is rebuilt from the nightly snapshot by the migration in #1234"
  expires   = "{expires}"
  agreed_by = ["carol", "@acme/dba"]
}}
"#
    )
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"))
}

#[test]
fn an_exception_waives_its_rule_for_the_addresses_it_names_and_every_report_lists_it() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(&exception("\"terraform_data.orders_*\"", "2099-12-31"));
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 0, "{report}");
    let f = finding(&report, "agent-destroy");
    assert_eq!(f["status"], "excepted");
    assert_eq!(f["exception"], "orders-db-rebuild");
    assert!(f.get("approval").is_none_or(Value::is_null), "{f}");
    assert!(
        f.get("item").is_none(),
        "a waived finding is not in the destructive set: {f}"
    );
    assert_eq!(report["destructive_set"]["items"], 0);
    let listed = &report["exceptions"][0];
    assert_eq!(listed["name"], "orders-db-rebuild");
    assert_eq!(listed["rule"], "agent-destroy");
    assert_eq!(listed["addresses"][0], "terraform_data.orders_*");
    assert_eq!(listed["expires"], "2099-12-31");
    assert_eq!(listed["agreed_by"][1], "@acme/dba");
    assert_eq!(listed["waived"], 1);

    // Human: the finding says what waived it, the exception is listed with its
    // reason and date, the headline counts it.
    let out = g.run(&["--config", &config]);
    let text = flat(&format!("{}{}", stdout(&out), stderr(&out)));
    assert!(
        text.contains("waived by exception orders-db-rebuild"),
        "{text}"
    );
    assert!(
        text.contains("exception orders-db-rebuild (")
            && text.contains("rule agent-destroy for `terraform_data.orders_*` until 2099-12-31, agreed by carol, @acme/dba: the database is rebuilt")
            && text.contains("(1 finding waived)"),
        "{text}"
    );
    assert!(text.contains("0 info, 1 excepted ("), "{text}");
    let summary = std::fs::read_to_string(g.file("summary.md")).unwrap();
    assert!(
        summary.contains("🔓 excepted | `agent-destroy`"),
        "{summary}"
    );
    assert!(
        summary.contains("> 🔓 exception orders-db-rebuild"),
        "{summary}"
    );

    // SARIF marks it suppressed, with the reason; JUnit skips it.
    let out = g.run(&["--format", "sarif", "--config", &config]);
    let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert!(
        result["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("until 2099-12-31: the database is rebuilt"),
        "{result}"
    );
    let out = g.run(&["--format", "junit", "--config", &config]);
    let junit = stdout(&out);
    assert!(junit.contains("skipped=\"1\""), "{junit}");
    assert!(
        junit.contains("<skipped message=\"waived by exception orders-db-rebuild\"/>"),
        "{junit}"
    );
}

#[test]
fn an_exception_for_other_resources_waives_nothing_and_is_still_listed() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(&exception("\"terraform_data.app\"", "2099-12-31"));
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report, "agent-destroy")["status"], "blocked");
    assert_eq!(report["exceptions"][0]["waived"], 0);
    // A resource type that does not match waives nothing either.
    let config = g.config(
        &exception("\"terraform_data.orders_db\"", "2099-12-31").replace(
            "  reason",
            "  resource_types = [\"aws_db_instance\"]\n  reason",
        ),
    );
    let (code, report) = g.check(&["--config", &config]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["exceptions"][0]["waived"], 0);
}

#[test]
fn an_expired_exception_stops_every_run_until_it_is_renewed_or_removed() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(&exception("\"terraform_data.orders_db\"", "2020-01-31"));
    for format in ["human", "json"] {
        let out = g.run(&["--format", format, "--config", &config]);
        assert_eq!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
        let text = flat(&format!("{}{}", stderr(&out), stdout(&out)));
        assert!(
            text.contains("exception \"orders-db-rebuild\" expired on 2020-01-31 (today is"),
            "{format}: {text}"
        );
        // It points at the date: line 5 of the policy.
        assert!(text.contains("policy.hcl:5:"), "{format}: {text}");
    }
    // Yesterday's date is past; today's is still in force.
    let today = plangate::policy::exception::today();
    let yesterday = today.yesterday().unwrap();
    let config = g.config(&exception(
        "\"terraform_data.orders_db\"",
        &yesterday.to_string(),
    ));
    assert_eq!(g.run(&["--config", &config]).status.code(), Some(2));
    let config = g.config(&exception(
        "\"terraform_data.orders_db\"",
        &today.to_string(),
    ));
    assert_eq!(g.run(&["--config", &config]).status.code(), Some(0));
}

#[test]
fn every_problem_of_every_exception_is_reported_at_once() {
    let g = Gate::new("agent-deletes-block");
    let config = g.config(
        r#"exception "no-date" {
  rule      = "agent-destroy"
  addresses = ["terraform_data.orders_db"]
  reason    = "rebuilt"
}
exception "no-reason" {
  rule      = "agent-destroy"
  addresses = ["terraform_data.orders_db"]
  expires   = "2099-01-01"
}
exception "everything" {
  rule    = "agent-destroy"
  reason  = "all of it"
  expires = "2099-01-01"
}
exception "no-such-rule" {
  rule      = "agent-destroys"
  addresses = ["x"]
  reason    = "r"
  expires   = "31/12/2099"
}
exception "files" {
  rule      = "agent-edits-policy"
  addresses = [".plangate.hcl"]
  reason    = "r"
  expires   = "2099-01-01"
}
"#,
    );
    let out = g.run(&["--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    let text = flat(&stderr(&out));
    for expected in [
        "6 problem(s) in the configuration",
        "policy.hcl:1:1: exception \"no-date\" has no `expires`",
        "policy.hcl:6:1: exception \"no-reason\" has no `reason`",
        "policy.hcl:11:1: exception \"everything\" has no `addresses`",
        "to waive a rule everywhere, loosen it with `override = true`",
        "policy.hcl:17:15: unknown rule \"agent-destroys\"",
        "`31/12/2099` is not a date",
        "rule \"agent-edits-policy\" is about edited files",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn a_rule_s_problems_come_in_one_run_not_one_at_a_time() {
    // Each of these used to hide the ones after it until it was fixed.
    let g = Gate::new("agent-deletes-block");
    let config = g.config(
        r#"rule "x" {
  severity = "bogus"
  match {
    actions = ["explode"]
    files   = ["a.tf"]
  }
  require {
    approvals = 1000
    from      = ["not a login"]
  }
}
"#,
    );
    let out = g.run(&["--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    let text = flat(&stderr(&out));
    for expected in [
        "`severity` is \"error\", \"warning\" or \"info\"",
        "rule \"x\" has no `description`",
        "a `match` is about `files` or about planned changes, not both",
        "unknown action \"explode\"",
        "`approvals` is at most 100",
        "\"not a login\" is not a GitHub login",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn an_exception_written_in_the_pull_request_counts_only_once_merged_and_an_agent_s_needs_a_human() {
    let (repo, mut steps) = cases::build("agent-deletes-block");
    let base = steps[0].clone();
    repo.write(
        ".plangate.hcl",
        &exception("\"terraform_data.orders_db\"", "2099-12-31"),
    );
    steps.push(repo.commit(
        ("Claude", "noreply@anthropic.com"),
        "Waive the delete\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
    ));
    let plan = cases::case_dir("agent-deletes-block")
        .join("plan.json")
        .display()
        .to_string();
    let g = Gate::with_history(repo, steps, plan);

    // From the work tree the exception waives the delete, and the agent's
    // edit of the policy is itself held for a human.
    let (code, report) = g.check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report, "agent-destroy")["status"], "excepted");
    assert_eq!(finding(&report, "agent-edits-policy")["status"], "blocked");

    // From the base (what the action does by default), it does not exist yet.
    let (code, report) = g.check(&["--config-ref", &base]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report, "agent-destroy")["status"], "blocked");
    assert!(report.get("exceptions").is_none(), "{report}");
}
