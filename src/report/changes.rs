//! `plangate changes`: the normalized change list, as JSON (the contract's shape)
//! and as a summary for people.

use std::fmt::Write;

use serde::Serialize;

use crate::input::{Reading, Skipped};
use crate::model::{Change, Format, Gap, Note, Plan};

/// Version of the `changes` JSON document.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    plans: Vec<PlanView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped: &'a [Skipped],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    duplicates: &'a [crate::input::Duplicate],
}

#[derive(Serialize)]
struct PlanView<'a> {
    path: &'a str,
    format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_version: Option<&'a str>,
    changes: &'a [Change],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    parts: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    gaps: Vec<Said<'a, Gap>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Said<'a, Note>>,
}

/// A gap or note with its sentence beside its machine-readable fields.
#[derive(Serialize)]
struct Said<'a, T> {
    #[serde(flatten)]
    what: &'a T,
    message: String,
}

fn said<T: std::fmt::Display>(items: &[T]) -> Vec<Said<'_, T>> {
    items
        .iter()
        .map(|what| Said {
            what,
            message: what.to_string(),
        })
        .collect()
}

/// `{"version":1,"plans":[{"path","format","changes":[…]}]}`, one line.
pub fn json(reading: &Reading) -> String {
    let doc = Document {
        version: VERSION,
        plans: reading
            .plans
            .iter()
            .map(|p| PlanView {
                path: &p.path,
                format: p.format,
                tool_version: p.tool_version.as_deref(),
                changes: &p.changes,
                parts: &p.parts,
                gaps: said(&p.gaps),
                notes: said(&p.notes),
            })
            .collect(),
        skipped: &reading.skipped,
        duplicates: &reading.duplicates,
    };
    // Serializing plain owned data into a String cannot fail.
    serde_json::to_string(&doc).unwrap_or_default()
}

/// Counts per action, then every destructive change with its reasons.
pub fn human(reading: &Reading) -> String {
    let mut out = String::new();
    for (i, plan) in reading.plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        plan_summary(&mut out, plan);
    }
    if !reading.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nskipped {} JSON file(s) that are not plans:",
            reading.skipped.len()
        );
        for s in &reading.skipped {
            let _ = writeln!(out, "  {}: {}", s.path, s.why);
        }
    }
    for d in &reading.duplicates {
        let _ = writeln!(
            out,
            "\n{} is the same plan as {}: read once",
            d.path, d.same_as
        );
    }
    out
}

fn plan_summary(out: &mut String, plan: &Plan) {
    let tool = match (&plan.format, &plan.tool_version) {
        (Format::Terraform, Some(v)) => format!("terraform {v}"),
        (f, _) => f.to_string(),
    };
    let counts: Vec<String> = plan
        .counts()
        .iter()
        .map(|(a, n)| format!("{n} {a}"))
        .collect();
    let total = plan.changes.len();
    let _ = write!(out, "{} ({tool}): {total} change(s)", plan.path);
    if !counts.is_empty() {
        let _ = write!(out, ": {}", counts.join(", "));
    }
    out.push('\n');
    for part in &plan.parts {
        let _ = writeln!(out, "  with {part}");
    }
    for gap in &plan.gaps {
        let _ = writeln!(out, "  ! {gap}");
    }
    for note in &plan.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let destructive: Vec<&Change> = plan.destructive().collect();
    if destructive.is_empty() {
        out.push_str("  nothing is destroyed, replaced or forgotten\n");
        return;
    }
    let width = destructive
        .iter()
        .map(|c| c.action.as_str().len())
        .max()
        .unwrap_or(0);
    for c in destructive {
        let _ = write!(
            out,
            "  {:width$}  {}  ({})",
            c.action.as_str(),
            c.address,
            c.resource_type
        );
        if let Some(d) = &c.deposed {
            let _ = write!(out, " deposed object {d}");
        }
        out.push('\n');
        let pad = " ".repeat(width + 4);
        if !c.reasons.is_empty() {
            let reasons: Vec<String> = c.reasons.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "{pad}why: {}", reasons.join(", "));
        }
        if !c.forced_by.is_empty() {
            let _ = writeln!(out, "{pad}forced by: {}", c.forced_by.join(", "));
        }
        if let Some(prev) = &c.previous_address {
            let _ = writeln!(out, "{pad}moved from: {prev}");
        }
    }
}
