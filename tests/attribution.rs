//! Attribution: which commits wrote each destructive change, on histories built
//! at test time with the real git from testdata/attribution/<case> (trees per
//! commit, case.json), and plans made by the real terraform (see regen.sh there).

mod common;

use std::collections::BTreeMap;

use common::cases;
use common::repo::TestRepo;
use plangate::attribution::{self, AuthoredBy, Authorship, Basis, Evidence};
use plangate::git::{Git, RangeRequest};
use plangate::model::Plan;
use plangate::{config, history, input};

struct Case {
    repo: TestRepo,
    /// The commit of each step, in order.
    steps: Vec<String>,
    plans: Vec<Plan>,
    authorship: Vec<BTreeMap<usize, Authorship>>,
}

/// Rebuild a case's history and attribute its plan's destructive changes.
fn case(name: &str) -> Case {
    let dir = cases::case_dir(name);
    let spec = cases::spec(name);
    let (repo, steps) = cases::build(name);
    let plan_file = match spec["changeset"].as_str() {
        Some(cs) => dir.join(cs),
        None => dir.join("plan.json"),
    };
    let plan_rel = format!(
        "{}/{}",
        spec["plan_dir"].as_str().unwrap_or("."),
        plan_file.file_name().unwrap().to_string_lossy()
    )
    .trim_start_matches("./")
    .to_owned();
    let plans = input::read_plans(&[plan_file.display().to_string()])
        .unwrap()
        .plans;
    let git = Git::open(repo.path()).unwrap();
    let config = config::builtin().unwrap();
    let request =
        RangeRequest::new(Some(&steps[0]), Some("HEAD"), &Default::default(), None).unwrap();
    let history = history::read(&git, &request, &config.catalog).unwrap();
    let templates = plans
        .iter()
        .any(|p| p.format == plangate::model::Format::CloudFormation);
    let (diffs, head, base) =
        attribution::gather(&git, &history, &config.attribution, templates, &|_| false).unwrap();
    let evidence = Evidence {
        history: &history,
        diffs: &diffs,
        head: &head,
        base: &base,
        settings: &config.attribution,
        trees: None,
    };
    let authorship = attribution::attribute(&plans, &[Some(plan_rel)], &evidence, &|_, c| {
        c.action.is_destructive()
    });
    Case {
        repo,
        steps,
        plans,
        authorship,
    }
}

impl Case {
    /// The authorship of the destructive change at `address`.
    fn of(&self, address: &str) -> &Authorship {
        let plan = &self.plans[0];
        let index = plan
            .changes
            .iter()
            .position(|c| c.address == address)
            .unwrap_or_else(|| panic!("no change at {address}"));
        self.authorship[0]
            .get(&index)
            .unwrap_or_else(|| panic!("{address} is not attributed"))
    }

    /// The steps (by index) of the commits attributed to `address`.
    fn steps_of(&self, address: &str) -> Vec<usize> {
        self.of(address)
            .commits
            .iter()
            .map(|c| {
                self.steps
                    .iter()
                    .position(|s| *s == c.sha)
                    .expect("a commit of the range")
            })
            .collect()
    }

    fn wrote(&self, address: &str) -> String {
        self.of(address)
            .commits
            .iter()
            .flat_map(|c| c.wrote.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[test]
fn an_agent_commit_deleting_a_resource_block() {
    let c = case("agent-deletes-block");
    let a = c.of("terraform_data.orders_db");
    assert_eq!(c.steps_of("terraform_data.orders_db"), [2]);
    assert_eq!(a.authored_by, AuthoredBy::Agent);
    assert_eq!(a.basis, Basis::Declaration);
    assert_eq!(a.commits[0].agent.as_deref(), Some("claude-code"));
    assert!(c.wrote("terraform_data.orders_db").starts_with(
        "removed resource \"terraform_data\" \"orders_db\" in main.tf (its declaration)"
    ));
    // The block no longer exists at the head: its location is at the base.
    let loc = a.location.as_ref().unwrap();
    assert_eq!(
        (loc.file.as_str(), loc.lines.start, loc.lines.end),
        ("main.tf", 6, 11)
    );
    assert_eq!(loc.rev, c.steps[0]);
    // Only destructive changes are attributed.
    assert_eq!(c.authorship[0].len(), 1);
}

#[test]
fn a_human_commit_changing_what_forces_replacement() {
    let c = case("human-forces-replace");
    assert_eq!(
        c.steps_of("terraform_data.orders_db"),
        [2],
        "not the agent's unrelated commit"
    );
    let a = c.of("terraform_data.orders_db");
    assert_eq!(a.authored_by, AuthoredBy::Human);
    let loc = a.location.as_ref().unwrap();
    assert_eq!(
        (loc.lines.start, loc.lines.end, loc.rev.as_str()),
        (5, 8, c.steps[2].as_str())
    );
}

#[test]
fn an_agent_shrinking_count_through_a_variable_default() {
    let c = case("agent-shrinks-count");
    for address in ["terraform_data.replica[1]", "terraform_data.replica[2]"] {
        assert_eq!(c.steps_of(address), [1]);
        assert_eq!(c.of(address).authored_by, AuthoredBy::Agent);
        assert!(
            c.wrote(address).contains(
                "changed variable \"replicas\" in main.tf (`var.replicas`, which it uses)"
            ),
            "{}",
            c.wrote(address)
        );
    }
}

#[test]
fn a_module_block_removed() {
    let c = case("module-removed");
    for address in [
        "module.queue.terraform_data.queue",
        "module.queue.terraform_data.dead_letters",
    ] {
        assert_eq!(c.steps_of(address), [1]);
        assert_eq!(c.of(address).authored_by, AuthoredBy::Agent);
        let wrote = c.wrote(address);
        assert!(
            wrote.contains(
                "removed module \"queue\" in main.tf (the module call `module.queue` on its path)"
            ),
            "{wrote}"
        );
    }
    let a = c.of("module.queue.terraform_data.queue");
    assert_eq!(a.commits[0].agent.as_deref(), Some("copilot-coding-agent"));
    assert_eq!(a.location.as_ref().unwrap().file, "modules/queue/main.tf");
}

#[test]
fn a_tfvars_value_reaching_a_module_through_inputs_and_locals() {
    let c = case("tfvars-forces-replace");
    let address = "module.db.terraform_data.instance";
    assert_eq!(
        c.steps_of(address),
        [2],
        "not the human's commit documenting `region`"
    );
    assert_eq!(c.of(address).authored_by, AuthoredBy::Agent);
    let wrote = c.wrote(address);
    assert!(
        wrote.contains("changed the value of `db_engine_version` in terraform.tfvars"),
        "{wrote}"
    );
}

#[test]
fn a_rename_with_a_moved_block() {
    let c = case("moved-rename");
    let address = "terraform_data.orders_db";
    assert_eq!(
        c.plans[0].changes[0].previous_address.as_deref(),
        Some("terraform_data.db")
    );
    assert_eq!(c.steps_of(address), [1]);
    assert_eq!(c.of(address).authored_by, AuthoredBy::Agent);
    let wrote = c.wrote(address);
    assert!(wrote.contains("added moved { from = terraform_data.db, to = terraform_data.orders_db } in main.tf, which names it"), "{wrote}");
    assert!(
        wrote.contains("added resource \"terraform_data\" \"orders_db\""),
        "{wrote}"
    );
}

#[test]
fn a_squash_merge_with_an_agent_co_author_mid_body() {
    let c = case("squash-merge");
    let a = c.of("terraform_data.archive");
    assert_eq!(c.steps_of("terraform_data.archive"), [1]);
    assert_eq!(a.authored_by, AuthoredBy::Agent);
    assert_eq!(a.commits[0].agent.as_deref(), Some("amp"));
}

#[test]
fn a_rebased_range_keeps_the_agent_author() {
    let c = case("rebased-range");
    let a = c.of("terraform_data.peering");
    assert_eq!(c.steps_of("terraform_data.peering"), [1]);
    assert_eq!(a.authored_by, AuthoredBy::Agent);
    assert_eq!(a.commits[0].agent.as_deref(), Some("openhands"));
    assert!(a.commits[0].who.evidence[0].starts_with("author openhands <openhands@all-hands.dev>"));
}

#[test]
fn a_clean_merge_owns_nothing_and_an_evil_merge_owns_what_it_changed() {
    let c = case("merges");
    // The merge is a real merge, with both parents.
    let parents = c.repo.git(&["log", "-1", "--format=%P", &c.steps[3]]);
    assert_eq!(parents.split_whitespace().count(), 2);
    // `a` was deleted on the branch, by the agent: not by the merge that brought it in.
    assert_eq!(c.steps_of("terraform_data.a"), [1]);
    assert_eq!(c.of("terraform_data.a").authored_by, AuthoredBy::Agent);
    // `c` was deleted by the merge itself, beyond both parents.
    assert_eq!(c.steps_of("terraform_data.c"), [3]);
    assert_eq!(c.of("terraform_data.c").authored_by, AuthoredBy::Human);
}

#[test]
fn nothing_specific_falls_back_to_every_commit_that_changed_infrastructure() {
    let c = case("replaced-by-request");
    let a = c.of("terraform_data.worker");
    assert_eq!(a.basis, Basis::InfrastructureFiles);
    assert_eq!(
        c.steps_of("terraform_data.worker"),
        [1],
        "the README-only commit is not infrastructure"
    );
    assert_eq!(a.authored_by, AuthoredBy::Agent);
    assert!(
        a.note
            .as_deref()
            .unwrap()
            .contains("attributed to every commit that changed infrastructure files")
    );
    assert_eq!(
        a.commits[0].wrote,
        ["changed infrastructure files: main.tf"]
    );
}

#[test]
fn no_infrastructure_commit_means_unknown_and_the_root_is_found_by_content() {
    let c = case("root-found-by-content");
    let a = c.of("terraform_data.ledger");
    assert_eq!(a.authored_by, AuthoredBy::Unknown);
    assert_eq!(a.basis, Basis::Nothing);
    assert!(a.commits.is_empty());
    let loc = a
        .location
        .as_ref()
        .expect("the block was found in infra/prod");
    assert_eq!(
        (loc.file.as_str(), loc.lines.start),
        ("infra/prod/main.tf", 1)
    );
}

#[test]
fn a_cloudformation_template_edited_by_an_agent() {
    let c = case("cfn-template-agent");
    let table = c.of("OrdersTable");
    assert_eq!(c.steps_of("OrdersTable"), [2]);
    assert_eq!(table.authored_by, AuthoredBy::Agent);
    assert_eq!(table.commits[0].agent.as_deref(), Some("codex"));
    assert!(
        c.wrote("OrdersTable")
            .contains("removed resource `OrdersTable` in stack/template.yaml")
    );
    let loc = table.location.as_ref().unwrap();
    assert_eq!(
        (loc.file.as_str(), loc.lines.start, loc.lines.end),
        ("stack/template.yaml", 16, 26)
    );
    // The bucket is replaced through the parameter default it uses.
    assert_eq!(c.steps_of("ReceiptsBucket"), [2]);
    assert!(
        c.wrote("ReceiptsBucket").contains(
            "changed parameter `Env` in stack/template.yaml (the parameter `Env`, which it uses)"
        ),
        "{}",
        c.wrote("ReceiptsBucket")
    );
}
