//! CloudFormation `describe-change-set` output (the PascalCase CLI/SDK form), and
//! the console's camelCase "JSON changes" export, read into one page each.
//!
//! A page is what one file holds; pages of one change set and nested change sets
//! are joined into plans by [`super::assemble`].

use serde::Deserialize;
use serde_json::Value;

use super::error::ReadError;
use super::excerpt::Excerpt;
use crate::model::{Action, Change, Declared, Note, Reason, ReplaceOrder};

/// The header of a change set; each field is kept as raw JSON until the document
/// is known to be a change set, so that an unrelated file with a `Status` key is
/// skipped rather than refused.
#[derive(Debug, Default)]
pub struct RawChangeSet {
    pub changes: Option<Vec<RawChange>>,
    pub status: Option<Value>,
    pub status_reason: Option<Value>,
    pub execution_status: Option<Value>,
    pub next_token: Option<Value>,
    pub change_set_id: Option<Value>,
    pub change_set_name: Option<Value>,
    pub stack_name: Option<Value>,
    pub stack_id: Option<Value>,
    pub parent_change_set_id: Option<Value>,
}

// Aliases accept the console export's camelCase keys with the same structs.
#[derive(Debug, Deserialize)]
pub struct RawChange {
    #[serde(rename = "Type", alias = "type", default)]
    pub kind: Option<String>,
    #[serde(rename = "ResourceChange", alias = "resourceChange", default)]
    pub resource_change: Option<RawResourceChange>,
}

#[derive(Debug, Deserialize)]
pub struct RawResourceChange {
    #[serde(rename = "Action", alias = "action", default)]
    pub action: Option<String>,
    #[serde(rename = "LogicalResourceId", alias = "logicalResourceId", default)]
    pub logical_id: Option<String>,
    #[serde(rename = "ResourceType", alias = "resourceType", default)]
    pub resource_type: Option<String>,
    #[serde(rename = "Replacement", alias = "replacement", default)]
    pub replacement: Option<String>,
    #[serde(rename = "PolicyAction", alias = "policyAction", default)]
    pub policy_action: Option<String>,
    #[serde(rename = "Scope", alias = "scope", default)]
    pub scope: Option<Vec<String>>,
    #[serde(rename = "Details", alias = "details", default)]
    pub details: Option<Vec<RawDetail>>,
    /// On an `AWS::CloudFormation::Stack` change: the nested stack's change set.
    #[serde(rename = "ChangeSetId", alias = "changeSetId", default)]
    pub change_set_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawDetail {
    #[serde(rename = "Target", alias = "target", default)]
    pub target: Option<RawTarget>,
    #[serde(rename = "ChangeSource", alias = "changeSource", default)]
    pub change_source: Option<String>,
    #[serde(rename = "CausingEntity", alias = "causingEntity", default)]
    pub causing_entity: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawTarget {
    #[serde(rename = "Attribute", alias = "attribute", default)]
    pub attribute: Option<String>,
    #[serde(rename = "Name", alias = "name", default)]
    pub name: Option<String>,
    #[serde(rename = "RequiresRecreation", alias = "requiresRecreation", default)]
    pub requires_recreation: Option<String>,
}

/// One file's worth of a change set, normalized.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: String,
    /// What joins pages of one change set: its id, else stack and name.
    pub key: Option<String>,
    pub next_token: Option<String>,
    pub parent: Option<String>,
    pub changes: Vec<Change>,
    /// Nested stacks: (index into `changes`, child change set id).
    pub children: Vec<(usize, String)>,
    pub notes: Vec<Note>,
    /// The stack's name, from `StackName` or the name inside `StackId`.
    pub stack: Option<String>,
}

const POLICY_ACTIONS: &[&str] = &[
    "Delete",
    "Retain",
    "Snapshot",
    "ReplaceAndDelete",
    "ReplaceAndRetain",
    "ReplaceAndSnapshot",
];

/// StatusReason prefixes of a FAILED change set that only means "nothing to do"
/// (the wording CloudFormation and the CDK use).
const NO_CHANGES: &[&str] = &[
    "The submitted information didn't contain changes",
    "No updates are to be performed",
];

const INCOMPLETE_MARKER: &str = "--include-property-values option can return incomplete";

pub fn read_page(path: &str, raw: RawChangeSet, bytes: &[u8]) -> Result<Page, ReadError> {
    let field = |name: &'static str, v: &Option<Value>| string_field(path, name, v);
    let status = field("Status", &raw.status)?;
    let reason = field("StatusReason", &raw.status_reason)?;
    let mut notes = Vec::new();
    let changes = raw.changes.unwrap_or_default();
    match status.as_deref() {
        // A hand-written document may have no header; the changes are all there is.
        None | Some("CREATE_COMPLETE") => {}
        Some("FAILED")
            if changes.is_empty()
                && reason
                    .as_deref()
                    .is_some_and(|r| NO_CHANGES.iter().any(|p| r.contains(p))) =>
        {
            notes.push(Note::NoChanges);
        }
        Some(other) => {
            return Err(ReadError::ChangeSetStatus {
                path: path.to_owned(),
                status: other.to_owned(),
                reason,
            });
        }
    }
    if let Some(r) = reason.as_deref().filter(|r| r.contains(INCOMPLETE_MARKER)) {
        return Err(ReadError::PropertyValuesIncomplete {
            path: path.to_owned(),
            reason: r.to_owned(),
        });
    }
    if let Some(es) = field("ExecutionStatus", &raw.execution_status)?
        && !matches!(es.as_str(), "AVAILABLE" | "UNAVAILABLE")
    {
        notes.push(Note::ExecutionStatus { status: es });
    }
    let id = field("ChangeSetId", &raw.change_set_id)?;
    let name = field("ChangeSetName", &raw.change_set_name)?;
    let stack_name = field("StackName", &raw.stack_name)?;
    let stack_id = field("StackId", &raw.stack_id)?;
    let stack = stack_id.clone().or(stack_name.clone());
    // `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`
    let stack_name = stack_name.or_else(|| {
        stack_id
            .as_deref()
            .and_then(|id| id.split(":stack/").nth(1))
            .and_then(|rest| rest.split('/').next())
            .map(str::to_owned)
    });
    let key = id.or_else(|| Some(format!("{}/{}", stack?, name?)));
    let mut page = Page {
        path: path.to_owned(),
        key,
        next_token: field("NextToken", &raw.next_token)?.filter(|t| !t.is_empty()),
        parent: field("ParentChangeSetId", &raw.parent_change_set_id)?,
        changes: Vec::with_capacity(changes.len()),
        children: Vec::new(),
        notes,
        stack: stack_name,
    };
    for raw_change in changes {
        add_change(&mut page, raw_change, bytes)?;
    }
    Ok(page)
}

/// The console export has no header: no status, no pagination, no nesting.
pub fn read_console_export(
    path: &str,
    changes: Vec<RawChange>,
    bytes: &[u8],
) -> Result<Page, ReadError> {
    let mut page = Page {
        path: path.to_owned(),
        key: None,
        next_token: None,
        parent: None,
        changes: Vec::with_capacity(changes.len()),
        children: Vec::new(),
        notes: vec![Note::ConsoleExport],
        stack: None,
    };
    for raw_change in changes {
        add_change(&mut page, raw_change, bytes)?;
    }
    Ok(page)
}

fn string_field(path: &str, name: &str, v: &Option<Value>) -> Result<Option<String>, ReadError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ReadError::MissingField {
            path: path.to_owned(),
            what: format!("a string `{name}` (it has another type)"),
        }),
    }
}

fn add_change(page: &mut Page, raw: RawChange, bytes: &[u8]) -> Result<(), ReadError> {
    let path = page.path.as_str();
    if let Some(kind) = raw.kind.as_deref().filter(|k| *k != "Resource") {
        return Err(unknown(path, bytes, "(a change)", "Type", kind, "Resource"));
    }
    let rc = raw.resource_change.ok_or_else(|| ReadError::MissingField {
        path: path.to_owned(),
        what: format!("ResourceChange of change {}", page.changes.len() + 1),
    })?;
    let logical_id = rc.logical_id.ok_or_else(|| ReadError::MissingField {
        path: path.to_owned(),
        what: format!("LogicalResourceId of change {}", page.changes.len() + 1),
    })?;
    let missing = |what: &str| ReadError::MissingField {
        path: path.to_owned(),
        what: format!("{what} of {logical_id}"),
    };
    let resource_type = rc.resource_type.ok_or_else(|| missing("ResourceType"))?;
    let action_name = rc.action.ok_or_else(|| missing("Action"))?;
    if let Some(p) = rc.policy_action.as_deref()
        && !POLICY_ACTIONS.contains(&p)
    {
        return Err(unknown(
            path,
            bytes,
            &logical_id,
            "PolicyAction",
            p,
            "Delete, Retain, Snapshot, ReplaceAndDelete, ReplaceAndRetain and ReplaceAndSnapshot",
        ));
    }
    let mut reasons = Vec::new();
    let mut replace_order = None;
    let action = match action_name.as_str() {
        // `Replacement` on an Add is noise some recordings carry: never a replace.
        "Add" => Action::Create,
        "Import" => Action::Import,
        "SyncWithActual" => Action::Update,
        "Modify" => match rc.replacement.as_deref() {
            Some("False") => Action::Update,
            Some(v @ ("True" | "Conditional")) => {
                reasons.push(Reason::Replacement(v.to_owned()));
                Action::Replace
            }
            // Not said: the most destructive reading.
            None => {
                reasons.push(Reason::ReplacementNotGiven);
                Action::Replace
            }
            Some(other) => {
                return Err(unknown(
                    path,
                    bytes,
                    &logical_id,
                    "Replacement",
                    other,
                    "True, False and Conditional",
                ));
            }
        },
        "Remove" => {
            if resource_type == "AWS::CloudFormation::Stack" {
                reasons.push(Reason::NestedStackRemoved);
            }
            // Absent PolicyAction is pre-2024 output: the default, Delete.
            if rc.policy_action.as_deref() == Some("Retain") {
                Action::Forget
            } else {
                Action::Delete
            }
        }
        "Dynamic" => {
            reasons.push(Reason::DynamicAction);
            Action::Replace
        }
        other => {
            return Err(unknown(
                path,
                bytes,
                &logical_id,
                "Action",
                other,
                "Add, Modify, Remove, Import, Dynamic and SyncWithActual",
            ));
        }
    };
    if action == Action::Replace {
        // CloudFormation creates the replacement first and removes the old
        // resource in the cleanup phase, unless its policy keeps it.
        replace_order = Some(match rc.policy_action.as_deref() {
            Some("ReplaceAndRetain") => ReplaceOrder::OldObjectForgotten,
            _ => ReplaceOrder::CreateBeforeDestroy,
        });
    }
    if let Some(p) = rc.policy_action {
        reasons.push(Reason::PolicyAction(p));
    }
    let mut forced_by = Vec::new();
    let mut recreation = Vec::new();
    let mut policy_attributes = Vec::new();
    // Seen values, so that a change with many details is not quadratic.
    let mut seen_forced = std::collections::HashSet::new();
    let mut seen_recreation = std::collections::HashSet::new();
    let mut causes: Vec<crate::model::Cause> = Vec::new();
    let scope = rc.scope.unwrap_or_default();
    for detail in rc.details.unwrap_or_default() {
        if let Some(source) = detail.change_source {
            let forces = detail
                .target
                .as_ref()
                .and_then(|t| t.requires_recreation.as_deref())
                .is_some_and(|r| r != "Never");
            let cause = crate::model::Cause {
                source,
                entity: detail.causing_entity,
                forces,
            };
            if !causes.contains(&cause) {
                causes.push(cause);
            }
        }
        let Some(t) = detail.target else { continue };
        let attribute = t.attribute.unwrap_or_default();
        if let Some(rr) = t.requires_recreation.filter(|r| r != "Never") {
            let target = match (attribute.as_str(), t.name) {
                ("Properties", Some(name)) => name,
                (_, Some(name)) => format!("{attribute}.{name}"),
                (_, None) => attribute.clone(),
            };
            if seen_forced.insert(target.clone()) {
                forced_by.push(target);
            }
            if seen_recreation.insert(rr.clone()) {
                recreation.push(rr);
            }
        }
        if is_policy_attribute(&attribute) && !policy_attributes.contains(&attribute) {
            policy_attributes.push(attribute);
        }
    }
    for s in scope {
        if is_policy_attribute(&s) && !policy_attributes.contains(&s) {
            policy_attributes.push(s);
        }
    }
    reasons.extend(recreation.into_iter().map(Reason::RequiresRecreation));
    reasons.extend(
        policy_attributes
            .into_iter()
            .map(Reason::PolicyAttributeChanged),
    );
    if let Some(child) = rc.change_set_id.filter(|c| !c.is_empty()) {
        page.children.push((page.changes.len(), child));
    }
    page.changes.push(Change {
        declared: Declared {
            path: Vec::new(),
            name: logical_id.clone(),
            provider: None,
            stack: page.stack.clone(),
            causes,
        },
        address: logical_id,
        resource_type,
        action,
        reasons,
        forced_by,
        previous_address: None,
        deposed: None,
        data_source: false,
        replace_order,
    });
    Ok(())
}

fn is_policy_attribute(attribute: &str) -> bool {
    matches!(attribute, "DeletionPolicy" | "UpdateReplacePolicy")
}

fn unknown(
    path: &str,
    bytes: &[u8],
    logical_id: &str,
    field: &'static str,
    value: &str,
    known: &'static str,
) -> ReadError {
    let located = serde_json::to_string(value)
        .ok()
        .and_then(|q| Excerpt::find(path, bytes, q.as_bytes()));
    ReadError::UnknownValue {
        path: path.to_owned(),
        logical_id: logical_id.to_owned(),
        field,
        value: value.to_owned(),
        known,
        excerpt: located.as_ref().map(|l| l.0.clone()),
        span: located.map(|l| l.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(json: &str) -> Result<Page, ReadError> {
        let changes: Vec<RawChange> = serde_json::from_str(json).unwrap();
        let raw = RawChangeSet {
            changes: Some(changes),
            status: Some(Value::String("CREATE_COMPLETE".into())),
            ..RawChangeSet::default()
        };
        read_page("t.json", raw, json.as_bytes())
    }

    fn one(
        action: &str,
        replacement: Option<&str>,
        policy: Option<&str>,
    ) -> Result<Action, String> {
        let rc = serde_json::json!({"Type": "Resource", "ResourceChange": {
            "Action": action, "LogicalResourceId": "R", "ResourceType": "AWS::S3::Bucket",
            "Replacement": replacement, "PolicyAction": policy}});
        page_of(&format!("[{rc}]"))
            .map(|p| p.changes[0].action)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_contract_table_cloudformation_column() {
        use Action::*;
        let table = [
            (("Add", None, None), Create),
            (("Add", Some("True"), None), Create),
            (("Modify", Some("False"), None), Update),
            (("SyncWithActual", None, None), Update),
            (("Modify", Some("True"), None), Replace),
            (("Modify", Some("True"), Some("ReplaceAndDelete")), Replace),
            (("Modify", Some("True"), Some("ReplaceAndRetain")), Replace),
            (("Modify", Some("Conditional"), None), Replace),
            (("Modify", None, None), Replace),
            (("Dynamic", None, None), Replace),
            (("Remove", None, Some("Delete")), Delete),
            (("Remove", None, Some("Snapshot")), Delete),
            (("Remove", None, None), Delete),
            (("Remove", None, Some("Retain")), Forget),
            (("Import", None, None), Import),
        ];
        for ((a, r, p), want) in table {
            assert_eq!(one(a, r, p), Ok(want), "{a} {r:?} {p:?}");
        }
    }

    #[test]
    fn unknown_deciding_values_are_refused() {
        for (a, r, p) in [
            ("Teleport", None, None),
            ("Modify", Some("Maybe"), None),
            ("Remove", None, Some("Shred")),
            ("modify", Some("True"), None),
        ] {
            assert!(one(a, r, p).is_err(), "{a} {r:?} {p:?} was read");
        }
    }

    #[test]
    fn targets_that_require_recreation_are_kept_with_unknown_values() {
        let page = page_of(
            r#"[{"Type":"Resource","ResourceChange":{"Action":"Modify","LogicalResourceId":"Db",
            "ResourceType":"AWS::RDS::DBInstance","Replacement":"True","Scope":["Properties"],
            "Details":[
              {"Target":{"Attribute":"Properties","Name":"Engine","RequiresRecreation":"Always"}},
              {"Target":{"Attribute":"Properties","Name":"DBInstanceClass","RequiresRecreation":"Never"}},
              {"Target":{"Attribute":"Properties","Name":"Odd","RequiresRecreation":"Sometimes"}}]}}]"#,
        )
        .unwrap();
        let c = &page.changes[0];
        assert_eq!(c.forced_by, ["Engine", "Odd"]);
        assert_eq!(
            c.reasons,
            [
                Reason::Replacement("True".into()),
                Reason::RequiresRecreation("Always".into()),
                Reason::RequiresRecreation("Sometimes".into())
            ]
        );
    }
}
