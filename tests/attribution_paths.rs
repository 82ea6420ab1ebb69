//! Attribution along every path a destroy can take, end to end: each case of
//! testdata/attribution is rebuilt with the real git, its plan (made by the real
//! terraform, see regen.sh there; CloudFormation change sets are synthetic) is
//! placed in the work tree where it was made, and the `plangate` binary checks
//! it. The decoy cases put a human's innocent edit of the resource's own block
//! beside the agent commit that really caused the destroy: both must be named,
//! and the change is the agent's.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::cases;
use common::repo::TestRepo;
use serde_json::Value;

/// The rule every test configuration has: every destructive change is a finding.
const RULE: &str = "every-destroy";

const CATCH_ALL: &str = r#"
rule "every-destroy" {
  description = "Every destructive change, so that the tests see its attribution"
  severity    = "info"
  match {
    actions = ["delete", "replace", "forget"]
  }
}
"#;

struct Case {
    name: &'static str,
    repo: TestRepo,
    /// The commit of each step, in order.
    steps: Vec<String>,
    /// The `check --format json` report.
    report: Value,
}

/// Rebuild the case's history, place its plan and run `plangate check` on it.
fn case(name: &'static str) -> Case {
    let (repo, steps) = cases::build(name);
    let plan = cases::place_plan(name, &repo);
    let own = cases::case_dir(name).join("plangate.hcl");
    let config: PathBuf = if own.exists() {
        own
    } else {
        let path = repo.path().join(".git/plangate-test.hcl");
        std::fs::write(&path, CATCH_ALL).unwrap();
        path
    };
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args([
            "check",
            "--base",
            &steps[cases::base(name)],
            "--head",
            "HEAD",
        ])
        .arg("--preview")
        .args(["--format", "json", "--config"])
        .arg(&config)
        .arg(&plan)
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .expect("plangate runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: plangate exited {:?} without a JSON report ({e}):\n{}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: --preview exits 0 unless something could not be decided: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::schemas::validate(common::schemas::Kind::Check, &report);
    Case {
        name,
        repo,
        steps,
        report,
    }
}

impl Case {
    /// The catch-all rule's finding at `address`.
    fn finding(&self, address: &str) -> &Value {
        let findings = self.report["findings"].as_array().expect("findings[]");
        let mut of = findings
            .iter()
            .filter(|f| f["rule"] == RULE && f["address"] == address);
        let finding = of.next().unwrap_or_else(|| {
            let all: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {}", f["rule"], f["address"]))
                .collect();
            panic!("{}: no finding at {address}; findings: {all:?}", self.name)
        });
        assert!(of.next().is_none(), "{}: {address} twice", self.name);
        finding
    }

    /// The steps (by index) of the commits attributed to `address`, sorted.
    fn steps_of(&self, address: &str) -> Vec<usize> {
        let mut steps: Vec<usize> = self.finding(address)["commits"]
            .as_array()
            .expect("commits[]")
            .iter()
            .map(|c| {
                let sha = c["sha"].as_str().unwrap();
                self.steps
                    .iter()
                    .position(|s| s == sha)
                    .unwrap_or_else(|| panic!("{}: {sha} is no step's commit", self.name))
            })
            .collect();
        steps.sort_unstable();
        steps
    }

    fn authored_by(&self, address: &str) -> &str {
        self.finding(address)["authored_by"].as_str().unwrap()
    }

    /// What the report says about the finding, for failure messages.
    fn why(&self, address: &str) -> String {
        let f = self.finding(address);
        let wrote: Vec<&Value> = f["commits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| &c["wrote"])
            .collect();
        format!(
            "{}: {address}: basis {}, note {}, wrote {}",
            self.name,
            f["basis"],
            f["note"],
            serde_json::to_string(&wrote).unwrap()
        )
    }

    /// What the commits attributed to `address` wrote mentions `text`.
    fn assert_wrote(&self, address: &str, text: &str) {
        let why = self.why(address);
        assert!(why.contains(text), "{why}");
    }

    /// `address` is attributed to exactly `steps`, and authored by `by`.
    fn assert(&self, address: &str, steps: &[usize], by: &str) {
        assert_eq!(self.steps_of(address), steps, "{}", self.why(address));
        assert_eq!(self.authored_by(address), by, "{}", self.why(address));
    }
}

// ---------------------------------------------------------------------------
// The harness itself, on cases attributed today
// ---------------------------------------------------------------------------

#[test]
fn the_harness_reads_an_agent_deleting_a_block() {
    let c = case("agent-deletes-block");
    c.assert("terraform_data.orders_db", &[2], "agent");
    assert_eq!(
        c.finding("terraform_data.orders_db")["basis"],
        "declaration"
    );
}

#[test]
fn the_harness_reads_a_human_forcing_a_replacement() {
    let c = case("human-forces-replace");
    c.assert("terraform_data.orders_db", &[2], "human");
}

// ---------------------------------------------------------------------------
// Decoys: a human edits the block, an agent causes the destroy elsewhere
// ---------------------------------------------------------------------------

#[test]
fn decoy_replace_triggered_by_a_resource() {
    let c = case("decoy-replace-triggered-by");
    let reasons = &c.finding("terraform_data.app")["reasons"];
    assert_eq!(reasons, &serde_json::json!(["replace_by_triggers"]));
    c.assert("terraform_data.app", &[1, 2], "agent");
}

#[test]
fn decoy_replace_triggered_by_an_attribute() {
    let c = case("decoy-triggered-by-attribute");
    c.assert("terraform_data.app", &[1, 2], "agent");
}

#[test]
fn decoy_resource_reference_in_triggers_replace() {
    let c = case("decoy-resource-reference");
    c.assert("terraform_data.app", &[1, 2], "agent");
}

#[test]
fn decoy_module_output() {
    let c = case("decoy-module-output");
    c.assert("terraform_data.app", &[1, 2], "agent");
}

#[test]
fn decoy_json_file_read_with_file() {
    let c = case("decoy-file-json");
    c.assert("terraform_data.db", &[1, 2], "agent");
}

#[test]
fn decoy_templatefile() {
    let c = case("decoy-templatefile");
    c.assert("terraform_data.web", &[1, 2], "agent");
}

#[test]
fn decoy_fileset_of_scripts() {
    let c = case("decoy-fileset");
    c.assert("terraform_data.worker", &[1, 2], "agent");
}

#[test]
fn decoy_yamldecode_for_each_key() {
    let c = case("decoy-yamldecode-foreach");
    c.assert(r#"terraform_data.site["shop"]"#, &[1, 2], "agent");
}

#[test]
fn decoy_file_read_inside_a_module() {
    let c = case("decoy-file-in-module");
    c.assert("module.iam.terraform_data.policy", &[1, 2], "agent");
}

#[test]
fn decoy_file_at_a_variable_path() {
    let c = case("decoy-file-variable-path");
    c.assert("terraform_data.policy", &[1, 2], "agent");
}

#[test]
fn a_real_squash_merge_keeps_the_agent_trailer() {
    let c = case("squash-merge-real");
    // git's own squash message, as the commit has it.
    let message = c.repo.git(&["log", "-1", "--format=%B", &c.steps[3]]);
    assert!(
        message.starts_with("Squashed commit of the following:"),
        "{message}"
    );
    assert!(
        message.contains("    Co-authored-by: Claude <noreply@anthropic.com>"),
        "{message}"
    );
    c.assert("terraform_data.archive", &[3], "agent");
    let commit = &c.finding("terraform_data.archive")["commits"][0];
    assert_eq!(
        commit["class"],
        "agent",
        "{}",
        c.why("terraform_data.archive")
    );
}

#[test]
fn decoy_cloudformation_condition() {
    let c = case("decoy-cfn-condition");
    c.assert("OrdersTable", &[1, 2], "agent");
}

#[test]
fn decoy_cloudformation_mapping() {
    let c = case("decoy-cfn-mapping");
    c.assert("OrdersTable", &[1, 2], "agent");
}

#[test]
fn decoy_cloudformation_if() {
    let c = case("decoy-cfn-if");
    c.assert("SharedFiles", &[1, 2], "agent");
}

// ---------------------------------------------------------------------------
// Precision: only the commits that caused it
// ---------------------------------------------------------------------------

#[test]
fn for_each_keys_removed_by_two_commits() {
    let c = case("foreach-two-keys");
    c.assert(r#"terraform_data.x["a"]"#, &[1], "human");
    c.assert(r#"terraform_data.x["b"]"#, &[2], "agent");
}

#[test]
fn a_removed_block_is_not_its_variables_doing() {
    let c = case("removed-block-precise");
    c.assert("terraform_data.cache", &[2], "agent");
    assert_eq!(c.finding("terraform_data.logs")["action"], "forget");
    c.assert("terraform_data.logs", &[2], "agent");
}

#[test]
fn an_unparsable_version_of_another_file_is_not_blamed() {
    let c = case("unparsable-version");
    c.assert("terraform_data.a", &[2], "agent");
}

#[test]
fn terragrunt_env_tfvars_of_the_planned_environment_only() {
    let c = case("terragrunt-env-tfvars");
    c.assert("terraform_data.cache[0]", &[2], "agent");
}

#[test]
fn plan_var_files_from_the_configuration() {
    let c = case("plan-var-files");
    c.assert("terraform_data.reports[0]", &[1], "agent");
}

#[test]
fn a_stack_block_picks_the_template_among_twins() {
    let c = case("twin-templates-stack");
    c.assert("OrdersTable", &[2], "agent");
}

#[test]
fn a_cloudformation_parameter_value_in_a_parameter_file() {
    let c = case("cfn-parameter-value");
    c.assert("ReceiptsBucket", &[1, 2], "agent");
}

// ---------------------------------------------------------------------------
// Paths outside the configuration: the plan's reason is the check
// ---------------------------------------------------------------------------

/// The agent shrank a count with `-var` in the workflow that makes the plan:
/// no declaration changed, but the workflow names the variable. Evaluating
/// the count from the repository alone would clear the agent (the default is
/// unchanged), so an evaluation that disagrees with the plan at the head may
/// clear no one.
#[test]
fn decoy_a_variable_passed_where_terraform_runs() {
    let c = case("decoy-workflow-var");
    for address in ["terraform_data.replica[1]", "terraform_data.replica[2]"] {
        c.assert(address, &[1, 2], "agent");
        let wrote = c.why(address);
        assert!(
            wrote.contains(".github/workflows/plan.yml, where terraform runs"),
            "{wrote}"
        );
    }
}

/// A replacement the change set pins on a parameter whose value changed in a
/// parameter file no `stack` block names: a value in any parameter file
/// counts, so the agent's edit of cfn/prod-params.json is found beside the
/// human's tag edit.
#[test]
fn a_parameter_value_in_a_file_no_stack_block_names() {
    let c = case("cfn-parameter-outside");
    c.assert("OrdersTable", &[1, 2], "agent");
    let wrote = c.why("OrdersTable");
    assert!(
        wrote.contains("changed the value of parameter `Env` in cfn/prod-params.json"),
        "{wrote}"
    );
}

// ---------------------------------------------------------------------------
// The red team's misses, kept: each path once attributed to the human alone
// ---------------------------------------------------------------------------

/// CI runs `make plan`, whose recipe sets `TF_VAR_db_version`: the agent's
/// edit of the Makefile replaced the database, beside a human documenting the
/// variable. A `TF_VAR_` in any file is where terraform runs.
#[test]
fn a_tf_var_set_in_a_makefile() {
    let c = case("makefile-tf-var");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed Makefile, where terraform runs",
    );
}

/// The workflow sets `TF_VAR_db_version: ${{ env.DB_MAJOR }}`: the agent
/// changed only the `DB_MAJOR` line, which names no variable.
#[test]
fn a_workflow_env_key_a_tf_var_reads() {
    let c = case("workflow-env-indirection");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed .github/workflows/plan.yml, where terraform runs",
    );
}

/// A `templatefile()` template that itself calls `file("versions/db.txt")`:
/// the agent's edit of the file it reads is linked, not only the human's
/// blank line in the template.
#[test]
fn a_file_a_template_reads() {
    let c = case("template-reads-file");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed versions/db.txt (which it reads with a file function)",
    );
}

/// `app/` reads `network/`'s output through `terraform_remote_state`; the
/// agent changed the output, the human added `defaults` to the data block.
#[test]
fn an_output_read_through_remote_state() {
    let c = case("remote-state-output");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed infrastructure files: network/main.tf",
    );
}

/// A human makes `modules/app` a symbolic link to `modules/app-v1`; the agent
/// deletes a resource from `modules/app-v1/main.tf`, what terraform reads
/// through the link.
#[test]
fn a_module_directory_behind_a_symbolic_link() {
    let c = case("symlinked-module-dir");
    let link = c.repo.git(&["ls-tree", &c.steps[1], "modules/app"]);
    assert!(link.starts_with("120000 "), "a link in git: {link}");
    c.assert("module.app.terraform_data.queue", &[1, 2], "agent");
    c.assert_wrote(
        "module.app.terraform_data.queue",
        "modules/app is a symbolic link to it",
    );
}

/// `-var-file=../common/common.tfvars` in the workflow, in a directory that
/// also holds a `.tf` file: the var file is the plan's all the same.
#[test]
fn a_var_file_beside_another_directory_tf_file() {
    let c = case("var-file-beside-tf");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed the value of `db_version` in infra/common/common.tfvars",
    );
}

/// `-var-file=env/prod.vars`: any name is a var file when terraform is
/// given it.
#[test]
fn a_var_file_with_any_extension() {
    let c = case("var-file-any-extension");
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed env/prod.vars (a var file given with -var-file",
    );
}

/// YAML 1.1: `yamldecode` reads the key `no` (Norway) as `false`. The agent
/// removed `no`, deleting `site["false"]`; an evaluation that read the string
/// "no" would clear the agent at every revision.
#[test]
fn a_yaml_norway_key_is_false() {
    let c = case("yaml-norway-key");
    c.assert(r#"terraform_data.site["false"]"#, &[1, 2], "agent");
    c.assert_wrote(r#"terraform_data.site["false"]"#, "changed countries.yaml");
}

/// A module variable with `nullable = false` that its caller sets to null
/// takes its default: the agent removed `beta` from the default.
#[test]
fn a_null_input_to_a_non_nullable_variable_takes_the_default() {
    let c = case("nullable-false-default");
    c.assert(
        r#"module.sites.terraform_data.site["beta"]"#,
        &[1, 2],
        "agent",
    );
    c.assert_wrote(
        r#"module.sites.terraform_data.site["beta"]"#,
        "`var.extra`, which it uses",
    );
}

/// `-replace=terraform_data.db` added to `scripts/plan.sh` (what CI runs):
/// the script that runs terraform is among the files a request widens to.
#[test]
fn a_replace_flag_in_a_script() {
    let c = case("replace-flag-in-script");
    assert_eq!(
        c.finding("terraform_data.db")["reasons"],
        serde_json::json!(["replace_by_request"])
    );
    c.assert("terraform_data.db", &[1, 2], "agent");
    c.assert_wrote(
        "terraform_data.db",
        "changed files that run terraform: scripts/plan.sh",
    );
}

/// The agent merges a branch that forked before the base and resolves
/// `main.tf` to the branch's side, dropping the cache: the merge's tree
/// equals a parent's, and no commit of the range deleted the block, but the
/// merge changed it against its first parent.
#[test]
fn an_evil_merge_that_takes_one_side() {
    let c = case("evil-merge-takes-a-side");
    c.assert("terraform_data.cache", &[1, 3], "agent");
    c.assert_wrote(
        "terraform_data.cache",
        "a merge that changed, against its first parent, main.tf",
    );
}

/// A human moves the block verbatim from `main.tf` to `db.tf`; the agent
/// changes the local that forces the replacement. The move changed nothing:
/// only the agent.
#[test]
fn a_block_moved_between_files_is_not_blamed() {
    let c = case("block-moved-between-files");
    c.assert("terraform_data.db", &[2], "agent");
    c.assert_wrote("terraform_data.db", "changed local.v in main.tf");
}

/// A replacement pinned on parameter `Env`, whose value the agent changed in
/// `cfn/prod-params.json`; the human's Description on the parameter's
/// declaration does not explain it away.
#[test]
fn a_parameter_value_beside_an_edit_of_its_declaration() {
    let c = case("cfn-parameter-file-decoy");
    c.assert("OrdersTable", &[1, 2], "agent");
    c.assert_wrote(
        "OrdersTable",
        "changed the value of parameter `Env` in cfn/prod-params.json",
    );
}

/// A CDK app (the template is synthesized, not committed): the agent removes
/// the table from `lib/orders-stack.ts`, the human edits `cdk.json`.
#[test]
fn a_cdk_app_source_when_no_template_declares_the_resource() {
    let c = case("cdk-app-code");
    c.assert("OrdersTable", &[1, 2], "agent");
    c.assert_wrote("OrdersTable", "changed lib/orders-stack.ts (the CDK app");
}

/// A committed cloud assembly: three synthesized templates declare
/// `OrdersTable`; `cdk.out/manifest.json` (made by the real CDK, see the case's
/// synth.sh) maps the change set's stack Blue to Blue.template.json, so the
/// human's edit of Green's table is not the cause.
#[test]
fn a_cdk_cloud_assembly_names_the_stacks_template() {
    let c = case("cdk-assembly-manifest");
    c.assert("OrdersTable", &[2], "agent");
    c.assert_wrote("OrdersTable", "Blue.template.json");
}

/// The table's properties come from `snippets/orders-table.yaml` through
/// `Fn::Transform: AWS::Include`: the agent renames the table there, the
/// human edits the tags in the template.
#[test]
fn an_aws_include_snippet_a_resource_reads() {
    let c = case("cfn-include-snippet");
    c.assert("OrdersTable", &[1, 2], "agent");
    c.assert_wrote(
        "OrdersTable",
        "changed snippets/orders-table.yaml (a snippet its AWS::Include transform reads)",
    );
}

/// `each.value` is what the block's own `for_each` holds: a replacement forced
/// by `triggers_replace = each.value.revision` follows the for_each into the
/// JSON file it decodes, where the agent bumped the revision.
#[test]
fn decoy_each_value_of_a_for_each_read_from_a_file() {
    let c = case("decoy-each-value");
    c.assert(r#"terraform_data.site["beta"]"#, &[1, 2], "agent");
    let wrote = c.why(r#"terraform_data.site["beta"]"#);
    assert!(wrote.contains("changed sites.json"), "{wrote}");
}

/// The for_each map is set in `terraform.tfvars`, which Terraform loads by
/// itself and so does the evaluator: each deleted key goes to the commit that
/// removed it.
#[test]
fn for_each_keys_removed_from_terraform_tfvars_by_two_commits() {
    let c = case("tfvars-two-keys");
    c.assert(r#"terraform_data.database["alpha"]"#, &[1], "human");
    c.assert(r#"terraform_data.database["beta"]"#, &[2], "agent");
}

/// A module that calls itself (Terraform refuses it, so the plan here is
/// written by hand, as an attacker could): following its outputs stops at a
/// depth and widens, with no stack overflow and no exit 2.
#[test]
fn a_module_that_calls_itself_widens_and_ends() {
    let repo = TestRepo::new();
    repo.write(
        "main.tf",
        "module \"self\" {\n  source = \"./\"\n}\n\noutput \"v\" {\n  value = module.self.v\n}\n\n\
         resource \"terraform_data\" \"a\" {\n  triggers_replace = module.self.v\n}\n",
    );
    let base = repo.commit(common::repo::HUMAN, "A module calling itself");
    repo.write(
        "main.tf",
        "module \"self\" {\n  source = \"./\"\n}\n\noutput \"v\" {\n  value = module.self.v\n}\n\n\
         resource \"terraform_data\" \"a\" {\n  triggers_replace = [module.self.v]\n}\n",
    );
    repo.commit(common::repo::CLAUDE, "Wrap it");
    let plan = repo.path().join(".git/plangate-plan.json");
    std::fs::write(
        &plan,
        r#"{"format_version":"1.2","terraform_version":"1.11.4","errored":false,
            "resource_changes":[{"address":"terraform_data.a","mode":"managed",
            "type":"terraform_data","name":"a","provider_name":"terraform.io/builtin/terraform",
            "change":{"actions":["delete","create"],"before":{},"after":{},
            "replace_paths":[["triggers_replace"]]},
            "action_reason":"replace_because_cannot_update"}],
            "configuration":{"root_module":{"resources":[{"address":"terraform_data.a"}],
            "module_calls":{"self":{"source":"./"}}}}}"#,
    )
    .unwrap();
    let config = repo.path().join(".git/plangate-test.hcl");
    std::fs::write(&config, CATCH_ALL).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["check", "--base", &base, "--head", "HEAD", "--preview"])
        .args(["--format", "json", "--config"])
        .arg(&config)
        .arg(&plan)
        .current_dir(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::schemas::validate(common::schemas::Kind::Check, &report);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == RULE)
        .unwrap();
    assert_eq!(f["authored_by"], "agent");
    assert!(
        f["note"].as_str().unwrap().contains("nest deeper than"),
        "{f}"
    );
}

/// The plan deletes a resource for want of configuration, yet no commit of the
/// range removed its block: a human only edited it, and the agent changed the
/// workflow that runs terraform. An edit of the block is no explanation of
/// its removal, so attribution widens and the agent's commit is named. (The
/// plan is written by hand: the head still declares the block at the root,
/// and CI plans another directory, `elsewhere/`, which declares nothing; a
/// plan of the root itself would not be the head's, and is refused.)
#[test]
fn an_edit_of_a_deleted_block_does_not_explain_its_removal() {
    let repo = TestRepo::new();
    repo.write(
        "main.tf",
        "resource \"terraform_data\" \"db\" {\n  input = \"a\"\n}\n",
    );
    repo.write("elsewhere/main.tf", "terraform {}\n");
    repo.write(".github/workflows/plan.yml", "on: push\njobs: {}\n");
    let base = repo.commit(common::repo::HUMAN, "Database");
    repo.write(
        "main.tf",
        "resource \"terraform_data\" \"db\" {\n  input = \"b\"\n}\n",
    );
    repo.commit(common::repo::HUMAN, "Rename the input");
    repo.write(
        ".github/workflows/plan.yml",
        "on: push\njobs:\n  plan:\n    steps:\n      - run: terraform plan -chdir=elsewhere\n",
    );
    repo.commit(common::repo::CLAUDE, "Plan from elsewhere");
    let plan = repo.path().join("elsewhere/plan.json");
    let text = r#"{"format_version":"1.2","terraform_version":"1.11.4","errored":false,
            "resource_changes":[{"address":"terraform_data.db","mode":"managed",
            "type":"terraform_data","name":"db","provider_name":"terraform.io/builtin/terraform",
            "change":{"actions":["delete"],"before":{},"after":null},
            "action_reason":"delete_because_no_resource_config"}],
            "configuration":{"root_module":{}}}"#;
    // Planned at the root, the plan would not be the head's: exit 2.
    let at_root = repo.path().join(".git/plangate-plan.json");
    std::fs::write(&at_root, text).unwrap();
    std::fs::write(&plan, text).unwrap();
    let config = repo.path().join(".git/plangate-test.hcl");
    std::fs::write(&config, CATCH_ALL).unwrap();
    let check = |plan: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_plangate"))
            .args(["check", "--base", &base, "--head", "HEAD", "--preview"])
            .args(["--format", "json", "--config"])
            .arg(&config)
            .arg(plan)
            .current_dir(repo.path())
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_EVENT_PATH")
            .output()
            .unwrap()
    };
    let refused = check(&at_root);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("terraform_data.db (only at the head)"),
        "{err}"
    );
    let out = check(&plan);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::schemas::validate(common::schemas::Kind::Check, &report);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == RULE)
        .unwrap();
    assert_eq!(f["authored_by"], "agent", "{f}");
    assert_eq!(f["basis"], "infrastructure-files", "{f}");
    assert_eq!(f["commits"].as_array().unwrap().len(), 2, "{f}");
}
