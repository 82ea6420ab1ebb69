//! `plangate check` for people: one diagnostic per finding, with the snippet
//! of the block that declares the resource, the rule and its reason, the
//! commits that wrote it with their evidence, who approved, who still must,
//! and why any approval did not count.

use std::fmt;
use std::fmt::Write as _;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
    SourceSpan,
};

use super::check::{
    UNGATED, approval_state, exception_lines, headline, ordered, set_line, short_id, status_word,
    ungated_lines, what, who,
};
use crate::gate::run::Checked;
use crate::gate::{Finding, Status};
use crate::policy::Policy;

/// A finding as a diagnostic.
#[derive(Debug)]
struct FindingDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

/// One change (or file) and every finding about it, the most pressing first:
/// the snippet and the commits are shown once, each rule's state on its line.
fn diagnostic(group: &[&Finding], checked: &Checked, policy: Option<&Policy>) -> FindingDiagnostic {
    let f = group[0];
    let preview = checked.report.preview();
    let severity = match f.status {
        Status::Blocked if preview => miette::Severity::Warning,
        Status::Blocked => miette::Severity::Error,
        Status::Warning => miette::Severity::Warning,
        Status::Approved | Status::Info | Status::Excepted => miette::Severity::Advice,
    };
    let message = format!(
        "{}: {} written by {}",
        status_word(f.status, preview),
        what(f),
        who(f)
    );
    let mut help = String::new();
    for g in group {
        let description = policy
            .and_then(|p| p.rule(&g.rule))
            .map(|r| r.description.as_str())
            .unwrap_or_default();
        let state = approval_state(g, preview);
        let description = description.trim_end_matches('.');
        let _ = writeln!(
            help,
            "{} ({}): {description} — {state}",
            g.rule,
            status_word(g.status, preview)
        );
        if let Some(a) = &g.approval {
            for i in &a.ignored {
                let _ = writeln!(help, "  {}'s approval does not count: {}", i.user, i.why);
            }
        }
        // Who can give what a team requirement needs, by name.
        if g.status == Status::Blocked {
            for approver in g.require.iter().flat_map(|r| &r.from) {
                if let crate::policy::Approver::Team(name) = approver
                    && let Some(team) = policy.and_then(|p| p.team(name))
                {
                    let _ = writeln!(
                        help,
                        "  team:{name} is {}",
                        if team.members.is_empty() {
                            "empty: nobody can approve".to_owned()
                        } else {
                            team.members.join(", ")
                        }
                    );
                }
            }
        }
    }
    if !f.reasons.is_empty() {
        let _ = writeln!(help, "the plan says: {}", f.reasons.join(", "));
    }
    if !f.forced_by.is_empty() {
        let _ = writeln!(help, "forced by: {}", f.forced_by.join(", "));
    }
    if let Some(note) = &f.note {
        let _ = writeln!(help, "{note}");
    }
    for g in group {
        if let Some(item) = &g.item {
            let _ = writeln!(help, "item {} ({})", short_id(&item.id), g.rule);
        }
    }
    for c in &f.commits {
        let agent = c
            .agent
            .as_deref()
            .map(|a| format!(" {a}"))
            .unwrap_or_default();
        let _ = writeln!(
            help,
            "commit {} ({}{agent}, {}): {}",
            short(&c.sha),
            c.class.as_str(),
            c.who.author,
            c.wrote.join("; ")
        );
        for e in &c.who.evidence {
            let _ = writeln!(help, "  because {e}");
        }
    }
    let (source, label) = match &f.location {
        Some(loc) => match checked.text_at(&loc.file, &loc.rev) {
            Some(text) => {
                let span = line_span(text, loc.lines.start);
                // Labels are not wrapped: short enough for 80 columns.
                let label = if loc.rev == checked.report.range.head {
                    format!(
                        "declared here (lines {}–{})",
                        loc.lines.start, loc.lines.end
                    )
                } else {
                    format!(
                        "deleted: declared here at the base {} (lines {}–{})",
                        short(&loc.rev),
                        loc.lines.start,
                        loc.lines.end
                    )
                };
                let language = if loc.file.ends_with(".tf") || loc.file.ends_with(".hcl") {
                    "hcl"
                } else if loc.file.ends_with(".json") {
                    "json"
                } else {
                    "yaml"
                };
                (
                    Some(NamedSource::new(&loc.file, text.to_owned()).with_language(language)),
                    Some(LabeledSpan::new_with_span(Some(label), span)),
                )
            }
            None => (None, None),
        },
        None => (None, None),
    };
    let rules: Vec<&str> = group.iter().map(|g| g.rule.as_str()).collect();
    let noun = if rules.len() == 1 { "rule" } else { "rules" };
    FindingDiagnostic {
        message,
        code: format!("{noun}: {}", rules.join(", ")),
        severity,
        help: help.trim_end().to_owned(),
        source,
        label,
    }
}

/// The span of line `line` (1-based) of `text`, without its newline.
fn line_span(text: &str, line: usize) -> SourceSpan {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let len = text[start.min(text.len())..]
        .find('\n')
        .unwrap_or(text.len() - start.min(text.len()));
    SourceSpan::new(start.min(text.len()).into(), len.max(1))
}

/// How the report is shown.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colours (a terminal that wants them).
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
    /// `--quiet`: the blocking findings and the verdict only.
    pub quiet: bool,
}

/// Render the whole report.
pub fn render(checked: &Checked, policy: Option<&Policy>, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Rule ids, addresses and paths hold hyphens and dots: wrapping may move
    // them to the next line, never cut them there.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let quiet = style.quiet;
    let r = &checked.report;
    let mut out = String::new();
    // Group the findings of one change, keeping the most pressing order.
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    for f in ordered(r).filter(|f| !quiet || f.status == Status::Blocked) {
        let key = (&f.target, &f.plan, &f.address);
        match groups
            .iter_mut()
            .find(|g| (&g[0].target, &g[0].plan, &g[0].address) == key)
        {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    for group in &mut groups {
        // Within a change, the rule needing most approvals first.
        group.sort_by_key(|f| std::cmp::Reverse(f.approval.as_ref().map_or(0, |a| a.required)));
        let d = diagnostic(group, checked, policy);
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    // The lines after the findings wrap as the findings do.
    let options = textwrap::Options::new(style.width)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .subsequent_indent("    ");
    let mut line = |text: &str| {
        out.push_str(&textwrap::fill(text, &options));
        out.push('\n');
    };
    let ungated = ungated_lines(r);
    if !ungated.is_empty() && !quiet {
        line(&format!("{UNGATED}:"));
        for u in ungated {
            line(&format!("  {u}"));
        }
    }
    for e in exception_lines(r).into_iter().filter(|_| !quiet) {
        line(&e);
    }
    for o in r.overrides.iter().filter(|_| !quiet) {
        line(&format!(
            "override: built-in rule {} ({}) is loosened by {}: {}",
            o.rule,
            o.builtin,
            o.by,
            o.what.join(", ")
        ));
    }
    for n in r.notes.iter().filter(|_| !quiet) {
        line(&format!("note: {n}"));
    }
    if let Some(set) = set_line(r).filter(|_| !quiet) {
        line(&set);
    }
    line(&headline(r));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_lines() {
        let text = "a\nbcd\n\nef";
        let s = line_span(text, 2);
        assert_eq!((s.offset(), s.len()), (2, 3));
        let s = line_span(text, 4);
        assert_eq!((s.offset(), s.len()), (7, 2));
        let s = line_span(text, 3);
        assert_eq!((s.offset(), s.len()), (6, 1));
    }
}
