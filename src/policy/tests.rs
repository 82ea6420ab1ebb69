use super::*;
use crate::config::{self, hcl::SourceFile};

fn parse(text: &str) -> Result<crate::config::Config, Vec<String>> {
    config::parse(SourceFile::new(".plangate.hcl", text))
        .map_err(|e| e.errors.iter().map(|e| e.to_string()).collect())
}

#[test]
fn the_built_in_rules_read_and_each_is_documented() {
    let policy = config::builtin().unwrap().policy;
    assert!(policy.rules.len() >= 6);
    for rule in &policy.rules {
        assert!(
            !rule.description.is_empty() && !rule.why.is_empty() && !rule.example.is_empty(),
            "{}",
            rule.id
        );
        assert!(rule.origin.file.starts_with("rules/"), "{}", rule.origin);
        // Shown as plangate's, not as a file of the repository checked.
        assert!(
            rule.origin
                .to_string()
                .starts_with("plangate's built-in rules/"),
            "{}",
            rule.origin
        );
    }
    let own = Origin {
        file: ".plangate.hcl".into(),
        line: 3,
    };
    assert_eq!(own.to_string(), ".plangate.hcl:3");
    let stateful = policy.rule("agent-destroy-stateful").unwrap();
    assert_eq!(stateful.approvals(), 2);
    assert_eq!(policy.rule("agent-destroy").unwrap().approvals(), 1);
    assert_eq!(
        policy.rule("stateful-destroy").unwrap().severity,
        Severity::Warning
    );
    assert_eq!(
        policy.rule("resource-forgotten").unwrap().severity,
        Severity::Info
    );
}

#[test]
fn the_design_example_configuration_reads() {
    let config = parse(
        r#"
team "sre" {
  members = ["alice", "bob", "carol"]
}

agents {
  author_emails = ["*@bots.example.com"]
  trailers      = ["Agent-Session"]
  unverified = "human"
}

rule "agent-replace-database" {
  description = "An agent-written change replaces or destroys a database"
  severity    = "error"
  match {
    actions        = ["delete", "replace"]
    resource_types = ["aws_db_instance", "aws_rds_cluster", "AWS::RDS::*"]
    authored_by    = "agent"
  }
  require {
    approvals = 2
    from      = ["team:sre", "@acme/dba"]
  }
}
"#,
    )
    .unwrap();
    let rule = config.policy.rule("agent-replace-database").unwrap();
    assert_eq!(rule.approvals(), 2);
    assert_eq!(
        rule.require.as_ref().unwrap().from,
        [
            Approver::Team("sre".into()),
            Approver::GitHubTeam {
                org: "acme".into(),
                slug: "dba".into()
            }
        ]
    );
    assert_eq!(rule.origin.to_string(), ".plangate.hcl:12");
    assert!(
        config.policy.warnings.is_empty(),
        "{:?}",
        config.policy.warnings
    );
}

#[test]
fn every_error_is_reported_at_once_with_its_position() {
    let errors = parse(
        r#"rule "Bad_Id" {
  description = "x"
  match {
    actions = ["obliterate"]
    colour  = "red"
    resource_types = ["[unclosed"]
  }
  require {
    approvals = 1
    from = ["team:nobody", "@acme", "not a login"]
  }
}
rule "warns" {
  description = "x"
  severity = "warning"
  match {
    resource_groups = ["nosuch"]
  }
  require {
    approvals = 1
  }
}
"#,
    )
    .unwrap_err();
    let joined = errors.join("\n");
    for expected in [
        ".plangate.hcl:1:6: rule id \"Bad_Id\" must be kebab-case",
        ".plangate.hcl:4:16: unknown action \"obliterate\"",
        ".plangate.hcl:5:5: unknown key `colour` in `match`",
        ".plangate.hcl:6:23: invalid glob in `resource_types`",
        ".plangate.hcl:10:13: unknown team \"nobody\"",
        ".plangate.hcl:10:28: \"@acme\" is not a GitHub team",
        ".plangate.hcl:10:37: \"not a login\" is not a GitHub login",
        ".plangate.hcl:17:24: unknown resource group \"nosuch\"",
        ".plangate.hcl:19:3: a warning cannot require approvals",
    ] {
        assert!(
            joined.contains(expected),
            "missing {expected:?} in:\n{joined}"
        );
    }
}

#[test]
fn tightening_a_built_in_is_free() {
    let config =
        parse("rule \"agent-destroy\" {\n  require {\n    approvals = 3\n  }\n}\n").unwrap();
    let rule = config.policy.rule("agent-destroy").unwrap();
    assert_eq!(rule.approvals(), 3);
    assert!(rule.overrides.is_none());
    assert!(!rule.why.is_empty(), "the built-in's documentation is kept");
    assert!(config.policy.overrides().is_empty());
}

#[test]
fn loosening_a_built_in_needs_an_explicit_override_that_is_reported() {
    let loosen = "rule \"agent-destroy-stateful\" {\n  require {\n    approvals = 1\n  }\n}\n";
    let errors = parse(loosen).unwrap_err();
    assert!(
        errors[0].contains("loosens the built-in rule (approvals 2 → 1)"),
        "{errors:?}"
    );
    let config = parse(&loosen.replace("{\n  require", "{\n  override = true\n  require")).unwrap();
    let overrides = config.policy.overrides();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].what, ["approvals 2 → 1"]);
    assert_eq!(overrides[0].by.to_string(), ".plangate.hcl:1");
}

#[test]
fn disabling_a_built_in_is_an_override() {
    let errors = parse("rule \"stateful-destroy\" {\n  disabled = true\n}\n").unwrap_err();
    assert!(
        errors[0].contains("loosens the built-in rule (disabled)"),
        "{errors:?}"
    );
    let config =
        parse("rule \"stateful-destroy\" {\n  disabled = true\n  override = true\n}\n").unwrap();
    assert!(config.policy.rule("stateful-destroy").is_none());
    assert_eq!(config.policy.overrides()[0].what, ["disabled"]);
}

#[test]
fn a_different_match_on_a_built_in_loosens_it() {
    let errors = parse("rule \"agent-destroy\" {\n  match {\n    actions = [\"delete\"]\n    authored_by = \"agent\"\n  }\n}\n").unwrap_err();
    assert!(errors[0].contains("a different match"), "{errors:?}");
}

#[test]
fn unused_teams_are_warned_about() {
    let config = parse("team \"dba\" {\n  members = [\"zoe\"]\n}\n").unwrap();
    assert!(config.policy.warnings[0].contains("team \"dba\""));
}

#[test]
fn a_pattern_without_metacharacters_matches_as_a_glob_would() {
    // Literal patterns skip the glob compiler; they must agree with it.
    let subjects = [
        "aws_db_instance",
        "aws_db_instance ",
        "AWS_DB_INSTANCE",
        "aws_db_instance.main",
        "module.a/aws_db_instance",
        "",
        "AWS::RDS::DBInstance",
        "a/b",
        "a//b",
        "./a/b",
    ];
    for text in ["aws_db_instance", "AWS::RDS::DBInstance", "a/b", "", "a b"] {
        let pattern = Pattern::new(text).unwrap();
        let glob = globset::GlobBuilder::new(text)
            .literal_separator(false)
            .build()
            .unwrap()
            .compile_matcher();
        for s in subjects {
            assert_eq!(pattern.is_match(s), glob.is_match(s), "{text:?} on {s:?}");
        }
    }
    assert!(
        Pattern::new("aws_db_*")
            .unwrap()
            .is_match("aws_db_instance")
    );
}

#[test]
fn the_approvals_block_reads_and_refuses_what_it_does_not_know() {
    let config = parse(
        "approvals {\n  carry_over = \"same-destructive-set\"\n  record_app = \"plangate-records\"\n}\n",
    )
    .unwrap();
    assert!(config.approvals.carry_over);
    assert_eq!(config.approvals.record_app, "plangate-records");
    assert!(!parse("").unwrap().approvals.carry_over);
    assert_eq!(parse("").unwrap().approvals.record_app, "github-actions");
    // Carry-over reads records, so it writes them; `record` writes them alone.
    assert!(config.approvals.writes_records());
    assert!(!parse("").unwrap().approvals.writes_records());
    let recording = parse("approvals {\n  record = true\n}\n").unwrap();
    assert!(recording.approvals.writes_records() && !recording.approvals.carry_over);
    assert!(
        parse("approvals {\n  record = \"yes\"\n}\n")
            .unwrap_err()
            .join("\n")
            .contains(".plangate.hcl:2:12")
    );
    // The digest follows the text: what a record's findings were found with.
    assert_ne!(parse("").unwrap().digest, recording.digest);
    assert_eq!(parse("").unwrap().digest, parse("").unwrap().digest);
    assert_ne!(
        parse("").unwrap().digest,
        crate::config::builtin().unwrap().digest
    );
    let errors = parse(
        "approvals {\n  carry_over = \"any-approval\"\n  record_app = \"not an app\"\n  window = 3\n}\n",
    )
    .unwrap_err()
    .join("\n");
    for expected in [
        ".plangate.hcl:2:16: unknown carry_over `any-approval`",
        ".plangate.hcl:3:16: `not an app` is not a GitHub App slug",
        ".plangate.hcl:4:3: unknown key `window` in `approvals`",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}

#[test]
fn the_guard_block_reads_and_refuses_what_it_does_not_know() {
    use crate::config::{GuardAnswer, GuardApprovals};
    let config = parse(
        "guard {\n  held = \"ask\"\n  unresolved = \"allow\"\n  commands = [\"terraform-*\"]\n  directories = [\"infra/**\"]\n}\n",
    )
    .unwrap();
    assert_eq!(config.guard.held, GuardAnswer::Ask);
    assert_eq!(config.guard.unresolved, GuardAnswer::Allow);
    assert_eq!(config.guard.commands, ["terraform-*"]);
    assert_eq!(config.guard.directories, ["infra/**"]);
    assert_eq!(parse("").unwrap().guard.held, GuardAnswer::Deny);
    assert_eq!(parse("").unwrap().guard.unresolved, GuardAnswer::Deny);
    assert_eq!(parse("").unwrap().guard.approvals, GuardApprovals::None);
    assert_eq!(
        parse("guard {\n  approvals = \"github\"\n}\n")
            .unwrap()
            .guard
            .approvals,
        GuardApprovals::GitHub
    );
    let errors = parse(
        "guard {\n  held = \"allow\"\n  unresolved = \"maybe\"\n  commands = [\"[\"]\n  when = 1\n  approvals = \"yes\"\n}\n",
    )
    .unwrap_err()
    .join("\n");
    for expected in [
        ".plangate.hcl:2:10: `held` cannot be \"allow\"",
        ".plangate.hcl:3:16: unknown unresolved `maybe`",
        ".plangate.hcl:4:15: `[` is not a glob",
        ".plangate.hcl:5:3: unknown key `when` in `guard`",
        ".plangate.hcl:6:15: unknown approvals `yes`",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}
