//! Secrets never reach any output. Plans hold values in clear (Terraform does
//! not redact sensitive values in plan JSON; a change set described with
//! --include-property-values carries property values and parameters), and the
//! GitHub token is in the environment. Each is planted as a unique string, every
//! command and output format is run, and stdout, stderr, every file written and
//! every request sent to the (mock) GitHub API is searched for each of them.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::gate::{Gate, PULLS, approve};
use common::github::{self, MockGitHub, Reply};
use common::repo::{CLAUDE, HUMAN, TestRepo};
use serde_json::{Value, json};

/// Every value in testdata/terraform/secrets/plan.json (made by the real
/// terraform from main.tf and setup/main.tf there): sensitive and not, new and
/// old, and under keys that look like the plan's structure (`name`, `type`,
/// `address`, `actions`).
const PLAN_SECRETS: &[&str] = &[
    "pgsec-VaultSensitiveYq8Nf3",
    "pgsec-OldVaultRb7Wd2Kp",
    "pgsec-LegacyNameTz4Qm8",
    "pgsec-LegacyPassVx3Hn6",
    "pgsec-OldPlainJc5Ls1",
    "pgsec-PlainNameKw2Zx7",
    "pgsec-PlainTypeMd6Gu9",
    "pgsec-PlainAddressBs3Ye5",
    "pgsec-PlainActionHn8Tc4",
    "pgsec-PlainValueQp1Rv6",
];

/// Values in the change set below: parameters, property values, contexts, tags.
const CHANGE_SET_SECRETS: &[&str] = &[
    "cfnsec-ParamValueKf3Lp8",
    "cfnsec-OldParamValueWd5Mx2",
    "cfnsec-BeforeValueZr7Tq1",
    "cfnsec-AfterValueHy4Bn6",
    "cfnsec-BeforeContextGs9Vc3",
    "cfnsec-AfterContextPj2Xe5",
    "cfnsec-TagValueNm6Ru8",
    "cfnsec-DescriptionQa1Fw4",
];

const TOKEN: &str = "ghs_secretsTestTokenR8t2Y6u4I0o9P7a5";

fn all_secrets() -> impl Iterator<Item = &'static str> {
    PLAN_SECRETS
        .iter()
        .chain(CHANGE_SET_SECRETS)
        .copied()
        .chain([TOKEN])
}

/// Where each secret was found, collected so that one run lists every leak.
#[derive(Default)]
struct Leaks(Vec<String>);

impl Leaks {
    fn scan(&mut self, what: &str, text: &str) {
        for secret in all_secrets() {
            if text.contains(secret) {
                self.0.push(format!("{secret} in {what}"));
            }
        }
    }

    fn scan_output(&mut self, what: &str, out: &Output) {
        self.scan(
            &format!("{what}: stdout"),
            &String::from_utf8_lossy(&out.stdout),
        );
        self.scan(
            &format!("{what}: stderr"),
            &String::from_utf8_lossy(&out.stderr),
        );
    }

    fn assert_none(&self) {
        assert!(self.0.is_empty(), "leaked:\n{}", self.0.join("\n"));
    }
}

fn plan_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform/secrets/plan.json")
        .display()
        .to_string()
}

/// A change set as `aws cloudformation describe-change-set
/// --include-property-values` writes it (synthetic, like every change set
/// here: there is no AWS): a table deleted, a database replaced, a secret's
/// value changed in place.
fn change_set() -> Value {
    let [
        param,
        old_param,
        before,
        after,
        before_ctx,
        after_ctx,
        tag,
        description,
    ] = CHANGE_SET_SECRETS
    else {
        unreachable!()
    };
    json!({
        "ChangeSetName": "plangate-secrets",
        "ChangeSetId": "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/plangate-secrets/0b4c1c4e-6a43-4c55-9d41-7f1c2a1e9d10",
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders/1f0e4a40-0000-11ef-9c1d-0a1b2c3d4e5f",
        "StackName": "orders",
        "Description": description,
        "Parameters": [
            {"ParameterKey": "DbPassword", "ParameterValue": param},
            {"ParameterKey": "Environment", "ParameterValue": "prod"}
        ],
        "Tags": [{"Key": "api-key", "Value": tag}],
        "ExecutionStatus": "AVAILABLE",
        "Status": "CREATE_COMPLETE",
        "IncludeNestedStacks": false,
        "Changes": [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "PolicyAction": "Delete",
                    "Action": "Remove",
                    "LogicalResourceId": "OrdersTable",
                    "PhysicalResourceId": "orders",
                    "ResourceType": "AWS::DynamoDB::Table",
                    "Scope": [],
                    "Details": [],
                    "BeforeContext": format!("{{\"Properties\":{{\"TableName\":\"orders\",\"SSESpecification\":{{\"KMSMasterKeyId\":\"{before_ctx}\"}}}}}}")
                }
            },
            {
                "Type": "Resource",
                "ResourceChange": {
                    "PolicyAction": "ReplaceAndDelete",
                    "Action": "Modify",
                    "LogicalResourceId": "Database",
                    "PhysicalResourceId": "orders-db",
                    "ResourceType": "AWS::RDS::DBInstance",
                    "Replacement": "True",
                    "Scope": ["Properties"],
                    "Details": [
                        {
                            "Target": {
                                "Attribute": "Properties",
                                "Name": "MasterUserPassword",
                                "RequiresRecreation": "Never",
                                "Path": "/Properties/MasterUserPassword",
                                "BeforeValue": old_param,
                                "AfterValue": param,
                                "AttributeChangeType": "Modify"
                            },
                            "Evaluation": "Static",
                            "ChangeSource": "ParameterReference",
                            "CausingEntity": "DbPassword"
                        },
                        {
                            "Target": {
                                "Attribute": "Properties",
                                "Name": "DBInstanceIdentifier",
                                "RequiresRecreation": "Always",
                                "Path": "/Properties/DBInstanceIdentifier",
                                "BeforeValue": "orders-db",
                                "AfterValue": "orders-db-2",
                                "AttributeChangeType": "Modify"
                            },
                            "Evaluation": "Static",
                            "ChangeSource": "DirectModification"
                        }
                    ],
                    "AfterContext": format!("{{\"Properties\":{{\"MasterUserPassword\":\"{after_ctx}\"}}}}")
                }
            },
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "ApiSecret",
                    "PhysicalResourceId": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-AbCdEf",
                    "ResourceType": "AWS::SecretsManager::Secret",
                    "Replacement": "False",
                    "Scope": ["Properties"],
                    "Details": [{
                        "Target": {
                            "Attribute": "Properties",
                            "Name": "SecretString",
                            "RequiresRecreation": "Never",
                            "Path": "/Properties/SecretString",
                            "BeforeValue": before,
                            "AfterValue": after,
                            "AttributeChangeType": "Modify"
                        },
                        "Evaluation": "Static",
                        "ChangeSource": "DirectModification"
                    }]
                }
            }
        ]
    })
}

/// The repository's configuration has no secret in it: everything a finding
/// quotes from the repository (declarations, snippets) is then free of them,
/// and any planted string in an output can only have come from the plans or
/// the environment.
const BASE_TF: &str = "variable \"vault_input\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"terraform_data\" \"vault\" {\n  input            = var.vault_input\n  triggers_replace = \"rotation-1\"\n}\n\nresource \"terraform_data\" \"legacy\" {\n  input = var.legacy\n}\n\nresource \"terraform_data\" \"plain\" {\n  input = var.plain\n}\n";

/// Pull request #7: an agent commit replaces the vault and deletes `legacy`.
fn gate() -> (Gate, String) {
    let repo = TestRepo::new();
    repo.write("main.tf", BASE_TF);
    repo.write("stack/template.yaml", "Resources: {}\n");
    let base = repo.commit(HUMAN, "Vault, legacy and plain");
    repo.write(
        "main.tf",
        &BASE_TF.replace("rotation-1", "rotation-2").replace(
            "resource \"terraform_data\" \"legacy\" {\n  input = var.legacy\n}\n\n",
            "",
        ),
    );
    let head = repo.commit(CLAUDE, "Rotate the vault, drop legacy");
    let g = Gate::with_history(repo, vec![base, head], plan_path());
    let path = g.file("changeset.json");
    std::fs::write(&path, serde_json::to_string_pretty(&change_set()).unwrap()).unwrap();
    let comments = "/repos/acme/infra/issues/7/comments";
    g.gh.route(
        &format!("{comments}?per_page=100"),
        vec![Reply::json(200, json!([]))],
    );
    g.gh.route_method(
        "POST",
        comments,
        vec![Reply::json(
            201,
            json!({"id": 901, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-901"}),
        )],
    );
    (g, path.display().to_string())
}

/// `plangate ARGS` in the pull request's repository, in GitHub Actions, with
/// the step summary and outputs files of the gate's directory.
fn in_actions(g: &Gate, args: &[&str]) -> Output {
    // This file's own token, planted where a leak would show.
    g.plangate()
        .args(args)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .expect("plangate runs")
}

/// Every file the gate's directory holds (reports, summary, outputs), scanned.
fn scan_files(g: &Gate, leaks: &mut Leaks, what: &str) {
    for entry in std::fs::read_dir(g.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // The inputs hold the secrets; what plangate wrote must not.
        if [
            "changeset.json",
            "damaged.json",
            "event.json",
            "reviews.json",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        leaks.scan(&format!("{what}: file {name}"), &text);
    }
}

/// Every request the API server saw: the token only as the Authorization
/// header, to the server's own host; nothing else anywhere.
fn scan_requests(gh: &MockGitHub, leaks: &mut Leaks) {
    let host = gh.url().trim_start_matches("http://").to_owned();
    for r in gh.requests() {
        let what = format!("request {} {}", r.method, r.path);
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{what}"
        );
        assert_eq!(r.header("host"), Some(host.as_str()), "{what}");
        leaks.scan(&format!("{what}: path"), &r.path);
        leaks.scan(&format!("{what}: body"), &r.body);
        for (name, value) in &r.headers {
            if name != "authorization" {
                leaks.scan(&format!("{what}: header {name}"), value);
            }
        }
    }
}

#[test]
fn the_fixtures_hold_the_secrets() {
    let plan = std::fs::read_to_string(plan_path()).unwrap();
    for s in PLAN_SECRETS {
        assert!(plan.contains(s), "{s}");
    }
    let cs = change_set().to_string();
    for s in CHANGE_SET_SECRETS {
        assert!(cs.contains(s), "{s}");
    }
}

#[test]
fn no_secret_in_changes_in_any_format() {
    let (g, change_set) = gate();
    let mut leaks = Leaks::default();
    for format in ["human", "json"] {
        for paths in [
            vec![plan_path()],
            vec![change_set.clone()],
            vec![plan_path(), change_set.clone()],
        ] {
            let mut args = vec!["changes", "--format", format];
            args.extend(paths.iter().map(String::as_str));
            let out = in_actions(&g, &args);
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            leaks.scan_output(&format!("changes {format} {paths:?}"), &out);
        }
    }
    // Standard input too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["changes", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(plan_path()).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    leaks.scan_output("changes -", &out);
    leaks.assert_none();
}

#[test]
fn no_secret_in_check_in_any_format_nor_in_anything_it_writes_or_sends() {
    let (g, change_set) = gate();
    let report = g.file("report.json").display().to_string();
    let sarif = g.file("report.sarif").display().to_string();
    let mut leaks = Leaks::default();
    // Blocked, then approved (the approvers' part of every format).
    for approved in [false, true] {
        if approved {
            g.reviews(vec![
                approve("carol", 41, g.head()),
                approve("erin", 42, g.head()),
            ]);
        }
        for format in ["human", "json", "sarif", "github", "markdown"] {
            let plan = plan_path();
            let args = [
                "check",
                "--format",
                format,
                "--report",
                &report,
                "--sarif",
                &sarif,
                "--comment",
                &plan,
                &change_set,
            ];
            let out = in_actions(&g, &args);
            let code = out.status.code();
            assert_eq!(
                code,
                Some(if approved { 0 } else { 1 }),
                "{format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let what = format!("check {format} (approved: {approved})");
            leaks.scan_output(&what, &out);
            scan_files(&g, &mut leaks, &what);
        }
    }
    // The findings are there to be reported: the run saw the plans.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    common::schemas::validate(common::schemas::Kind::Check, &written);
    let addresses: Vec<&str> = written["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["address"].as_str().unwrap())
        .collect();
    for a in [
        "terraform_data.vault",
        "terraform_data.legacy",
        "OrdersTable",
        "Database",
    ] {
        assert!(addresses.contains(&a), "{a} in {addresses:?}");
    }
    let posted =
        g.gh.requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .count();
    assert_eq!(posted, 10, "a comment per run");

    // Offline and preview: the same report by other roads.
    let reviews = g.file("reviews.json");
    std::fs::write(
        &reviews,
        json!([approve("carol", 41, g.head())]).to_string(),
    )
    .unwrap();
    let event = g.file("event.json").display().to_string();
    for extra in [
        vec!["--preview"],
        vec!["--approvals", reviews.to_str().unwrap(), "--event", &event],
    ] {
        let plan = plan_path();
        let mut args = vec!["check", "--format", "json"];
        args.extend(extra.iter().copied());
        args.extend([plan.as_str(), change_set.as_str()]);
        let out = in_actions(&g, &args);
        assert_ne!(out.status.code(), Some(2), "{extra:?}");
        leaks.scan_output(&format!("check {extra:?}"), &out);
    }
    scan_requests(&g.gh, &mut leaks);
    leaks.assert_none();
}

#[test]
fn no_secret_in_commits_rules_or_explain() {
    let (g, _) = gate();
    let mut leaks = Leaks::default();
    for args in [
        vec!["commits"],
        vec!["commits", "--format", "json"],
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["explain", "agent-destroy"],
        vec!["explain", "no-such-rule"],
    ] {
        let out = in_actions(&g, &args);
        leaks.scan_output(&format!("{args:?}"), &out);
    }
    leaks.assert_none();
}

/// Each occurrence of each secret in `text`: the text cut right after it, and
/// the text broken right after it (so the error's excerpt is next to it).
fn damaged(text: &str, secrets: &[&str], every: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for secret in secrets {
        let found: Vec<usize> = text.match_indices(secret).map(|(i, _)| i).collect();
        assert!(!found.is_empty(), "{secret}");
        for at in found.into_iter().take(if every { usize::MAX } else { 1 }) {
            let end = at + secret.len();
            out.push((format!("{secret}@{at} cut"), text[..end].to_owned()));
            out.push((format!("{secret}@{at} cut in"), text[..end - 3].to_owned()));
            out.push((
                format!("{secret}@{at} broken"),
                format!("{}\" !{}", &text[..end], &text[end + 1..]),
            ));
        }
    }
    out
}

#[test]
fn no_secret_in_the_error_of_a_damaged_plan_or_change_set() {
    let (g, _) = gate();
    let plan = std::fs::read_to_string(plan_path()).unwrap();
    let cs_pretty = serde_json::to_string_pretty(&change_set()).unwrap();
    let cs_line = change_set().to_string();
    let mut leaks = Leaks::default();
    let file = g.file("damaged.json");
    let file_arg = file.display().to_string();
    let mut runs = 0;
    for (text, secrets) in [
        (&plan, PLAN_SECRETS),
        (&cs_pretty, CHANGE_SET_SECRETS),
        (&cs_line, CHANGE_SET_SECRETS),
    ] {
        // Every occurrence for `changes`; the first of each for `check`, which
        // reads the plan the same way before anything else.
        for (what, broken) in damaged(text, secrets, true) {
            std::fs::write(&file, &broken).unwrap();
            let out = in_actions(&g, &["changes", &file_arg]);
            assert_eq!(out.status.code(), Some(2), "{what}");
            leaks.scan_output(&format!("changes, {what}"), &out);
            runs += 1;
        }
        for (what, broken) in damaged(text, secrets, false) {
            std::fs::write(&file, &broken).unwrap();
            for format in ["human", "json", "github"] {
                let out = in_actions(&g, &["check", "--format", format, &file_arg]);
                assert_eq!(out.status.code(), Some(2), "{what}");
                leaks.scan_output(&format!("check {format}, {what}"), &out);
            }
        }
    }
    assert!(runs > 100, "{runs}");
    scan_files(&g, &mut leaks, "after the damaged runs");
    leaks.assert_none();
}

#[test]
fn the_token_is_not_in_an_api_error_that_echoes_it() {
    let (g, _) = gate();
    let reviews = format!("{PULLS}/reviews?per_page=100");
    let mut leaks = Leaks::default();
    for reply in [
        github::error(
            422,
            &format!("Validation Failed: token {TOKEN} is not valid here"),
        ),
        github::error(404, &format!("Not Found (Authorization: Bearer {TOKEN})")),
        Reply::raw(
            400,
            &format!("Bad Request\r\nAuthorization: Bearer {TOKEN}\r\n"),
        ),
        Reply::raw(
            418,
            &format!("{}Authorization: Bearer {TOKEN}", "x".repeat(90)),
        ),
        github::error(500, &format!("upstream said {TOKEN}")),
        github::error(401, &format!("Bad credentials {TOKEN}")),
        Reply::raw(200, &format!("<html>{TOKEN}</html>")),
    ] {
        g.gh.route(&reviews, vec![reply]);
        let out = in_actions(&g, &["check", "--format", "json", &plan_path()]);
        assert_eq!(out.status.code(), Some(2));
        leaks.scan_output("check with an API error", &out);
    }
    // A comment that cannot be posted is reported; the report is the verdict's.
    g.gh.route(&reviews, vec![Reply::json(200, json!([]))]);
    g.gh.route(
        "/repos/acme/infra/issues/7/comments?per_page=100",
        vec![Reply::json(200, json!([]))],
    );
    g.gh.route_method(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        vec![github::error(422, &format!("body rejected for {TOKEN}"))],
    );
    let out = in_actions(&g, &["check", "--comment", &plan_path()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not update its report comment") && stderr.contains("[token]"),
        "{stderr}"
    );
    leaks.scan_output("check --comment with an API error", &out);
    scan_files(&g, &mut leaks, "API errors");
    scan_requests(&g.gh, &mut leaks);
    leaks.assert_none();
}

#[test]
fn the_token_is_never_sent_to_another_host() {
    // A next-page link elsewhere is refused before anything is sent there.
    let (g, _) = gate();
    let elsewhere = MockGitHub::start();
    let next = format!("{}{PULLS}/reviews?per_page=100&page=2", elsewhere.url());
    g.gh.route(
        &format!("{PULLS}/reviews?per_page=100"),
        vec![Reply::json(200, json!([])).with_link(Some(&next), Some(&next))],
    );
    let out = in_actions(&g, &["check", "--format", "json", &plan_path()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::flat(&String::from_utf8_lossy(&out.stderr));
    assert!(stderr.contains("points outside"), "{stderr}");
    assert!(
        elsewhere.requests().is_empty(),
        "the other host heard nothing"
    );
    let mut leaks = Leaks::default();
    leaks.scan_output("check with a foreign link", &out);
    scan_requests(&g.gh, &mut leaks);
    leaks.assert_none();
}
