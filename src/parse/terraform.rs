//! Terraform / OpenTofu `show -json` plans, format_version 0.1 to 1.x.
//!
//! Only `resource_changes` describes what applying the plan does; `resource_drift`
//! already happened, and `planned_values`, `prior_state` and `configuration` are
//! snapshots. Unknown keys are ignored, as the format's documentation asks of
//! readers within a major version; a different major version is refused.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::error::ReadError;
use super::excerpt::Excerpt;
use crate::model::{Action, Change, Declared, Format, Gap, Note, Plan, Reason, ReplaceOrder};

/// The parts of a plan document that matter to a gate.
#[derive(Debug, Default)]
pub struct RawPlan {
    pub format_version: Option<Value>,
    /// HCP Terraform's redacted plan has this instead of `format_version`.
    pub plan_format_version: Option<Value>,
    pub terraform_version: Option<Value>,
    pub errored: Option<Value>,
    pub complete: Option<Value>,
    pub resource_changes: Option<Changes>,
    pub deferred: Option<usize>,
    /// `configuration.root_module` (outer `None`: no `configuration` key).
    pub configuration: Option<Option<crate::provenance::declared::Module>>,
}

/// `resource_changes` as read: each change is normalized as soon as it is
/// read, so that the raw form of every change is never held at once (on a
/// 2 GB plan that is some 70 MB).
#[derive(Debug, Default)]
pub struct Changes {
    pub changes: Vec<Change>,
    /// The first change whose actions plangate does not know, kept whole to
    /// say where it is.
    pub unknown: Option<Box<RawResourceChange>>,
}

impl Changes {
    pub fn push(&mut self, rc: RawResourceChange) {
        match convert(rc) {
            Ok(change) => self.changes.push(change),
            Err(rc) => {
                self.unknown.get_or_insert(rc);
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RawResourceChange {
    pub address: String,
    #[serde(default)]
    pub previous_address: Option<String>,
    #[serde(default)]
    pub module_address: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub provider_name: Option<String>,
    #[serde(default)]
    pub deposed: Option<String>,
    #[serde(default)]
    pub action_reason: Option<String>,
    pub change: RawChange,
}

#[derive(Debug, Deserialize)]
pub struct RawChange {
    pub actions: Vec<String>,
    #[serde(default)]
    pub replace_paths: Option<Vec<Vec<Value>>>,
    /// Present (an object) when the change imports an existing object.
    #[serde(default)]
    pub importing: Option<IgnoredAny>,
}

/// The contract's table, Terraform column. `None` for anything else: an action
/// plangate does not know is never guessed at.
pub fn action_of(actions: &[String]) -> Option<(Action, Option<ReplaceOrder>)> {
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    Some(match actions.as_slice() {
        ["no-op"] => (Action::NoOp, None),
        ["create"] => (Action::Create, None),
        ["read"] => (Action::Read, None),
        ["update"] => (Action::Update, None),
        ["delete"] => (Action::Delete, None),
        ["forget"] => (Action::Forget, None),
        ["delete", "create"] => (Action::Replace, Some(ReplaceOrder::DestroyBeforeCreate)),
        ["create", "delete"] => (Action::Replace, Some(ReplaceOrder::CreateBeforeDestroy)),
        // Terraform ≥ 1.16 and OpenTofu ≥ 1.12 spell the forgetting replace in
        // opposite orders; either way the old object is abandoned, not destroyed.
        ["create", "forget"] | ["forget", "create"] => {
            (Action::Replace, Some(ReplaceOrder::OldObjectForgotten))
        }
        _ => return None,
    })
}

/// Turn the raw plan into the model. `bytes` is the source, used only to point
/// at the offending place when the plan cannot be read.
pub fn normalize(path: &str, raw: RawPlan, bytes: &[u8]) -> Result<Plan, ReadError> {
    check_version(path, &raw, bytes)?;
    let mut gaps = Vec::new();
    let mut notes = Vec::new();
    if flag(path, "errored", raw.errored.as_ref())? == Some(true) {
        gaps.push(Gap::Errored);
    }
    if flag(path, "complete", raw.complete.as_ref())? == Some(false) && gaps.is_empty() {
        notes.push(Note::Incomplete);
    }
    if let Some(count) = raw.deferred.filter(|&n| n > 0) {
        notes.push(Note::Deferred { count });
    }
    let read = raw.resource_changes.unwrap_or_default();
    if let Some(rc) = read.unknown {
        return Err(unknown_action(path, *rc, bytes));
    }
    let changes = read.changes;
    if changes.iter().any(is_opentofu) {
        notes.push(Note::OpenTofu);
    }
    Ok(Plan {
        path: path.to_owned(),
        format: Format::Terraform,
        tool_version: raw
            .terraform_version
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_owned),
        changes,
        parts: Vec::new(),
        gaps,
        notes,
        origin: crate::provenance::Origin {
            // A `configuration` that is not an object, or has no root module,
            // declares nothing.
            configuration: raw.configuration.map(Option::unwrap_or_default),
            snapshot: None,
        },
    })
}

fn is_opentofu(c: &Change) -> bool {
    c.declared
        .provider
        .as_deref()
        .is_some_and(|p| p.starts_with("registry.opentofu.org/"))
}

fn unknown_action(path: &str, rc: RawResourceChange, bytes: &[u8]) -> ReadError {
    let actions = serde_json::to_string(&rc.change.actions).unwrap_or_default();
    let located = locate_after(path, bytes, b"\"resource_changes\"", &rc.address);
    ReadError::UnknownAction {
        path: path.to_owned(),
        address: rc.address,
        actions,
        excerpt: located.as_ref().map(|l| l.0.clone()),
        span: located.map(|l| l.1),
    }
}

/// One change in the model, or back (boxed) when its actions are unknown.
fn convert(rc: RawResourceChange) -> Result<Change, Box<RawResourceChange>> {
    let Some((base, replace_order)) = action_of(&rc.change.actions) else {
        return Err(Box::new(rc));
    };
    // An import adopts an existing object; when the same change also destroys
    // something, the destructive reading wins.
    let action = match base {
        Action::NoOp | Action::Update | Action::Create if rc.change.importing.is_some() => {
            Action::Import
        }
        other => other,
    };
    let declared = Declared {
        path: rc
            .module_address
            .as_deref()
            .map(module_path)
            .unwrap_or_default(),
        name: rc.name.clone().unwrap_or_default(),
        provider: rc.provider_name.clone(),
        ..Default::default()
    };
    Ok(Change {
        address: rc.address,
        resource_type: rc.resource_type,
        action,
        reasons: rc
            .action_reason
            .map(Reason::ActionReason)
            .into_iter()
            .collect(),
        forced_by: rc
            .change
            .replace_paths
            .unwrap_or_default()
            .iter()
            .map(|p| render_path(p))
            .collect(),
        previous_address: rc.previous_address,
        deposed: rc.deposed,
        data_source: rc.mode.as_deref() == Some("data"),
        replace_order,
        declared,
    })
}

/// `module.a["x.y"].module.b[0]` → `["a", "b"]`: the module calls, keys dropped.
fn module_path(module_address: &str) -> Vec<String> {
    let plain = crate::model::strip_keys(module_address);
    plain
        .split('.')
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|pair| match pair {
            ["module", name] => Some((*name).to_owned()),
            _ => None,
        })
        .collect()
}

/// A `replace_paths` entry as an attribute path: `tags.Name`, `ingress[0].cidr`.
fn render_path(steps: &[Value]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Value::String(s) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(s);
            }
            other => {
                out.push('[');
                out.push_str(&other.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn check_version(path: &str, raw: &RawPlan, bytes: &[u8]) -> Result<(), ReadError> {
    let (key, value) = match (&raw.format_version, &raw.plan_format_version) {
        (Some(v), _) => ("format_version", v),
        (None, Some(v)) => ("plan_format_version", v),
        (None, None) => {
            return Err(ReadError::NoFormatVersion {
                path: path.to_owned(),
            });
        }
    };
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let major = value
        .as_str()
        .and_then(|s| s.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    if matches!(major, Some(0 | 1)) {
        return Ok(());
    }
    let needle = format!("\"{key}\"");
    let located = Excerpt::find(path, bytes, needle.as_bytes());
    Err(ReadError::UnsupportedVersion {
        path: path.to_owned(),
        version: text,
        excerpt: located.as_ref().map(|l| l.0.clone()),
        span: located.map(|l| l.1),
    })
}

fn flag(path: &str, key: &str, value: Option<&Value>) -> Result<Option<bool>, ReadError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ReadError::MissingField {
            path: path.to_owned(),
            what: format!("a true/false `{key}` (it has another type)"),
        }),
    }
}

/// Where `"address": "<address>"` first appears after `anchor`, to point at a change.
fn locate_after(
    path: &str,
    bytes: &[u8],
    anchor: &[u8],
    address: &str,
) -> Option<(Excerpt, miette::SourceSpan)> {
    let from = memchr::memmem::find(bytes, anchor).unwrap_or(0);
    let quoted = serde_json::to_string(address).ok()?;
    let at = from + memchr::memmem::find(&bytes[from..], quoted.as_bytes())?;
    Some(Excerpt::around(path, bytes, at, quoted.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acts(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_action_array_of_the_contract() {
        let table: &[(&[&str], Action)] = &[
            (&["no-op"], Action::NoOp),
            (&["create"], Action::Create),
            (&["read"], Action::Read),
            (&["update"], Action::Update),
            (&["delete"], Action::Delete),
            (&["forget"], Action::Forget),
            (&["delete", "create"], Action::Replace),
            (&["create", "delete"], Action::Replace),
            (&["create", "forget"], Action::Replace),
            (&["forget", "create"], Action::Replace),
        ];
        for (input, want) in table {
            assert_eq!(
                action_of(&acts(input)).map(|a| a.0),
                Some(*want),
                "{input:?}"
            );
        }
    }

    #[test]
    fn unknown_or_malformed_action_arrays_are_not_guessed() {
        for bad in [
            &[][..],
            &["obliterate"],
            &["delete", "delete"],
            &["create", "create"],
            &["update", "delete"],
            &["delete", "create", "delete"],
            &["Delete"],
            &["noop"],
            &["replace"],
        ] {
            assert_eq!(action_of(&acts(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn module_addresses_become_module_call_paths() {
        assert_eq!(
            module_path(r#"module.a["x.module.y"].module.b[0]"#),
            ["a", "b"]
        );
        assert_eq!(module_path("module.net"), ["net"]);
        assert!(module_path("").is_empty());
    }

    #[test]
    fn replace_paths_render_as_attribute_paths() {
        let p: Vec<Value> = serde_json::from_str(r#"["ingress", 0, "cidr_blocks"]"#).unwrap();
        assert_eq!(render_path(&p), "ingress[0].cidr_blocks");
        let p: Vec<Value> = serde_json::from_str(r#"["triggers_replace"]"#).unwrap();
        assert_eq!(render_path(&p), "triggers_replace");
    }
}
