//! The format-neutral change model: what every reader produces and every later
//! stage (attribution, rules, approvals, report) consumes.
//!
//! A rule never needs to know whether a change came from Terraform or from
//! CloudFormation; the mapping from each format's vocabulary to [`Action`] is the
//! table in the product contract ("Normalized actions") and lives in the readers.

use std::fmt;

use serde::Serialize;

/// The input format a plan was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `terraform show -json` or `tofu show -json` output.
    Terraform,
    /// `aws cloudformation describe-change-set` output.
    #[serde(rename = "cloudformation")]
    CloudFormation,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terraform => "terraform",
            Format::CloudFormation => "cloudformation",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a change does to a real resource, normalized across formats.
///
/// Declared from least to most destructive where that order means something, so
/// that "the most destructive reading" of an ambiguous input is a `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Read,
    Create,
    Import,
    Update,
    /// Removed from management; the real object keeps existing (orphaned).
    Forget,
    /// A new object replaces the old one; the old one is destroyed or abandoned.
    Replace,
    Delete,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::Read,
        Action::Update,
        Action::Replace,
        Action::Delete,
        Action::Forget,
        Action::Import,
        Action::NoOp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Create => "create",
            Action::Import => "import",
            Action::Update => "update",
            Action::Forget => "forget",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }

    /// Destroys or abandons an existing real object: the changes a gate is about.
    pub fn is_destructive(self) -> bool {
        matches!(self, Action::Delete | Action::Replace | Action::Forget)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the plan says a change happens, as the plan itself puts it.
///
/// Values of explanatory fields are kept as given, including values this version
/// of plangate does not know: they explain, they do not decide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Terraform's `action_reason` (an open set of values).
    ActionReason(String),
    /// CloudFormation's `Replacement` on a `Modify` (`True`, `Conditional`).
    Replacement(String),
    /// A CloudFormation `Modify` that does not say whether it replaces: read as a replace.
    ReplacementNotGiven,
    /// CloudFormation's `PolicyAction` (`Delete`, `Retain`, `Snapshot`, `ReplaceAnd…`).
    PolicyAction(String),
    /// CloudFormation `Action: Dynamic`: decided only at execution, read as a replace.
    DynamicAction,
    /// The strongest `Details[].Target.RequiresRecreation` of a CloudFormation change.
    RequiresRecreation(String),
    /// A CloudFormation change to the `DeletionPolicy` or `UpdateReplacePolicy`
    /// attribute: harmless now, but it can remove the protection a later delete meets.
    PolicyAttributeChanged(String),
    /// The removal of a nested stack: everything inside it goes, unlisted.
    NestedStackRemoved,
}

impl fmt::Display for Reason {
    /// The string form used in JSON output. Terraform's own codes stand alone (as in
    /// the contract's example); CloudFormation fields are written `Field=Value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ActionReason(r) => f.write_str(r),
            Reason::Replacement(v) => write!(f, "Replacement={v}"),
            Reason::ReplacementNotGiven => f.write_str("Replacement=(not given)"),
            Reason::PolicyAction(v) => write!(f, "PolicyAction={v}"),
            Reason::DynamicAction => f.write_str("Action=Dynamic"),
            Reason::RequiresRecreation(v) => write!(f, "RequiresRecreation={v}"),
            Reason::PolicyAttributeChanged(v) => write!(f, "Scope={v}"),
            Reason::NestedStackRemoved => f.write_str("nested stack removed"),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One planned change to one resource instance (or deposed object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Terraform: the absolute instance address. CloudFormation: the logical id,
    /// prefixed by each enclosing nested stack's logical id and `/`.
    pub address: String,
    pub resource_type: String,
    pub action: Action,
    pub reasons: Vec<Reason>,
    /// Attributes the plan says force the replacement (Terraform `replace_paths`,
    /// CloudFormation targets that require recreation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forced_by: Vec<String>,
    /// The address this object had before a `moved` block (Terraform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// The deposed key when this is a deposed object (Terraform): the same address
    /// can then appear twice in one plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// A data source rather than a managed resource (Terraform `mode: "data"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub data_source: bool,
    /// How the old object goes when this change replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_order: Option<ReplaceOrder>,
    /// Where the resource is declared, for attribution.
    #[serde(skip)]
    pub declared: Declared,
}

/// Where a change's resource is declared, in its format's own terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// Terraform: the module calls from the root (`module.a[0].module.b` →
    /// `["a", "b"]`). CloudFormation: the enclosing nested stacks' logical ids.
    pub path: Vec<String>,
    /// Terraform: the resource block's name. CloudFormation: the logical id.
    pub name: String,
    /// Terraform: the provider's source address (`registry.terraform.io/hashicorp/aws`).
    pub provider: Option<String>,
    /// CloudFormation: the root change set's stack (`StackName`, or the name in
    /// its `StackId`), to find the template it was made from.
    pub stack: Option<String>,
    /// CloudFormation: what the change set says caused it (`Details[].ChangeSource`
    /// with its `CausingEntity`).
    pub causes: Vec<Cause>,
}

/// One cause a change set gives for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `ResourceReference`, `ParameterReference`, `ResourceAttribute`,
    /// `DirectModification`, `Automatic`, … (kept as given).
    pub source: String,
    /// The parameter, resource or `Resource.Attribute` it names.
    pub entity: Option<String>,
    /// Its detail requires recreation (`RequiresRecreation` other than `Never`):
    /// it is what forces a replacement.
    pub forces: bool,
}

/// The order of a replacement, and what happens to the old object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplaceOrder {
    /// The old object is destroyed, then the new one created (Terraform's default).
    DestroyBeforeCreate,
    /// The new object is created first (`create_before_destroy`).
    CreateBeforeDestroy,
    /// The old object is abandoned, not destroyed (`forget` + `create`,
    /// CloudFormation `ReplaceAndRetain`).
    OldObjectForgotten,
}

/// Why a plan, although readable, cannot be judged: `check` refuses it (exit 2),
/// `changes` lists it with the gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Gap {
    /// Terraform wrote the plan although planning failed: it is partial.
    Errored,
    /// A nested stack's change set was not given, so what it changes is unknown.
    NestedChangeSetMissing {
        stack: String,
        change_set_id: String,
    },
    /// A nested (child) change set was given without its root: the root's own
    /// changes, executed together with it, are unknown.
    RootChangeSetMissing { parent_change_set_id: String },
    /// A nested stack is updated but the change set was made without
    /// `--include-nested-stacks`, so what changes inside it is unknown.
    NestedStackNotDescribed { stack: String },
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gap::Errored => f.write_str(
                "the plan is errored: Terraform wrote it although planning failed, so it is partial",
            ),
            Gap::NestedChangeSetMissing {
                stack,
                change_set_id,
            } => write!(
                f,
                "the change set of nested stack `{stack}` ({change_set_id}) was not given: \
                 what it changes is unknown"
            ),
            Gap::NestedStackNotDescribed { stack } => write!(
                f,
                "nested stack `{stack}` is modified, but the change set does not describe its \
                 contents (create it with --include-nested-stacks and give plangate each nested \
                 change set)"
            ),
            Gap::RootChangeSetMissing {
                parent_change_set_id,
            } => write!(
                f,
                "this is a nested stack's change set, and its parent ({parent_change_set_id}) \
                 was not given or does not name it: it only executes together with its root, \
                 whose changes are unknown"
            ),
        }
    }
}

/// Something worth knowing about a plan that does not stop it being judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Note {
    /// Terraform `complete: false`: a `-target`ed plan or one with deferred changes.
    Incomplete,
    /// Terraform `deferred_changes`: changes left for a later plan.
    Deferred { count: usize },
    /// CloudFormation `ExecutionStatus` other than `AVAILABLE` / `UNAVAILABLE`.
    ExecutionStatus { status: String },
    /// CloudFormation `Status: FAILED` because there was nothing to change.
    NoChanges,
    /// The CloudFormation console's "JSON changes" export (camelCase, no header):
    /// its status and pagination cannot be checked.
    ConsoleExport,
    /// Produced by OpenTofu rather than Terraform (told by the provider registry).
    OpenTofu,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Incomplete => f.write_str(
                "incomplete plan (complete: false): made with -target or with deferred changes",
            ),
            Note::Deferred { count } => write!(f, "{count} change(s) deferred to a later plan"),
            Note::ExecutionStatus { status } => write!(f, "ExecutionStatus is {status}"),
            Note::NoChanges => f.write_str("CloudFormation found nothing to change"),
            Note::ConsoleExport => f.write_str(
                "read from the console's JSON export: status and pagination cannot be checked",
            ),
            Note::OpenTofu => f.write_str("made by OpenTofu"),
        }
    }
}

/// One plan: a Terraform plan, or a CloudFormation change set with its pages and
/// nested change sets merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The file it was read from (the root change set's file for CloudFormation).
    pub path: String,
    pub format: Format,
    /// Terraform / OpenTofu version that wrote the plan, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    pub changes: Vec<Change>,
    /// Further files merged into this plan (CloudFormation pages, nested change sets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// What a Terraform plan says of the configuration it was made from
    /// (`check` compares it with the head: [`crate::provenance`]).
    #[serde(skip)]
    pub origin: crate::provenance::Origin,
}

impl Plan {
    pub fn destructive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.action.is_destructive())
    }

    /// How many changes of each action, in [`Action::ALL`] order, zeros left out.
    pub fn counts(&self) -> Vec<(Action, usize)> {
        Action::ALL
            .iter()
            .map(|&a| (a, self.changes.iter().filter(|c| c.action == a).count()))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

/// A Terraform address without instance keys: `module.a["x"].aws_s3_bucket.b[0]` → `module.a.aws_s3_bucket.b`.
pub fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' if depth > 0 => in_string = true,
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' => {}
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(strip_keys(r#"module.a["x.y]"].b.c[0]"#), "module.a.b.c");
        assert_eq!(strip_keys("aws_s3_bucket.b"), "aws_s3_bucket.b");
    }
}
