//! `plangate rules`, `plangate explain RULE`, and docs/rules.md: the rule set
//! rendered from the same data the gate evaluates.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::policy::{Policy, Rule, Subject};

/// "delete, replace of stateful resources, written by agent"
pub fn matches(rule: &Rule) -> String {
    let m = &rule.matcher;
    let mut parts = Vec::new();
    match &m.subject {
        Subject::Changes {
            actions,
            resource_types,
            resource_groups,
            addresses,
            plans,
        } => {
            let acts: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
            parts.push(if acts.is_empty() {
                "any change".to_owned()
            } else {
                acts.join(" or ")
            });
            if !resource_groups.is_empty() {
                parts.push(format!("of {} resources", resource_groups.join(", ")));
            } else if !resource_types.is_empty() {
                let t: Vec<&str> = resource_types.iter().map(|p| p.text.as_str()).collect();
                parts.push(format!("of {}", t.join(", ")));
            }
            if !addresses.is_empty() {
                let a: Vec<&str> = addresses.iter().map(|p| p.text.as_str()).collect();
                parts.push(format!("at {}", a.join(", ")));
            }
            if !plans.is_empty() {
                let p: Vec<&str> = plans.iter().map(|p| p.text.as_str()).collect();
                parts.push(format!("in plans {}", p.join(", ")));
            }
        }
        Subject::Files { files, containing } => {
            let f: Vec<&str> = files
                .iter()
                .map(|p| {
                    if p.text == crate::gate::CONFIG_TOKEN {
                        "the plangate configuration"
                    } else {
                        p.text.as_str()
                    }
                })
                .collect();
            parts.push(format!("a change to {}", f.join(", ")));
            if let Some(c) = containing {
                parts.push(format!("containing \"{c}\""));
            }
        }
    }
    if !m.authored_by.is_empty() {
        let by: Vec<&str> = m.authored_by.iter().map(|a| a.as_str()).collect();
        parts.push(format!("written by {}", by.join(" or ")));
    }
    parts.join(" ")
}

/// "2 approvals from team:sre" / "warning" / "info"
pub fn requires(rule: &Rule) -> String {
    match &rule.require {
        Some(r) => {
            let plural = if r.approvals == 1 { "" } else { "s" };
            let from = if r.from.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = r.from.iter().map(ToString::to_string).collect();
                format!(" from {}", names.join(", "))
            };
            format!("{} approval{plural}{from}", r.approvals)
        }
        None => rule.severity.as_str().to_owned(),
    }
}

pub fn human(policy: &Policy) -> String {
    let mut out = String::new();
    let width = policy.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "{:width$}  {:<7}  {}",
            r.id,
            r.severity.as_str(),
            r.description
        );
        let _ = writeln!(
            out,
            "{:width$}  {:<7}  when {}: {}",
            "",
            "",
            matches(r),
            requires(r)
        );
        let _ = writeln!(out, "{:width$}  {:<7}  from {}", "", "", r.origin);
    }
    for o in policy.overrides() {
        let _ = writeln!(
            out,
            "override: {} ({}) loosened by {}: {}",
            o.rule,
            o.builtin,
            o.by,
            o.what.join(", ")
        );
    }
    for e in &policy.exceptions {
        let _ = writeln!(
            out,
            "exception: {} ({}) waives {} until {}: {}",
            e.name,
            e.origin,
            e.scope(),
            e.expires,
            e.reason
        );
    }
    for w in &policy.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

pub fn json(policy: &Policy) -> String {
    let rules: Vec<Value> = policy
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "severity": r.severity, "description": r.description,
                "matches": matches(r), "require": r.require, "origin": r.origin,
                "overrides": r.overrides,
            })
        })
        .collect();
    json!({
        "version": 1,
        "rules": rules,
        "disabled": policy.disabled,
        "warnings": policy.warnings,
    })
    .to_string()
}

pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})\n", rule.id, rule.severity.as_str());
    let _ = writeln!(out, "{}\n", rule.description);
    let _ = writeln!(out, "Flags: {}.", matches(rule));
    let _ = writeln!(out, "Requires: {}.", requires(rule));
    let _ = writeln!(out, "Defined in: {}.", rule.origin);
    if let Some(o) = &rule.overrides {
        let _ = writeln!(
            out,
            "Overrides the built-in rule ({}): {}.",
            o.builtin,
            o.what.join(", ")
        );
    }
    if !rule.why.is_empty() {
        let _ = writeln!(out, "\nWhy:\n{}", indent(&rule.why));
    }
    if !rule.example.is_empty() {
        let _ = writeln!(out, "\nExample:\n{}", indent(&rule.example));
    }
    out
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// docs/rules.md: the built-in rules, generated (a test fails when it drifts).
pub fn docs(policy: &Policy) -> String {
    let mut out = String::from(
        "# Built-in rules\n\n<!-- Generated from rules/*.hcl by `PLANGATE_UPDATE_DOCS=1 cargo test --test docs`. Do not edit. -->\n\n\
         plangate works with no configuration: these rules are compiled in. A repository adds rules\n\
         and tightens these in `.plangate.hcl`; loosening one needs `override = true`, which\n\
         `plangate check` reports. `plangate explain RULE` prints the same text.\n\n",
    );
    out.push_str("| rule | severity | flags | requires |\n|---|---|---|---|\n");
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} |",
            r.id,
            r.id,
            r.severity.as_str(),
            matches(r),
            requires(r)
        );
    }
    for r in &policy.rules {
        let _ = writeln!(out, "\n## {}\n\n{}\n", r.id, r.description);
        let _ = writeln!(out, "- **Flags:** {}", matches(r));
        let _ = writeln!(out, "- **Requires:** {}", requires(r));
        let _ = writeln!(out, "- **Defined in:** `{}`\n", r.origin.file);
        let _ = writeln!(out, "### Why\n\n{}\n", r.why.trim_end());
        let _ = writeln!(out, "### Example\n\n```\n{}\n```", r.example.trim_end());
    }
    for g in &policy.groups {
        let _ = writeln!(
            out,
            "\n## Resource group `{}`\n\n{}\n",
            g.name, g.description
        );
        let types: Vec<String> = g.types.iter().map(|t| format!("`{}`", t.text)).collect();
        let _ = writeln!(out, "{}", types.join(", "));
    }
    let _ = writeln!(
        out,
        "\n# Commands the agent guard holds\n\n`plangate guard` holds these before an agent runs \
         them (`rules/guard.hcl`); `plangate explain ID` prints each.\n"
    );
    out.push_str("| command | holds | what it does |\n|---|---|---|\n");
    for h in crate::guard::commands::builtin() {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} {} |",
            h.id,
            held_words(h),
            h.description,
            h.why
        );
    }
    out
}

/// `terraform|tofu destroy`, `aws s3 rm --recursive`: what a held command looks like.
fn held_words(h: &crate::guard::commands::Held) -> String {
    let mut s = format!("{} {}", h.programs.join("|"), h.words.join(" "));
    if !h.flags.is_empty() {
        s.push_str(&format!(" {}", h.flags.join("|")));
    }
    if !h.unless.is_empty() {
        s.push_str(&format!(" (not with {})", h.unless.join(", ")));
    }
    s
}

/// `plangate explain ID` for a command the guard holds.
pub fn explain_held(h: &crate::guard::commands::Held) -> String {
    format!(
        "{} (held by plangate guard)\n\n{}\n\nHolds: {}.\nDefined in: rules/guard.hcl.\n\nWhy:\n  {}\n\nExample:\n  {}\n",
        h.id,
        h.description,
        held_words(h),
        h.why,
        h.example
    )
}
