//! `plangate check` as SARIF 2.1.0, for code scanning: one result per finding,
//! on the lines of the block that declares the resource.

use serde_json::{Value, json};

use super::check::{approval_state, what, who};
use crate::gate::{Finding, Report, Status};
use crate::policy::{Policy, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Where a result points: the block at the head, else the plan file (a
/// deleted block's lines are not in the head, which code scanning shows).
fn location(f: &Finding, report: &Report) -> Value {
    let (uri, start, end) = match (&f.location, &f.plan) {
        (Some(loc), _) if loc.rev == report.range.head => {
            (loc.file.clone(), loc.lines.start, loc.lines.end)
        }
        (_, Some(plan)) => (plan.clone(), 1, 1),
        (_, None) => (f.address.clone(), 1, 1),
    };
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri.trim_start_matches("./") },
            "region": { "startLine": start, "endLine": end }
        }
    })
}

pub fn sarif(report: &Report, policy: &Policy) -> String {
    let mut rule_ids: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let rule = policy.rule(id);
            let text = |s: Option<&str>| json!({ "text": s.unwrap_or(id) });
            json!({
                "id": id,
                "name": id,
                "shortDescription": text(rule.map(|r| r.description.as_str())),
                "fullDescription": text(rule.map(|r| r.why.as_str())),
                "help": text(rule.map(|r| r.example.as_str())),
                "defaultConfiguration": { "level": rule.map_or("error", |r| level(r.severity)) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rule_ids.iter().position(|id| *id == f.rule).unwrap_or(0);
            let (level, kind) = match f.status {
                Status::Approved => ("none", "pass"),
                _ => (level(f.severity), "fail"),
            };
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "kind": kind,
                "level": level,
                "message": { "text": format!("{} written by {}: {}.", what(f), who(f), approval_state(f)) },
                "locations": [location(f, report)],
                "partialFingerprints": {
                    "plangate/v1": format!("{}:{}:{}", f.rule, f.plan.as_deref().unwrap_or(""), f.address)
                },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "plangate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    doc.to_string()
}
