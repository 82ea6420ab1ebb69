//! What the Terraform reader must get right, one claim per test, on the real
//! plans under testdata/terraform (made by terraform 1.11; see regen.sh there).

mod common;

use plangate::input::read_plans;
use plangate::model::{Action, Change, Gap, Note, Plan, Reason, ReplaceOrder};

fn plan(case: &str) -> Plan {
    let path = format!("testdata/terraform/{case}/plan.json");
    let mut reading = read_plans(&[path]).expect("fixture reads");
    assert_eq!(reading.plans.len(), 1);
    reading.plans.remove(0)
}

fn find<'a>(plan: &'a Plan, address: &str) -> Vec<&'a Change> {
    plan.changes
        .iter()
        .filter(|c| c.address == address)
        .collect()
}

fn reason(r: &str) -> Reason {
    Reason::ActionReason(r.to_owned())
}

#[test]
fn replace_carries_its_reason_and_the_attribute_that_forces_it() {
    let p = plan("replace-cannot-update");
    let [c] = find(&p, "terraform_data.app")[..] else {
        panic!()
    };
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.reasons, [reason("replace_because_cannot_update")]);
    assert_eq!(c.forced_by, ["triggers_replace"]);
    assert_eq!(c.replace_order, Some(ReplaceOrder::DestroyBeforeCreate));
}

#[test]
fn create_before_destroy_is_a_replace_too() {
    let p = plan("replace-create-before-destroy");
    let [c] = find(&p, "terraform_data.app")[..] else {
        panic!()
    };
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replace_order, Some(ReplaceOrder::CreateBeforeDestroy));
}

#[test]
fn every_replace_reason_is_kept() {
    for (case, why) in [
        ("replace-by-request", "replace_by_request"),
        ("replace-by-triggers", "replace_by_triggers"),
        ("replace-tainted", "replace_because_tainted"),
    ] {
        let p = plan(case);
        let replaced: Vec<&Change> = p
            .changes
            .iter()
            .filter(|c| c.action == Action::Replace)
            .collect();
        assert_eq!(replaced.len(), 1, "{case}");
        assert_eq!(replaced[0].reasons, [reason(why)], "{case}");
    }
}

#[test]
fn every_delete_reason_is_kept() {
    for (case, why, count) in [
        (
            "delete-no-resource-config",
            "delete_because_no_resource_config",
            1,
        ),
        ("delete-count-index", "delete_because_count_index", 2),
        ("delete-each-key", "delete_because_each_key", 1),
        (
            "delete-wrong-repetition",
            "delete_because_wrong_repetition",
            2,
        ),
        ("delete-no-module", "delete_because_no_module", 1),
        ("module-removed", "delete_because_no_resource_config", 1),
        ("moved-no-target", "delete_because_no_move_target", 1),
    ] {
        let p = plan(case);
        let deleted: Vec<&Change> = p
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .collect();
        assert_eq!(deleted.len(), count, "{case}");
        assert!(deleted.iter().all(|c| c.reasons == [reason(why)]), "{case}");
    }
}

#[test]
fn a_deposed_object_is_a_second_change_at_the_same_address() {
    let p = plan("deposed");
    let at = find(&p, "terraform_data.server");
    assert_eq!(at.len(), 2);
    let deposed: Vec<_> = at.iter().filter(|c| c.deposed.is_some()).collect();
    assert_eq!(deposed.len(), 1);
    assert_eq!(deposed[0].action, Action::Delete);
    assert_eq!(deposed[0].deposed.as_ref().unwrap().len(), 8);
}

#[test]
fn a_pure_move_is_not_destructive_but_a_move_without_target_is() {
    let p = plan("moved");
    assert!(p.destructive().next().is_none());
    let [c] = find(&p, "terraform_data.new_name")[..] else {
        panic!()
    };
    assert_eq!(
        c.previous_address.as_deref(),
        Some("terraform_data.old_name")
    );
    let p = plan("moved-no-target");
    let [c] = find(&p, "terraform_data.new_name")[..] else {
        panic!()
    };
    assert_eq!(c.action, Action::Delete);
    assert!(c.previous_address.is_some());
}

#[test]
fn forget_is_its_own_destructive_action() {
    let p = plan("forget");
    let [c] = find(&p, "terraform_data.legacy")[..] else {
        panic!()
    };
    assert_eq!(c.action, Action::Forget);
    assert!(c.action.is_destructive());
}

#[test]
fn importing_makes_an_import_with_or_without_an_update() {
    let p = plan("import");
    assert_eq!(p.changes.len(), 2);
    assert!(p.changes.iter().all(|c| c.action == Action::Import));
}

#[test]
fn data_source_reads_are_marked_and_keep_their_reasons() {
    let p = plan("data-read");
    let reads: Vec<&Change> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Read)
        .collect();
    assert!(!reads.is_empty());
    assert!(reads.iter().all(|c| c.data_source));
    let mut why: Vec<String> = reads.iter().map(|c| c.reasons[0].to_string()).collect();
    why.sort();
    why.dedup();
    assert_eq!(
        why,
        [
            "read_because_check_nested",
            "read_because_config_unknown",
            "read_because_dependency_pending"
        ]
    );
}

#[test]
fn a_destroy_plan_deletes_everything_without_reasons() {
    let p = plan("destroy-mode");
    assert!(p.changes.len() >= 2);
    assert!(
        p.changes
            .iter()
            .all(|c| c.action == Action::Delete && c.reasons.is_empty())
    );
}

#[test]
fn drift_is_not_a_planned_change() {
    // The refresh-only fixture has drift (a move) but no resource_changes.
    assert!(plan("refresh-only").changes.is_empty());
}

#[test]
fn errored_plans_carry_a_gap_and_targeted_plans_a_note() {
    let p = plan("errored");
    assert_eq!(p.gaps, [Gap::Errored]);
    let p = plan("targeted");
    assert!(p.gaps.is_empty());
    assert_eq!(p.notes, [Note::Incomplete]);
    assert!(plan("create").gaps.is_empty() && plan("create").notes.is_empty());
}

#[test]
fn module_addresses_with_awkward_keys_are_kept_exactly() {
    let p = plan("modules-nested");
    for address in [
        r#"module.a["quote\"key"].terraform_data.tag["back\\slash"]"#,
        r#"module.a["ünïcødé-ключ"].module.b[1].terraform_data.c"#,
        r#"module.a["module.fake.terraform_data.x"].module.b[0].terraform_data.c"#,
        r#"terraform_data.weird["0"]"#,
    ] {
        assert_eq!(find(&p, address).len(), 1, "{address}");
    }
}

#[test]
fn the_plan_says_which_terraform_wrote_it() {
    assert_eq!(plan("create").tool_version.as_deref(), Some("1.11.4"));
}
