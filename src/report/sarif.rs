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

/// Where a result points: the block that declares the resource, at the head,
/// or, for a resource the change deletes, at the base (the location says
/// which revision, and the plan file follows as a related location); else the
/// plan file. Locations are repository-relative: a path outside the
/// repository is no SARIF location at all (code scanning could not show it).
fn locations(f: &Finding, report: &Report) -> (Vec<Value>, Vec<Value>) {
    let region = |path: &str, start: usize, end: usize| {
        json!({
            "artifactLocation": { "uri": path.trim_start_matches("./") },
            "region": { "startLine": start, "endLine": end }
        })
    };
    if let Some(loc) = &f.location
        && loc.rev != report.range.head
    {
        let short = &loc.rev[..loc.rev.len().min(12)];
        let related = f
            .plan_in_repo
            .iter()
            .map(|plan| {
                json!({
                    "id": 1,
                    "physicalLocation": region(plan, 1, 1),
                    "message": { "text": "the plan that deletes it" },
                })
            })
            .collect();
        return (
            vec![json!({
                "physicalLocation": region(&loc.file, loc.lines.start, loc.lines.end),
                "message": { "text": format!("declared here at the base {short}; this change deletes it") },
                "properties": { "revision": loc.rev },
            })],
            related,
        );
    }
    let Some(place) = place(f, report) else {
        return (Vec::new(), Vec::new());
    };
    (
        vec![json!({ "physicalLocation": region(&place.path, place.start, place.end) })],
        Vec::new(),
    )
}

/// A finding's place in the repository, as code review tools point at it.
pub struct Place {
    /// Repository-relative, without a leading `./`.
    pub path: String,
    pub start: usize,
    pub end: usize,
}

/// Where a finding points in the repository, if anywhere (shared by SARIF
/// and GitLab's Code Quality report).
pub fn place(f: &Finding, report: &Report) -> Option<Place> {
    let (path, start, end) = match (&f.location, &f.plan_in_repo) {
        (Some(loc), _) if loc.rev == report.range.head => {
            (loc.file.clone(), loc.lines.start, loc.lines.end)
        }
        (_, Some(plan)) => (plan.clone(), 1, 1),
        // A file finding's address is the file's path in the repository.
        (None, None) if f.plan.is_none() => (f.address.clone(), 1, 1),
        _ => return None,
    };
    Some(Place {
        path: path.trim_start_matches("./").to_owned(),
        start,
        end,
    })
}

/// A SARIF 2.1.0 log of one run (shared with the error document).
pub(super) fn log(run: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
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
            // A repository's own rule may have no `why` or `example`: fall back
            // to its description, then its id, never to empty text.
            let text = |pick: fn(&crate::policy::Rule) -> &str| {
                let t = rule
                    .map(pick)
                    .filter(|t| !t.trim().is_empty())
                    .or(rule.map(|r| r.description.as_str()))
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or(id);
                json!({ "text": t })
            };
            json!({
                "id": id,
                "shortDescription": text(|r| r.description.as_str()),
                "fullDescription": text(|r| r.why.as_str()),
                "help": text(|r| r.example.as_str()),
                "defaultConfiguration": { "level": rule.map_or("error", |r| level(r.severity)) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rule_ids.iter().position(|id| *id == f.rule).unwrap_or(0);
            let preview = report.preview();
            let (level, kind) = match f.status {
                Status::Approved => ("none", "pass"),
                Status::Blocked if preview => ("warning", "fail"),
                _ => (level(f.severity), "fail"),
            };
            let mut message = format!("{} written by {}: {}.", what(f), who(f), approval_state(f, preview));
            for i in f.approval.iter().flat_map(|a| &a.ignored) {
                message.push_str(&format!(" {}'s approval does not count: {}.", i.user, i.why));
            }
            let (locations, related) = locations(f, report);
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "kind": kind,
                "level": level,
                "message": { "text": message },
                "locations": locations,
                "partialFingerprints": {
                    "plangate/v1": format!("{}:{}:{}", f.rule, f.plan_in_repo.as_deref().unwrap_or(""), f.address)
                },
            });
            // The destructive set's identity: the same item is the same
            // result to code scanning, an edited declaration a new one.
            if let Some(item) = &f.item {
                result["fingerprints"] = json!({ "plangate/item/v1": item.id });
            }
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            // Waived by the configuration: SARIF's own word for it, with the reason.
            if let Some(e) = f
                .exception
                .as_deref()
                .and_then(|name| report.exceptions.iter().find(|u| u.exception.name == name))
            {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!(
                        "exception {} ({}), until {}: {}",
                        e.exception.name, e.exception.origin, e.exception.expires, e.exception.reason
                    ),
                }]);
            }
            result
        })
        .collect();
    let doc = log(json!({
        "tool": { "driver": {
            "name": "plangate",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "results": results,
        "properties": {
            "destructiveSet": {
                "digest": report.destructive_set.digest,
                "items": report.destructive_set.items,
            },
            // Every exception of the configuration, used or not: what the
            // policy waives is part of what a reviewer reads.
            "exceptions": report.exceptions,
        },
    }));
    doc.to_string()
}
