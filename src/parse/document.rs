//! One pass over a JSON document that keeps what a reader of either format needs
//! and skips the rest without building it.
//!
//! Plans run to hundreds of megabytes, nearly all of it `prior_state`,
//! `planned_values`, `configuration` and `before`/`after` values that a gate never
//! looks at. Those are passed over with [`IgnoredAny`], which serde_json scans
//! without allocating (and without recursion, so deep nesting cannot overflow the
//! stack). The format is told by content: the keys present decide it.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::{Limits, cloudformation as cfn, terraform as tf};

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

/// Reads a [`Document`] within `limits`; `over_limit` is set when reading
/// stopped at one (the error then says only that it stopped).
pub struct DocumentSeed<'a> {
    pub limits: &'a Limits,
    pub over_limit: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = Document;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_any(DocumentVisitor {
            changes: Capped {
                max: self.limits.max_changes,
                over_limit: self.over_limit,
                item: PhantomData,
            },
        })
    }
}

struct DocumentVisitor<'a> {
    /// How the change lists are read.
    changes: Capped<'a, ()>,
}

/// Where the items of a change list go as they are read.
trait Collect<T>: Default {
    fn add(&mut self, item: T);
}

impl<T> Collect<T> for Vec<T> {
    fn add(&mut self, item: T) {
        self.push(item);
    }
}

impl Collect<tf::RawResourceChange> for tf::Changes {
    fn add(&mut self, item: tf::RawResourceChange) {
        self.push(item);
    }
}

/// A JSON array of `T` (or null), collected into a `C` of at most `max`
/// items: past that, reading stops before the memory is spent.
struct Capped<'a, T, C = Vec<T>> {
    max: usize,
    over_limit: &'a Cell<bool>,
    item: PhantomData<(T, C)>,
}

impl<'a, T, C> Capped<'a, T, C> {
    fn of<U, D>(&self) -> Capped<'a, U, D> {
        Capped {
            max: self.max,
            over_limit: self.over_limit,
            item: PhantomData,
        }
    }

    fn too_many<E: de::Error>(&self) -> E {
        self.over_limit.set(true);
        E::custom(format!("more than {} changes", self.max))
    }
}

impl<'de, T: Deserialize<'de>, C: Collect<T>> DeserializeSeed<'de> for Capped<'_, T, C> {
    type Value = Option<C>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>, C: Collect<T>> Visitor<'de> for Capped<'_, T, C> {
    type Value = Option<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = C::default();
        let mut read = 0usize;
        while let Some(item) = seq.next_element()? {
            if read >= self.max {
                return Err(self.too_many());
            }
            read += 1;
            out.add(item);
        }
        Ok(Some(out))
    }
}

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
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
                    let changes = map
                        .next_value_seed(self.changes.of::<tf::RawResourceChange, tf::Changes>())?;
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
                // What the plan was made from (its provenance, checked by
                // `check`): decides, so once only.
                "configuration" => {
                    top.tf_markers += 1;
                    let configuration: MaybeObject<crate::provenance::declared::Configuration> =
                        map.next_value()?;
                    once(
                        &mut top.tf.configuration,
                        "configuration",
                        configuration.0.and_then(|c| c.root_module),
                    )?
                }
                k if TERRAFORM_MARKERS.contains(&k) => {
                    top.tf_markers += 1;
                    map.next_value::<IgnoredAny>()?;
                }
                // CloudFormation
                "Changes" => {
                    let changes =
                        map.next_value_seed(self.changes.of::<cfn::RawChange, Vec<_>>())?;
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
        // Only the console export is an array: every item an object whose
        // `resourceChange` is an object. Items are read one at a time and
        // only changes are kept, so that a big JSON array of something else
        // (met in a walked directory) is passed over, not built.
        let mut changes = Vec::new();
        let mut items = 0usize;
        // Every item so far is a change; past the limit, still telling
        // whether the array is an export, but no longer keeping its changes.
        let mut console = true;
        let mut over = false;
        loop {
            let item = if console {
                match seq.next_element_seed(ConsoleItem { keep: !over })? {
                    Some(item) => item,
                    None => break,
                }
            } else {
                match seq.next_element::<IgnoredAny>()? {
                    Some(_) => None,
                    None => break,
                }
            };
            items += 1;
            match item {
                None => {
                    console = false;
                    changes = Vec::new();
                }
                Some(_) if over => {}
                Some(_) if changes.len() >= self.changes.max => {
                    over = true;
                    changes = Vec::new();
                }
                Some(change) => changes.push(change),
            }
        }
        if !console || items == 0 {
            return Ok(Document::Other(format!("a JSON array of {items} item(s)")));
        }
        if over {
            return Err(self.changes.too_many());
        }
        Ok(Document::ConsoleExport(changes))
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

/// The visitor methods for every JSON value but an object: each is read
/// through (an array's items without being kept) and gives `$none`.
macro_rules! pass_over_all_but_objects {
    ($none:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($none)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

/// One item of a top-level array: `Some` when it is a change of the console
/// export (an object whose `resourceChange` is an object), else `None`. With
/// `keep` false the change is only recognised, not kept (the array is past the
/// limit). Read straight from the text, not through a `Value`, so that a key
/// given twice is refused here as it is in a change set.
struct ConsoleItem {
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for ConsoleItem {
    type Value = Option<cfn::RawChange>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ConsoleItem {
    type Value = Option<cfn::RawChange>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind: Option<Option<String>> = None;
        // `resourceChange`: (whether it is an object, the change when kept).
        let mut change: Option<(bool, Option<cfn::RawResourceChange>)> = None;
        let mut pascal = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                // RawChange takes either spelling of a key: both, or one
                // twice, is a duplicate.
                "type" | "Type" => {
                    if kind.is_some() {
                        return Err(de::Error::duplicate_field("Type"));
                    }
                    kind = Some(map.next_value()?);
                }
                "resourceChange" | "ResourceChange" => {
                    if change.is_some() || pascal {
                        return Err(de::Error::duplicate_field("ResourceChange"));
                    }
                    if key == "ResourceChange" {
                        // Not the console's spelling: this is no export item.
                        pascal = true;
                        map.next_value::<IgnoredAny>()?;
                    } else if self.keep {
                        let rc = map.next_value::<MaybeObject<cfn::RawResourceChange>>()?.0;
                        change = Some((rc.is_some(), rc));
                    } else {
                        let is = map.next_value::<MaybeObject<IgnoredAny>>()?.0.is_some();
                        change = Some((is, None));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match change {
            Some((true, rc)) if !pascal => Some(cfn::RawChange {
                kind: kind.flatten(),
                resource_change: rc,
            }),
            _ => None,
        })
    }

    pass_over_all_but_objects!(None);
}

/// A `T` read from an object, or `None` for any other value (passed over).
struct MaybeObject<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MaybeObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = MaybeObject<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| MaybeObject(Some(t)))
            }
            pass_over_all_but_objects!(MaybeObject(None));
        }
        deserializer.deserialize_any(V(PhantomData))
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
