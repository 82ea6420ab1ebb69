//! `plangate check` as JSON (the contract's version 1), markdown (also the
//! GitHub step summary) and GitHub workflow-command annotations.

use std::fmt::Write;

use crate::attribution::AuthoredBy;
use crate::gate::run::Checked;
use crate::gate::{ApprovalSource, Finding, Report, Status, Verdict};

pub fn json(report: &Report) -> String {
    serde_json::to_string(report).unwrap_or_default()
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

/// An item id or digest as people read it: the first 12 hex digits (the JSON
/// and SARIF outputs carry the whole).
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// "destructive set: 2 items needing approval, digest 1a2b3c4d5e6f", when
/// there are any.
pub fn set_line(r: &Report) -> Option<String> {
    let set = &r.destructive_set;
    (set.items > 0).then(|| {
        format!(
            "destructive set: {} item{} needing approval, digest {}",
            set.items,
            if set.items == 1 { "" } else { "s" },
            short_id(&set.digest)
        )
    })
}

/// "replace of `module.db.aws_db_instance.main` (aws_db_instance) in plan.json"
pub fn what(f: &Finding) -> String {
    match &f.plan {
        Some(plan) => format!(
            "{} of {} ({}) in {plan}",
            f.action, f.address, f.resource_type
        ),
        None => format!("{} of {}", f.action, f.address),
    }
}

/// "an agent (claude-code)", "a human", "unknown authors (counted as an agent)"
pub fn who(f: &Finding) -> String {
    let agents: Vec<&str> = f
        .commits
        .iter()
        .filter_map(|c| c.agent.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    match f.authored_by {
        AuthoredBy::Agent if agents.is_empty() => "an agent".into(),
        AuthoredBy::Agent => format!("an agent ({})", agents.join(", ")),
        AuthoredBy::Bot => "a bot".into(),
        AuthoredBy::Human => "a human".into(),
        AuthoredBy::Unknown => "no commit that could be found".into(),
    }
}

/// "needs 2 approvals, has 1 (alice)", "approved by alice and bob", "will
/// need 1 approval" (a preview, which checks none), …
pub fn approval_state(f: &Finding, preview: bool) -> String {
    let Some(a) = &f.approval else {
        return match f.status {
            Status::Warning => "it does not block (a warning)".into(),
            Status::Info => "for information".into(),
            Status::Excepted => excepted_state(f),
            _ => String::new(),
        };
    };
    let from = f
        .require
        .as_ref()
        .filter(|r| !r.from.is_empty())
        .map(|r| {
            let names: Vec<String> = r.from.iter().map(ToString::to_string).collect();
            format!(" from {}", names.join(", "))
        })
        .unwrap_or_default();
    let plural = if a.required == 1 { "" } else { "s" };
    // A carried approval says which commit it was given on.
    let names = a
        .approved_by
        .iter()
        .map(|login| match a.carried.iter().find(|c| &c.user == login) {
            Some(c) => format!("{login} (on {}, carried over)", short(&c.commit)),
            None => login.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if preview {
        format!("will need {} approval{plural}{from}", a.required)
    } else if a.satisfied {
        format!("approved by {names}")
    } else {
        let has = if a.approved_by.is_empty() {
            "has none".to_owned()
        } else {
            format!("has {} ({names})", a.approved_by.len())
        };
        format!("needs {} approval{plural}{from}, {has}", a.required)
    }
}

pub fn status_word(s: Status, preview: bool) -> &'static str {
    match s {
        Status::Blocked if preview => "needs approval",
        Status::Blocked => "blocked",
        Status::Approved => "approved",
        Status::Warning => "warning",
        Status::Info => "info",
        Status::Excepted => "excepted",
    }
}

fn icon(s: Status, preview: bool) -> &'static str {
    match s {
        Status::Blocked if preview => "⏳",
        Status::Blocked => "❌",
        Status::Approved => "✅",
        Status::Warning => "⚠️",
        Status::Info => "ℹ️",
        Status::Excepted => "🔓",
    }
}

pub fn source(r: &Report) -> String {
    match &r.approvals {
        ApprovalSource::Preview => "preview: approvals not checked".into(),
        ApprovalSource::None => "no approval source".into(),
        ApprovalSource::GitHub { pull_request } => {
            format!("approvals of pull request #{pull_request} from GitHub")
        }
        ApprovalSource::GitLab { merge_request } => {
            format!("GitLab merge request !{merge_request} approvals")
        }
        ApprovalSource::File { path, pull_request } => {
            format!("approvals of pull request #{pull_request} from {path}")
        }
        ApprovalSource::Apply {
            pull_request: Some(n),
            ..
        } => format!("applying: approvals of merged pull request #{n} from GitHub"),
        ApprovalSource::Apply { .. } => "applying: no merged pull request (a direct push)".into(),
    }
}

/// How many changes (or files) are in each state, a change's state being
/// the most pressing of its findings' (blocked, warning, approved, info).
fn changes_by_status(r: &Report) -> [usize; 5] {
    let mut seen: Vec<(&crate::gate::Target, &Option<String>, &str)> = Vec::new();
    let mut counts = [0; 5];
    for f in ordered(r) {
        let key = (&f.target, &f.plan, f.address.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let i = match f.status {
            Status::Blocked => 0,
            Status::Warning => 1,
            Status::Approved => 2,
            Status::Info => 3,
            Status::Excepted => 4,
        };
        counts[i] += 1;
    }
    counts
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line: the verdict and the counts, by change (a change several rules
/// match is one change, and as many rule hits).
pub fn headline(r: &Report) -> String {
    let [blocked, warning, approved, info, excepted] = changes_by_status(r);
    let hits = plural(r.findings.len(), "rule hit", "rule hits");
    // Shown only when the configuration waives something: most runs have none.
    let excepted = match excepted {
        0 => String::new(),
        n => format!(", {n} excepted"),
    };
    let ungated = match r.ungated.len() {
        0 => String::new(),
        n => format!(
            ", {} not gated",
            plural(n, "destructive change", "destructive changes")
        ),
    };
    if r.preview() {
        return format!(
            "plangate preview: {} will need approval, {warning} with warnings, {info} info{excepted} ({hits}{ungated}) · approvals not checked",
            plural(blocked, "change", "changes")
        );
    }
    let verdict = match r.result {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    };
    format!(
        "plangate: {verdict} · {} blocked, {approved} approved, {warning} with warnings, {info} info{excepted} ({hits}{ungated}) · {}",
        plural(blocked, "change", "changes"),
        source(r)
    )
}

/// "waived by exception NAME until DATE (agreed by …): REASON".
pub fn excepted_state(f: &Finding) -> String {
    f.exception
        .as_deref()
        .map(|name| format!("waived by exception {name}"))
        .unwrap_or_default()
}

/// One line per exception of the configuration: what it waives, until when,
/// why, who agreed and how many findings of this run it waived.
pub fn exception_lines(r: &Report) -> Vec<String> {
    r.exceptions
        .iter()
        .map(|u| {
            let e = &u.exception;
            let agreed = match e.agreed_by.is_empty() {
                true => String::new(),
                false => format!(", agreed by {}", e.agreed_by.join(", ")),
            };
            format!(
                "exception {} ({}): {} until {}{agreed}: {} ({})",
                e.name,
                e.origin,
                e.scope(),
                e.expires,
                e.reason,
                plural(u.waived, "finding waived", "findings waived")
            )
        })
        .collect()
}

/// One line per destructive change no rule gates.
pub fn ungated_lines(r: &Report) -> Vec<String> {
    r.ungated
        .iter()
        .map(|u| {
            let deposed = u
                .deposed
                .as_deref()
                .map(|d| format!(" (deposed {d})"))
                .unwrap_or_default();
            format!(
                "{} {}{deposed} ({}) in {}",
                u.action.as_str(),
                u.address,
                u.resource_type,
                u.plan
            )
        })
        .collect()
}

/// The heading of that list.
pub const UNGATED: &str = "also destroyed or replaced, not gated (no rule matches them)";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report as markdown: a table, then each finding's details.
pub fn markdown(checked: &Checked) -> String {
    let r = &checked.report;
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", headline(r));
    let _ = writeln!(
        out,
        "Range `{}..{}` · {} plan(s) · configuration: {}\n",
        short(&r.range.merge_base),
        short(&r.range.head),
        r.plans.len(),
        cell(&r.config)
    );
    let set = &r.destructive_set;
    if set.items > 0 {
        let _ = writeln!(
            out,
            "Destructive set: {} item(s) needing approval · digest `{}`\n",
            set.items,
            short_id(&set.digest)
        );
    }
    if r.findings.is_empty() {
        out.push_str("No rule matched any change.\n");
    } else {
        out.push_str(
            "| status | rule | change | written by | approvals |\n|---|---|---|---|---|\n",
        );
        let preview = r.preview();
        for f in ordered(r) {
            let _ = writeln!(
                out,
                "| {} {} | `{}` | {} | {} | {} |",
                icon(f.status, preview),
                status_word(f.status, preview),
                f.rule,
                cell(&what(f)),
                cell(&who(f)),
                cell(&approval_state(f, preview))
            );
        }
        for f in ordered(r).filter(|f| f.status != Status::Info) {
            let _ = writeln!(
                out,
                "\n<details><summary>{} <code>{}</code>: {}</summary>\n",
                icon(f.status, preview),
                f.rule,
                cell(&what(f))
            );
            if !f.reasons.is_empty() {
                let _ = writeln!(out, "- why the plan does it: {}", f.reasons.join(", "));
            }
            if !f.forced_by.is_empty() {
                let _ = writeln!(out, "- forced by: {}", f.forced_by.join(", "));
            }
            if let Some(loc) = &f.location {
                if loc.rev == r.range.head {
                    let _ = writeln!(
                        out,
                        "- declared in `{}` lines {}–{}",
                        loc.file, loc.lines.start, loc.lines.end
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "- declared in `{}` lines {}–{} at the base ({}); this change deletes it",
                        loc.file,
                        loc.lines.start,
                        loc.lines.end,
                        short(&loc.rev)
                    );
                }
            }
            if let Some(note) = &f.note {
                let _ = writeln!(out, "- {note}");
            }
            if let Some(item) = &f.item {
                let _ = writeln!(out, "- item `{}`", short_id(&item.id));
            }
            for c in &f.commits {
                let agent = c
                    .agent
                    .as_deref()
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- commit `{}` by {} — {}{agent}: {}",
                    short(&c.sha),
                    cell(&c.who.author.to_string()),
                    c.class.as_str(),
                    cell(&c.wrote.join("; "))
                );
                for e in &c.who.evidence {
                    let _ = writeln!(out, "  - {}", cell(e));
                }
            }
            if let Some(a) = &f.approval {
                for i in &a.ignored {
                    let _ = writeln!(
                        out,
                        "- approval by **{}** does not count: {}",
                        i.user,
                        cell(&i.why)
                    );
                }
            }
            out.push_str("\n</details>\n");
        }
    }
    let ungated = ungated_lines(r);
    if !ungated.is_empty() {
        let _ = writeln!(
            out,
            "\n**{}{}:**\n",
            UNGATED[..1].to_uppercase(),
            &UNGATED[1..]
        );
        for line in ungated {
            let _ = writeln!(out, "- {}", cell(&line));
        }
    }
    for e in exception_lines(r) {
        let _ = writeln!(out, "\n> 🔓 {}", cell(&e));
    }
    for o in &r.overrides {
        let _ = writeln!(
            out,
            "\n> ⚠️ built-in rule `{}` ({}) is loosened by {}: {}",
            o.rule,
            o.builtin,
            o.by,
            o.what.join(", ")
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "\n> {}", cell(n));
    }
    out
}

/// Blocked first, then warnings, approved, info.
pub fn ordered(r: &Report) -> impl Iterator<Item = &Finding> {
    [
        Status::Blocked,
        Status::Warning,
        Status::Approved,
        Status::Info,
        Status::Excepted,
    ]
    .into_iter()
    .flat_map(move |s| r.findings.iter().filter(move |f| f.status == s))
}

/// GitHub shows at most 10 error and 10 warning annotations per step (and 10
/// notices); the rest are summarized in one last annotation of each kind.
const ANNOTATIONS_PER_KIND: usize = 10;

/// Workflow commands (`::error file=…::…`) for each finding, within GitHub's limits.
pub fn github(checked: &Checked) -> String {
    let r = &checked.report;
    let preview = r.preview();
    let mut out = String::new();
    // A preview blocks nothing: what would block is a warning there.
    let kinds: [(&str, &[Status]); 3] = if preview {
        [
            ("error", &[]),
            ("warning", &[Status::Blocked, Status::Warning]),
            (
                "notice",
                &[Status::Approved, Status::Info, Status::Excepted],
            ),
        ]
    } else {
        [
            ("error", &[Status::Blocked]),
            ("warning", &[Status::Warning]),
            (
                "notice",
                &[Status::Approved, Status::Info, Status::Excepted],
            ),
        ]
    };
    for (kind, statuses) in kinds {
        let of_kind: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| statuses.contains(&f.status))
            .collect();
        let shown = if of_kind.len() > ANNOTATIONS_PER_KIND {
            ANNOTATIONS_PER_KIND - 1
        } else {
            of_kind.len()
        };
        for f in &of_kind[..shown] {
            let mut props = Vec::new();
            // Lines can be annotated only in the head's version of a file.
            if let Some(loc) = f.location.as_ref().filter(|l| l.rev == r.range.head) {
                props.push(format!("file={}", property(&loc.file)));
                props.push(format!("line={}", loc.lines.start));
                props.push(format!("endLine={}", loc.lines.end));
            }
            props.push(format!(
                "title={}",
                property(&format!(
                    "plangate {}: {}",
                    f.rule,
                    status_word(f.status, preview)
                ))
            ));
            let mut message = format!(
                "{} written by {}: {}.",
                what(f),
                who(f),
                approval_state(f, preview)
            );
            if let Some(loc) = f.location.as_ref().filter(|l| l.rev != r.range.head) {
                let _ = write!(
                    message,
                    " It was declared in {} lines {}–{} at the base.",
                    loc.file, loc.lines.start, loc.lines.end
                );
            }
            if let Some(item) = &f.item {
                let _ = write!(message, " Item {}.", short_id(&item.id));
            }
            if let Some(a) = &f.approval {
                for i in &a.ignored {
                    let _ = write!(message, "\n{}'s approval does not count: {}", i.user, i.why);
                }
            }
            let _ = writeln!(out, "::{kind} {}::{}", props.join(","), data(&message));
        }
        if of_kind.len() > shown {
            let _ = writeln!(
                out,
                "::{kind} title=plangate::{}",
                data(&format!(
                    "…and {} more; the step summary lists every finding",
                    of_kind.len() - shown
                ))
            );
        }
    }
    // A plain log line, not an annotation: GitHub limits those.
    if let Some(line) = set_line(r) {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// Escape a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
