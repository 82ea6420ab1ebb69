//! What the CloudFormation reader must get right, one claim per test, on the
//! synthetic change sets under testdata/cloudformation (see its README).

mod common;

use plangate::input::read_plans;
use plangate::model::{Action, Gap, Note, Plan, Reason, ReplaceOrder};

const DIR: &str = "testdata/cloudformation";

fn plans(paths: &[&str]) -> Vec<Plan> {
    let args: Vec<String> = paths.iter().map(|p| format!("{DIR}/{p}")).collect();
    read_plans(&args).expect("fixture reads").plans
}

fn action(plan: &Plan, address: &str) -> Action {
    let found: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.address == address)
        .collect();
    assert_eq!(found.len(), 1, "{address}");
    found[0].action
}

fn refusal(paths: &[&str]) -> String {
    let args: Vec<String> = paths.iter().map(|p| format!("{DIR}/{p}")).collect();
    let errors = read_plans(&args).expect_err("must be refused");
    errors.errors.iter().map(|e| format!("{e}\n")).collect()
}

#[test]
fn pages_given_together_make_one_plan_in_any_order() {
    let forward = plans(&[
        "pages/page-1.json",
        "pages/page-2.json",
        "pages/page-3.json",
    ]);
    let backward = plans(&[
        "pages/page-3.json",
        "pages/page-2.json",
        "pages/page-1.json",
    ]);
    assert_eq!(forward.len(), 1);
    assert_eq!(backward.len(), 1);
    assert_eq!(forward[0].parts.len(), 2, "the other pages are named");
    let mut a: Vec<_> = forward[0]
        .changes
        .iter()
        .map(|c| (&c.address, c.action))
        .collect();
    let mut b: Vec<_> = backward[0]
        .changes
        .iter()
        .map(|c| (&c.address, c.action))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(action(&forward[0], "IngestQueue"), Action::Delete);
    assert_eq!(action(&forward[0], "MetricsTable"), Action::Replace);
}

#[test]
fn a_page_whose_next_page_is_missing_is_refused() {
    assert!(refusal(&["next-token-alone.json"]).contains("NextToken"));
    assert!(refusal(&["page-missing"]).contains("the page after it was not given"));
    // Without its last page, a set of pages is incomplete too.
    assert!(refusal(&["pages/page-1.json", "pages/page-2.json"]).contains("NextToken"));
}

#[test]
fn the_last_page_given_twice_is_refused() {
    // The same file named twice is read once; a copy of the last page is not.
    assert_eq!(plans(&["pages", "pages/page-3.json"]).len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("page-3-again.json");
    std::fs::copy(format!("{DIR}/pages/page-3.json"), &copy).unwrap();
    let args = vec![format!("{DIR}/pages"), copy.display().to_string()];
    let errors = read_plans(&args).expect_err("two last pages");
    assert!(
        errors.errors[0]
            .to_string()
            .contains("both claim to be the last page")
    );
}

#[test]
fn nested_change_sets_are_linked_and_prefixed() {
    let p = plans(&["nested"]);
    assert_eq!(p.len(), 1, "root and children are one plan");
    let p = &p[0];
    assert!(p.gaps.is_empty());
    assert_eq!(p.parts.len(), 2);
    assert_eq!(action(p, "Db"), Action::Update);
    assert_eq!(action(p, "DataStack/Db"), Action::Replace);
    assert_eq!(action(p, "DataStack/Inner/Db"), Action::Delete);
    assert_eq!(action(p, "DataStack/Inner/DataKey"), Action::Forget);
}

#[test]
fn a_nested_change_set_not_given_is_a_gap_naming_it() {
    let p = &plans(&["nested-child-missing"])[0];
    let [
        Gap::NestedChangeSetMissing {
            stack,
            change_set_id,
        },
    ] = &p.gaps[..]
    else {
        panic!("{:?}", p.gaps)
    };
    assert_eq!(stack, "DataStack");
    assert!(change_set_id.contains("DataStack-IDM70Y80R5WV"));
    assert_eq!(action(p, "NetworkStack/PublicRouteTable"), Action::Update);
}

#[test]
fn a_child_change_set_alone_reads_unprefixed_with_a_gap() {
    let p = &plans(&["nested/data-stack-inner.json"])[0];
    assert!(matches!(p.gaps[..], [Gap::RootChangeSetMissing { .. }]));
    assert_eq!(action(p, "Db"), Action::Delete);
}

#[test]
fn policy_actions_decide_delete_or_forget_and_travel_as_reasons() {
    let p = &plans(&["policy-actions.json"])[0];
    assert_eq!(action(p, "ArchiveBucket"), Action::Forget);
    assert_eq!(action(p, "ReportingDb"), Action::Delete);
    assert_eq!(action(p, "OldSessionsTable"), Action::Delete);
    let audit = p
        .changes
        .iter()
        .find(|c| c.address == "AuditBucket")
        .unwrap();
    assert_eq!(audit.action, Action::Replace);
    assert_eq!(audit.replace_order, Some(ReplaceOrder::OldObjectForgotten));
    assert!(
        audit
            .reasons
            .contains(&Reason::PolicyAction("ReplaceAndRetain".into()))
    );
    let db = p
        .changes
        .iter()
        .find(|c| c.address == "ReportingDb")
        .unwrap();
    assert!(
        db.reasons
            .contains(&Reason::PolicyAction("Snapshot".into()))
    );
}

#[test]
fn replacement_targets_are_the_attributes_that_force_it() {
    let p = &plans(&["policy-actions.json"])[0];
    let db = p
        .changes
        .iter()
        .find(|c| c.address == "InventoryDb")
        .unwrap();
    assert_eq!(db.forced_by, ["StorageEncrypted"]);
    assert!(
        db.reasons
            .contains(&Reason::RequiresRecreation("Always".into()))
    );
}

#[test]
fn ambiguous_outcomes_read_as_the_most_destructive() {
    let p = &plans(&["every-action.json"])[0];
    for (address, reason) in [
        ("BastionHost", Reason::Replacement("Conditional".into())),
        ("ApiHandlerRole", Reason::ReplacementNotGiven),
        ("DeadLetterQueue", Reason::DynamicAction),
    ] {
        let c = p.changes.iter().find(|c| c.address == address).unwrap();
        assert_eq!(c.action, Action::Replace, "{address}");
        assert!(c.reasons.contains(&reason), "{address}: {:?}", c.reasons);
    }
}

#[test]
fn a_removed_protection_policy_is_kept_as_a_reason() {
    let p = &plans(&["protection-removed.json"])[0];
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "CustomersTable")
        .unwrap();
    assert_eq!(c.action, Action::Update);
    assert!(
        c.reasons
            .contains(&Reason::PolicyAttributeChanged("DeletionPolicy".into()))
    );
}

#[test]
fn removing_a_nested_stack_says_its_contents_go_too() {
    let p = &plans(&["nested-stack-removed.json"])[0];
    let c = p.changes.iter().find(|c| c.address == "EtlStack").unwrap();
    assert_eq!(c.action, Action::Delete);
    assert!(c.reasons.contains(&Reason::NestedStackRemoved));
}

#[test]
fn only_complete_change_sets_are_read() {
    for file in [
        "status-failed.json",
        "status-create-pending.json",
        "status-create-in-progress.json",
        "status-delete-complete.json",
        "status-unknown.json",
    ] {
        assert!(refusal(&[file]).contains("not CREATE_COMPLETE"), "{file}");
    }
    for file in ["no-changes-failed.json", "no-updates-failed.json"] {
        let p = &plans(&[file])[0];
        assert!(p.changes.is_empty(), "{file}");
        assert_eq!(p.notes, [Note::NoChanges], "{file}");
    }
    assert!(refusal(&["property-values-incomplete.json"]).contains("may be missing changes"));
}

#[test]
fn unknown_deciding_values_are_refused_and_unknown_explanations_kept() {
    for (file, says) in [
        ("unknown-action.json", "\"Teleport\""),
        ("unknown-replacement.json", "\"Maybe\""),
        ("unknown-policy-action.json", "\"RetainExceptOnCreate\""),
        ("change-type-unknown.json", "\"Output\""),
        ("changes-not-array.json", "expected a sequence"),
    ] {
        assert!(
            refusal(&[file]).contains(says),
            "{file}: {}",
            refusal(&[file])
        );
    }
    let p = &plans(&["unknown-explanations.json"])[0];
    let kept = p
        .changes
        .iter()
        .flat_map(|c| &c.reasons)
        .any(|r| *r == Reason::RequiresRecreation("Sometimes".into()));
    assert!(kept);
}

#[test]
fn the_console_export_is_read_and_marked() {
    let p = &plans(&["console-export.json"])[0];
    assert_eq!(p.notes, [Note::ConsoleExport]);
    assert_eq!(action(p, "UploadsBucket"), Action::Replace);
    assert_eq!(action(p, "ThumbnailQueue"), Action::Delete);
}

#[test]
fn execution_status_other_than_available_is_noted() {
    let p = &plans(&["obsolete.json"])[0];
    assert_eq!(
        p.notes,
        [Note::ExecutionStatus {
            status: "OBSOLETE".into()
        }]
    );
}
