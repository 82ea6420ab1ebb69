//! One pass over a JSON document that keeps what a reader of either format needs
//! and skips the rest without building it.
//!
//! Plans run to hundreds of megabytes, nearly all of it `prior_state`,
//! `planned_values`, `configuration` and `before`/`after` values that a gate never
//! looks at. Those are passed over with [`IgnoredAny`], which serde_json scans
//! without allocating (and without recursion, so deep nesting cannot overflow the
//! stack). The format is told by content: the keys present decide it.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{cloudformation as cfn, terraform as tf};

/// What one JSON document turned out to be.
#[derive(Debug)]
pub enum Document {
    Terraform(tf::RawPlan),
    CloudFormation(cfn::RawChangeSet),
    /// The CloudFormation console's "JSON changes" export: a bare camelCase array.
    ConsoleExport(Vec<cfn::RawChange>),
    /// An OpenTofu encrypted plan or state envelope.
    Encrypted,
    /// Valid JSON that is not a plan; the text says what it is instead.
    Other(String),
}

/// Top-level keys that only a Terraform plan has; their values are skipped.
const TERRAFORM_MARKERS: &[&str] = &[
    "planned_values",
    "prior_state",
    "configuration",
    "resource_drift",
    "output_changes",
    "relevant_attributes",
];

#[derive(Default)]
struct Top {
    tf: tf::RawPlan,
    tf_markers: usize,
    cfn: cfn::RawChangeSet,
    cfn_changes: bool,
    encrypted_data: bool,
    other_keys: Vec<String>,
    key_count: usize,
}

/// Reject a second occurrence of a key whose value decides something: a
/// duplicate is how a change could hide from one reader and not another.
fn once<T, E: de::Error>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(key));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut top = Top::default();
        while let Some(key) = map.next_key::<String>()? {
            top.key_count += 1;
            match key.as_str() {
                // Terraform
                "format_version" => once(
                    &mut top.tf.format_version,
                    "format_version",
                    map.next_value()?,
                )?,
                "plan_format_version" => once(
                    &mut top.tf.plan_format_version,
                    "plan_format_version",
                    map.next_value()?,
                )?,
                "terraform_version" => once(
                    &mut top.tf.terraform_version,
                    "terraform_version",
                    map.next_value()?,
                )?,
                "errored" => once(&mut top.tf.errored, "errored", map.next_value()?)?,
                "complete" => once(&mut top.tf.complete, "complete", map.next_value()?)?,
                "resource_changes" => {
                    let changes: Option<Vec<tf::RawResourceChange>> = map.next_value()?;
                    once(
                        &mut top.tf.resource_changes,
                        "resource_changes",
                        changes.unwrap_or_default(),
                    )?
                }
                "deferred_changes" => {
                    let deferred: Option<Vec<IgnoredAny>> = map.next_value()?;
                    once(
                        &mut top.tf.deferred,
                        "deferred_changes",
                        deferred.map_or(0, |d| d.len()),
                    )?
                }
                k if TERRAFORM_MARKERS.contains(&k) => {
                    top.tf_markers += 1;
                    map.next_value::<IgnoredAny>()?;
                }
                // CloudFormation
                "Changes" => {
                    let changes: Option<Vec<cfn::RawChange>> = map.next_value()?;
                    top.cfn_changes = true;
                    once(&mut top.cfn.changes, "Changes", changes.unwrap_or_default())?
                }
                "Status" => once(&mut top.cfn.status, "Status", map.next_value()?)?,
                "StatusReason" => once(
                    &mut top.cfn.status_reason,
                    "StatusReason",
                    map.next_value()?,
                )?,
                "ExecutionStatus" => once(
                    &mut top.cfn.execution_status,
                    "ExecutionStatus",
                    map.next_value()?,
                )?,
                "NextToken" => once(&mut top.cfn.next_token, "NextToken", map.next_value()?)?,
                "ChangeSetId" => {
                    once(&mut top.cfn.change_set_id, "ChangeSetId", map.next_value()?)?
                }
                "ChangeSetName" => once(
                    &mut top.cfn.change_set_name,
                    "ChangeSetName",
                    map.next_value()?,
                )?,
                "StackName" => once(&mut top.cfn.stack_name, "StackName", map.next_value()?)?,
                "StackId" => once(&mut top.cfn.stack_id, "StackId", map.next_value()?)?,
                "ParentChangeSetId" => once(
                    &mut top.cfn.parent_change_set_id,
                    "ParentChangeSetId",
                    map.next_value()?,
                )?,
                // OpenTofu's encrypted plan/state envelope
                "encrypted_data" => {
                    top.encrypted_data = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    if top.other_keys.len() < 5 {
                        top.other_keys.push(key);
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        top.into_document().map_err(de::Error::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        // Only the console export is an array; it is small, so buffering is fine.
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        let is_console = !items.is_empty()
            && items
                .iter()
                .all(|i| i.get("resourceChange").is_some_and(Value::is_object));
        if !is_console {
            return Ok(Document::Other(format!(
                "a JSON array of {} item(s)",
                items.len()
            )));
        }
        items
            .into_iter()
            .map(cfn::RawChange::deserialize)
            .collect::<Result<Vec<_>, _>>()
            .map(Document::ConsoleExport)
            .map_err(de::Error::custom)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Document, E> {
        Ok(Document::Other("a JSON string".into()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Document, E> {
        Ok(Document::Other("a JSON boolean".into()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Document, E> {
        Ok(Document::Other("a JSON number".into()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Document, E> {
        Ok(Document::Other("a JSON number".into()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Document, E> {
        Ok(Document::Other("a JSON number".into()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Other("JSON null".into()))
    }
}

impl Top {
    fn into_document(self) -> Result<Document, String> {
        let terraform = self.tf.format_version.is_some()
            || self.tf.plan_format_version.is_some()
            || self.tf.resource_changes.is_some()
            || self.tf_markers > 0;
        let cloudformation = self.cfn_changes
            || ((self.cfn.change_set_id.is_some() || self.cfn.change_set_name.is_some())
                && self.cfn.status.is_some());
        match (terraform, cloudformation) {
            (true, true) => {
                Err("has the keys of both a Terraform plan and a CloudFormation change set".into())
            }
            (true, false) => {
                let versioned =
                    self.tf.format_version.is_some() || self.tf.plan_format_version.is_some();
                if versioned && self.tf.resource_changes.is_none() && self.tf_markers == 0 {
                    // `terraform show -json` of a state, `providers schema -json`, …
                    Ok(Document::Other(
                        "Terraform JSON, but not a plan (no resource_changes or planned_values: \
                         a state or provider schema?)"
                            .into(),
                    ))
                } else {
                    Ok(Document::Terraform(self.tf))
                }
            }
            (false, true) => Ok(Document::CloudFormation(self.cfn)),
            (false, false) if self.encrypted_data => Ok(Document::Encrypted),
            (false, false) => Ok(Document::Other(describe_object(
                self.key_count,
                &self.other_keys,
            ))),
        }
    }
}

fn describe_object(count: usize, keys: &[String]) -> String {
    if count == 0 {
        return "an empty JSON object".into();
    }
    let shown: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    let more = if count > keys.len() { ", …" } else { "" };
    format!(
        "a JSON object with keys {}{more} (no format_version or resource_changes of a \
         Terraform plan, no Changes of a CloudFormation change set)",
        shown.join(", ")
    )
}
