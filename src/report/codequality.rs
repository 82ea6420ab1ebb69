//! `plangate check` as GitLab's Code Quality report (`artifacts: reports:
//! codequality`), which the merge request shows beside its diff: one issue
//! per finding, at the block that declares the resource.
//!
//! The format is a JSON array of Code Climate issues, of which GitLab reads
//! `description`, `check_name`, `fingerprint` (unique in the report: GitLab
//! compares reports by it), `severity` (`info`, `minor`, `major`, `critical`,
//! `blocker`) and `location.path` with `location.lines.begin`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::check::{approval_state, what, who};
use super::sarif::place;
use crate::gate::{Finding, Report, Status};
use crate::policy::Severity;

/// What a finding weighs in the merge request: a blocked error stops the
/// pipeline, so it is a blocker; an approved one is only information.
fn severity(f: &Finding, preview: bool) -> &'static str {
    match (f.status, f.severity) {
        (Status::Approved | Status::Excepted, _) | (_, Severity::Info) => "info",
        (Status::Blocked, Severity::Error) if !preview => "blocker",
        (Status::Blocked, Severity::Error) => "major",
        _ => "minor",
    }
}

pub fn codequality(report: &Report) -> String {
    let preview = report.preview();
    let mut seen = std::collections::HashSet::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut description = format!(
                "{} written by {}: {}.",
                what(f),
                who(f),
                approval_state(f, preview)
            );
            for ignored in f.approval.iter().flat_map(|a| &a.ignored) {
                description.push_str(&format!(
                    " {}'s approval does not count: {}.",
                    ignored.user, ignored.why
                ));
            }
            // The item's id where there is one (the same change is the same
            // issue from push to push); else the finding's own identity.
            let identity = match &f.item {
                Some(item) => item.id.clone(),
                None => hex(&format!(
                    "{}\n{}\n{}\n{}",
                    f.rule,
                    f.plan_in_repo
                        .as_deref()
                        .or(f.plan.as_deref())
                        .unwrap_or(""),
                    f.address,
                    f.action.as_str()
                )),
            };
            // Fingerprints must be unique in a report: a repeat (a deposed
            // object beside the current one) is told apart by its position.
            let fingerprint = match seen.insert(identity.clone()) {
                true => identity,
                false => hex(&format!("{identity}\n{i}")),
            };
            let (path, line) = match place(f, report) {
                Some(p) => (p.path, p.start),
                None => (f.plan.clone().unwrap_or_else(|| f.address.clone()), 1),
            };
            json!({
                "type": "issue",
                "check_name": f.rule,
                "description": description,
                "categories": ["Security"],
                "severity": severity(f, preview),
                "fingerprint": fingerprint,
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    Value::Array(issues).to_string()
}

fn hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}
