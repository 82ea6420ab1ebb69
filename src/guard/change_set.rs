//! The change set an `aws cloudformation execute-change-set` would execute,
//! read as CI would read it: `aws cloudformation describe-change-set` (the
//! real AWS CLI, in the hook's environment: its credentials, profile and
//! region), with the same account, region and endpoint options the command
//! gives, and each nested stack's change set after its parent's.
//!
//! The CLI joins a change set's pages itself; a page that still names a next
//! one, a nested change set that cannot be described, an error of the CLI:
//! the change set cannot be judged, and the guard holds the command.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::commands::ChangeSetRef;
use super::run::flat;
use crate::model::Plan;
use crate::parse::{self, Parsed};

/// More change sets than one root and its nested stacks ever hold.
const MAX_DOCUMENTS: usize = 200;

/// The plans of the change set `target` names and of its nested stacks.
pub fn describe(target: &ChangeSetRef, cwd: &Path) -> Result<Vec<Plan>, String> {
    let mut pages = Vec::new();
    let mut queue = vec![(target.change_set.clone(), target.stack.clone())];
    let mut seen = std::collections::HashSet::new();
    while let Some((name, stack)) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if seen.len() > MAX_DOCUMENTS {
            return Err(format!(
                "the change set has more than {MAX_DOCUMENTS} nested change sets"
            ));
        }
        let shown = format!("describe-change-set {name}");
        let bytes = run(target, &name, stack.as_deref(), cwd)?;
        let document: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("`aws cloudformation {shown}` printed no JSON ({e})"))?;
        queue.extend(nested(&document).into_iter().map(|arn| (arn, None)));
        match parse::parse_json(&shown, &bytes).map_err(|e| flat(&e))? {
            Parsed::Page(page) => pages.push(page),
            Parsed::Plan(_) | Parsed::NotAPlan(_) => {
                return Err(format!(
                    "`aws cloudformation {shown}` printed something that is not a change set"
                ));
            }
        }
    }
    let plans = parse::assemble(pages).map_err(|errors| {
        errors
            .iter()
            .map(|e| flat(e))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    for plan in &plans {
        if let Some(gap) = plan.gaps.first() {
            return Err(format!("{}: {gap}", plan.path));
        }
    }
    Ok(plans)
}

/// The ARNs of the nested stacks' change sets a change set names.
fn nested(document: &Value) -> Vec<String> {
    document
        .get("Changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/ResourceChange/ChangeSetId")?.as_str())
        .map(str::to_owned)
        .collect()
}

/// One `describe-change-set` call's output.
fn run(
    target: &ChangeSetRef,
    name: &str,
    stack: Option<&str>,
    cwd: &Path,
) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new("aws");
    cmd.args(&target.globals)
        .args([
            "cloudformation",
            "describe-change-set",
            "--change-set-name",
            name,
        ])
        .args(stack.map(|s| ["--stack-name", s]).into_iter().flatten())
        .args(["--output", "json"])
        .envs(target.env.iter().map(|(k, v)| (k, v)))
        // No pager waiting for a terminal that is not there.
        .env("AWS_PAGER", "")
        .current_dir(cwd)
        .stdin(std::process::Stdio::null());
    let out = cmd.output().map_err(|e| {
        format!(
            "the AWS CLI (`aws`) could not be run ({e}): plangate describes the change set with \
             it, so install it where the agent's hook runs"
        )
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr: String = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(format!(
            "`aws cloudformation describe-change-set --change-set-name {name}` failed ({}): {}",
            out.status,
            stderr.chars().take(400).collect::<String>()
        ));
    }
    Ok(out.stdout)
}
