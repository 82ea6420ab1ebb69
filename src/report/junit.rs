//! `plangate check` as JUnit XML (`artifacts: reports: junit` in GitLab,
//! and the test report of most other CI systems): a test suite per plan,
//! a test case per finding, failing while it is blocked.
//!
//! Written by hand, as a handful of elements whose text is escaped here:
//! XML 1.0 allows no control characters but tab, newline and carriage
//! return, so the others (which a resource address can hold) are dropped.

use super::check::{approval_state, what, who};
use crate::gate::{Finding, Report, Status};

pub fn junit(report: &Report) -> String {
    let preview = report.preview();
    // Suites in the order plans were given; file findings (a watched file
    // edited) in a suite of their own.
    let mut suites: Vec<(String, Vec<&Finding>)> = report
        .plans
        .iter()
        .map(|p| (p.path.clone(), Vec::new()))
        .collect();
    for f in &report.findings {
        let name = f.plan.clone().unwrap_or_else(|| "files".to_owned());
        match suites.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(f),
            None => suites.push((name, vec![f])),
        }
    }
    let failing = |f: &Finding| f.status == Status::Blocked && !preview;
    let tests: usize = suites.iter().map(|(_, l)| l.len().max(1)).sum();
    let failures = report.findings.iter().filter(|f| failing(f)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"plangate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    for (name, findings) in &suites {
        let failed = findings.iter().filter(|f| failing(f)).count();
        let skipped = findings
            .iter()
            .filter(|f| f.status == Status::Excepted)
            .count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">\n",
            escape(name),
            findings.len().max(1)
        ));
        if findings.is_empty() {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"nothing destroyed or replaced needs approval\"/>\n",
                escape(name)
            ));
        }
        for f in findings {
            let case = format!("{}: {} {}", f.rule, f.action.as_str(), f.address);
            let mut text = format!(
                "{} written by {}: {}.",
                what(f),
                who(f),
                approval_state(f, preview)
            );
            for ignored in f.approval.iter().flat_map(|a| &a.ignored) {
                text.push_str(&format!(
                    "\n{}'s approval does not count: {}.",
                    ignored.user, ignored.why
                ));
            }
            if let Some(note) = &f.note {
                text.push_str(&format!("\n{note}"));
            }
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(name),
                escape(&case)
            ));
            if failing(f) {
                out.push_str(&format!(
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    escape(&f.rule),
                    escape(&approval_state(f, preview)),
                    escape(&text)
                ));
            } else if f.status == Status::Excepted {
                // A waived finding is a test not run: the exception stands in for it.
                out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n    </testcase>\n",
                    escape(&approval_state(f, preview)),
                    escape(&text)
                ));
            } else {
                out.push_str(&format!(
                    ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    escape(&text)
                ));
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text for an attribute or an element.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped_and_characters_xml_forbids_are_dropped() {
        // A for_each key can hold any of these, so an address can.
        assert_eq!(
            escape("a[\"<b>&'\"]\u{0}\u{1b}\u{7f}\u{FFFE}\tz\n"),
            "a[&quot;&lt;b&gt;&amp;&apos;&quot;]\tz\n"
        );
        let doc = format!(
            "<x a=\"{}\">{}</x>",
            escape("\u{0}\"<"),
            escape("]]>&\u{1}")
        );
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
        assert_eq!(parsed.root_element().attribute("a"), Some("\"<"));
        assert_eq!(parsed.root_element().text(), Some("]]>&"));
    }
}
