//! Everything that stops a plan from being read. Each is exit 2: plangate refuses
//! what it cannot read rather than guessing (fail closed).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::excerpt::Excerpt;

/// The commands that turn plans into files plangate reads; repeated in help lines.
const PRODUCE: &str = "plangate reads `terraform show -json PLANFILE` (or `tofu show -json`) \
output, binary plan files, and `aws cloudformation describe-change-set --output json` output";

#[derive(Debug, Error, Diagnostic)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(
        code(plangate::read::io),
        help("check that the path exists and that this user may read it")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot walk the directory {path}: {source}")]
    #[diagnostic(
        code(plangate::read::walk),
        help("check the directory's permissions, or name the plan files explicitly")
    )]
    Walk {
        path: String,
        #[source]
        source: walkdir::Error,
    },

    #[error("{path} is empty")]
    #[diagnostic(
        code(plangate::read::empty),
        help(
            "the command that wrote it probably failed; look at its log, then write it again \
             (`terraform show -json tfplan > plan.json`)"
        )
    )]
    Empty { path: String },

    #[error("{path} is UTF-16 text; plangate reads UTF-8 JSON")]
    #[diagnostic(
        code(plangate::read::utf16),
        help(
            "Windows PowerShell's `>` writes UTF-16; write the file with \
             `terraform show -json tfplan | Out-File -Encoding utf8 plan.json`"
        )
    )]
    Utf16 { path: String },

    #[error("{path}: invalid JSON at line {line}, column {column}: {message}")]
    #[diagnostic(code(plangate::read::json_syntax))]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[help]
        help: String,
        #[source_code]
        excerpt: Excerpt,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("{path}: {message} (line {line}, column {column})")]
    #[diagnostic(
        code(plangate::read::shape),
        help(
            "this file looks like a plan but a field has the wrong shape; give plangate the \
             unmodified output of the tool that made it"
        )
    )]
    Shape {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[source_code]
        excerpt: Excerpt,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("{path} is not a plan: {what}")]
    #[diagnostic(code(plangate::read::not_a_plan), help("{}", PRODUCE))]
    NotAPlan { path: String, what: String },

    #[error("{path}: unsupported plan format_version {version:?}")]
    #[diagnostic(
        code(plangate::read::format_version),
        help(
            "this plangate reads Terraform plan JSON format versions 0.x and 1.x; a new major \
             version changes the format incompatibly, so plangate will not guess: upgrade plangate"
        )
    )]
    UnsupportedVersion {
        path: String,
        version: String,
        #[source_code]
        excerpt: Option<Excerpt>,
        #[label("format_version")]
        span: Option<SourceSpan>,
    },

    #[error("{path} has resource_changes but no format_version")]
    #[diagnostic(
        code(plangate::read::no_format_version),
        help(
            "this is not unmodified `terraform show -json` output (it may have been trimmed); \
             plangate needs the version to know how to read it: give it the full output"
        )
    )]
    NoFormatVersion { path: String },

    #[error("{path}: {address} has actions {actions}, which this plangate does not know")]
    #[diagnostic(
        code(plangate::read::unknown_action),
        help(
            "known actions are no-op, create, read, update, delete and forget, and the replace \
             pairs delete+create, create+delete, create+forget, forget+create; a newer Terraform \
             may have added one: upgrade plangate. It will not guess what an unknown action does."
        )
    )]
    UnknownAction {
        path: String,
        address: String,
        actions: String,
        #[source_code]
        excerpt: Option<Excerpt>,
        #[label("this change")]
        span: Option<SourceSpan>,
    },

    #[error("{path}: {field} of {logical_id} is {value:?}, which this plangate does not know")]
    #[diagnostic(
        code(plangate::read::unknown_value),
        help(
            "known values of {field} are {known}; AWS may have added one: upgrade plangate. It \
             will not guess what an unknown value does."
        )
    )]
    UnknownValue {
        path: String,
        logical_id: String,
        field: &'static str,
        value: String,
        known: &'static str,
        #[source_code]
        excerpt: Option<Excerpt>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    #[error("{path}: {what} is missing")]
    #[diagnostic(
        code(plangate::read::missing_field),
        help("give plangate the unmodified output of the tool that made the plan")
    )]
    MissingField { path: String, what: String },

    #[error("{path}: the change set's Status is {status}, not CREATE_COMPLETE{}", reason_suffix(.reason))]
    #[diagnostic(code(plangate::read::change_set_status), help("{}", status_help(.status)))]
    ChangeSetStatus {
        path: String,
        status: String,
        reason: Option<String>,
    },

    #[error("{path}: CloudFormation says this change set may be missing changes")]
    #[diagnostic(
        code(plangate::read::change_set_incomplete),
        help("describe it again without --include-property-values (StatusReason: {reason})")
    )]
    PropertyValuesIncomplete { path: String, reason: String },

    #[error(
        "{path}: a page of change set {change_set} has a NextToken, but the page after it was not given"
    )]
    #[diagnostic(
        code(plangate::read::page_missing),
        help(
            "save the whole change set with the AWS CLI's default pagination (no --no-paginate, \
             no --max-items), or give plangate every page"
        )
    )]
    PageMissing { path: String, change_set: String },

    #[error("{path}: two pages of change set {change_set} both claim to be the last page")]
    #[diagnostic(
        code(plangate::read::page_duplicate),
        help("give each page of a change set once")
    )]
    PageDuplicate { path: String, change_set: String },

    #[error("{path}: nested change sets refer to each other in a loop ({change_set})")]
    #[diagnostic(
        code(plangate::read::nested_loop),
        help("give plangate the root change set and its children as CloudFormation wrote them")
    )]
    NestedLoop { path: String, change_set: String },

    #[error(
        "{path} is a Terraform binary plan, and neither `terraform` nor `tofu` is on PATH to read it"
    )]
    #[diagnostic(
        code(plangate::read::no_plan_tool),
        help(
            "run `terraform show -json {path} > plan.json` (or `tofu show -json`) where the plan \
             was made, with the same version and providers, and give plangate plan.json"
        )
    )]
    NoPlanTool { path: String },

    #[error("`{tool} show -json {path}` failed ({status})")]
    #[diagnostic(
        code(plangate::read::plan_tool_failed),
        help(
            "binary plans can only be read by the Terraform or OpenTofu version that wrote them, \
             in the directory where `init` ran; run `{tool} show -json {path} > plan.json` there \
             and give plangate plan.json. {tool} said: {stderr}"
        )
    )]
    PlanToolFailed {
        path: String,
        tool: String,
        status: String,
        stderr: String,
    },

    #[error("{path} is an encrypted OpenTofu plan")]
    #[diagnostic(
        code(plangate::read::encrypted_plan),
        help(
            "run `tofu show -json {path} > plan.json` with the encryption key configured, and give plangate plan.json"
        )
    )]
    EncryptedPlan { path: String },

    #[error("{path} is a plan file from Terraform older than 0.12, which has no JSON form")]
    #[diagnostic(
        code(plangate::read::legacy_plan),
        help("make the plan with Terraform 0.12 or later")
    )]
    LegacyPlan { path: String },

    #[error("{path} holds more than {limit} changes: plangate reads at most {limit} from one file")]
    #[diagnostic(
        code(plangate::read::too_many_changes),
        help(
            "plangate keeps every change of a plan in memory (about 1 KB each), so it stops at \
             {limit} rather than run out of memory; no real plan is that big: check that the file \
             is the plan you meant, or split the configuration into smaller root modules (stacks) \
             and give plangate each plan"
        )
    )]
    TooManyChanges { path: String, limit: usize },

    #[error(
        "no plan found in {path} ({looked_at} file(s) looked at, {not_plans} JSON file(s) that are not plans)"
    )]
    #[diagnostic(code(plangate::read::no_plans), help("{}", PRODUCE))]
    NoPlans {
        path: String,
        looked_at: usize,
        not_plans: usize,
    },
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

fn status_help(status: &str) -> &'static str {
    match status {
        "CREATE_PENDING" | "CREATE_IN_PROGRESS" => {
            "CloudFormation is still computing the change set: wait with `aws cloudformation wait \
             change-set-create-complete`, then describe it again"
        }
        "FAILED" => {
            "CloudFormation could not compute the change set; fix what StatusReason says and \
             create it again"
        }
        "DELETE_PENDING" | "DELETE_IN_PROGRESS" | "DELETE_COMPLETE" | "DELETE_FAILED" => {
            "the change set is being or has been deleted; create it again"
        }
        _ => {
            "only a CREATE_COMPLETE change set lists its changes completely; this plangate does \
             not know this status, so it will not guess"
        }
    }
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Walk { path, .. }
            | ReadError::Empty { path }
            | ReadError::Utf16 { path }
            | ReadError::Syntax { path, .. }
            | ReadError::Shape { path, .. }
            | ReadError::NotAPlan { path, .. }
            | ReadError::UnsupportedVersion { path, .. }
            | ReadError::NoFormatVersion { path }
            | ReadError::UnknownAction { path, .. }
            | ReadError::UnknownValue { path, .. }
            | ReadError::MissingField { path, .. }
            | ReadError::ChangeSetStatus { path, .. }
            | ReadError::PropertyValuesIncomplete { path, .. }
            | ReadError::PageMissing { path, .. }
            | ReadError::PageDuplicate { path, .. }
            | ReadError::NestedLoop { path, .. }
            | ReadError::NoPlanTool { path }
            | ReadError::PlanToolFailed { path, .. }
            | ReadError::EncryptedPlan { path }
            | ReadError::LegacyPlan { path }
            | ReadError::TooManyChanges { path, .. }
            | ReadError::NoPlans { path, .. } => path,
        }
    }
}

/// Every file that could not be read, reported together so that one run shows
/// every problem.
#[derive(Debug, Error, Diagnostic)]
#[error("{} plan file(s) could not be read", .errors.len())]
#[diagnostic(code(plangate::read::failed))]
pub struct ReadErrors {
    #[related]
    pub errors: Vec<ReadError>,
}
