//! `exception "NAME" { … }`: one rule waived for some resources, with the
//! reason, until a date.
//!
//! The way past one finding without loosening a whole rule. An exception is a
//! loosening of the policy like an `override`: it is read from the
//! configuration (so `--config-ref` makes one written in a pull request count
//! only once merged, and `agent-edits-policy` holds an agent's edit of it),
//! every report lists it, and it cannot outlive its `expires` date: on the day
//! after, every run exits 2 until it is renewed or removed.

use hcl_edit::Span;
use jiff::civil::Date;
use serde::Serialize;

use super::{Origin, Pattern, Policy, Subject};
use crate::hcl::{Fields, Reader, Spanned};
use crate::model::Change;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exception {
    pub name: String,
    /// The rule it waives (a rule about planned changes).
    pub rule: String,
    /// Globs over the changes' addresses (empty: any address).
    #[serde(serialize_with = "texts")]
    pub addresses: Vec<Pattern>,
    /// Globs over the changes' resource types (empty: any type).
    #[serde(serialize_with = "texts")]
    pub resource_types: Vec<Pattern>,
    pub reason: String,
    /// The last day (UTC) it is in force.
    #[serde(serialize_with = "day")]
    pub expires: Date,
    /// Who agreed to it, as written (logins, teams, names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agreed_by: Vec<String>,
    pub origin: Origin,
}

fn texts<S: serde::Serializer>(p: &[Pattern], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(p.iter().map(|p| p.text.as_str()))
}

fn day<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl Exception {
    /// Does it waive `rule` for `change`?
    pub fn waives(&self, rule: &str, change: &Change) -> bool {
        self.rule == rule
            && (self.addresses.is_empty()
                || self.addresses.iter().any(|p| p.is_match(&change.address)))
            && (self.resource_types.is_empty()
                || self
                    .resource_types
                    .iter()
                    .any(|p| p.is_match(&change.resource_type)))
    }

    /// What it covers, in words: "rule R for ADDRESSES of TYPES".
    pub fn scope(&self) -> String {
        let list = |p: &[Pattern]| {
            p.iter()
                .map(|p| format!("`{}`", p.text))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = format!("rule {}", self.rule);
        if !self.addresses.is_empty() {
            out.push_str(&format!(" for {}", list(&self.addresses)));
        }
        if !self.resource_types.is_empty() {
            out.push_str(&format!(" of type {}", list(&self.resource_types)));
        }
        out
    }
}

/// Today's date in UTC, the day an `expires` is compared with.
pub fn today() -> Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// Read the `exception` blocks of a configuration whose rules `policy` holds.
/// An exception past its date is an error of the configuration (exit 2).
pub fn read(
    reader: &mut Reader,
    f: &mut Fields<'_>,
    policy: &Policy,
    today: Date,
) -> Vec<Exception> {
    let mut out: Vec<Exception> = Vec::new();
    for block in reader.blocks(f, "exception") {
        let Some(name) = reader
            .labels(block, 1, "the exception's name")
            .map(|mut l| l.remove(0))
        else {
            continue;
        };
        let span = block.ident.span();
        let mut ef = reader.fields(&block.body, &format!("in exception \"{}\"", name.value));
        let string = |reader: &mut Reader, ef: &mut Fields<'_>, key: &str| {
            reader
                .attribute(ef, key)
                .and_then(|e| reader.string(e, key))
        };
        let rule = string(reader, &mut ef, "rule");
        let reason = string(reader, &mut ef, "reason");
        let expires = string(reader, &mut ef, "expires");
        let mut list = |reader: &mut Reader, key: &str| -> Vec<Spanned<String>> {
            super::read::strings(reader, &mut ef, key).unwrap_or_default()
        };
        let addresses = list(reader, "addresses");
        let resource_types = list(reader, "resource_types");
        let agreed_by = list(reader, "agreed_by");
        reader.unknown(
            ef,
            "`rule`, `addresses`, `resource_types`, `reason`, `expires` or `agreed_by`",
        );
        let mut ok = true;
        let mut missing = |reader: &mut Reader, key: &str, help: &str| {
            reader.error(
                span.clone(),
                format!("exception \"{}\" has no `{key}`", name.value),
                "here",
                Some(help.to_owned()),
            );
            ok = false;
        };
        if rule.is_none() {
            missing(
                reader,
                "rule",
                "name the rule it waives: rule = \"agent-destroy\" (`plangate rules` lists them)",
            );
        }
        if reason.as_ref().is_none_or(|r| r.value.trim().is_empty()) {
            missing(
                reader,
                "reason",
                "say why the change is safe, for whoever reads the report: reason = \"the queue is drained and recreated by the migration in #1234\"",
            );
        }
        if expires.is_none() {
            missing(
                reader,
                "expires",
                "an exception ends: expires = \"YYYY-MM-DD\", the last day (UTC) it is in force",
            );
        }
        if addresses.is_empty() && resource_types.is_empty() {
            missing(
                reader,
                "addresses",
                "an exception is for some resources: addresses = [\"aws_sqs_queue.legacy\"] or resource_types = [\"aws_sqs_queue\"] (globs); to waive a rule everywhere, loosen it with `override = true`",
            );
        }
        if let Some(rule) = &rule {
            match policy.rule(&rule.value) {
                None => {
                    let known: Vec<&str> = policy.rules.iter().map(|r| r.id.as_str()).collect();
                    reader.error(
                        Some(rule.span.clone()),
                        format!("unknown rule \"{}\"", rule.value),
                        "no such rule",
                        Some(format!("rules: {}", known.join(", "))),
                    );
                    ok = false;
                }
                Some(r) if matches!(r.matcher.subject, Subject::Files { .. }) => {
                    reader.error(
                        Some(rule.span.clone()),
                        format!(
                            "rule \"{}\" is about edited files, and an exception waives a rule for planned changes",
                            rule.value
                        ),
                        "a files rule",
                        Some(
                            "each edit of a watched file is reviewed on its own; an exception names resources by address or type"
                                .into(),
                        ),
                    );
                    ok = false;
                }
                Some(_) => {}
            }
        }
        let date = expires
            .as_ref()
            .and_then(|e| match e.value.parse::<Date>() {
                Ok(d) if e.value.len() == 10 => Some(d),
                _ => {
                    reader.error(
                        Some(e.span.clone()),
                        format!("`{}` is not a date", e.value),
                        "not YYYY-MM-DD",
                        Some(
                            "write the last day it is in force, in UTC: expires = \"2027-03-31\""
                                .into(),
                        ),
                    );
                    None
                }
            });
        if let (Some(d), Some(e)) = (date, &expires)
            && d < today
        {
            reader.error(
                Some(e.span.clone()),
                format!(
                    "exception \"{}\" expired on {d} (today is {today}, UTC)",
                    name.value
                ),
                "expired",
                Some(
                    "an exception is in force through its `expires` day: remove it, and the rule applies \
                     again, or renew it with a new date once a reviewer agrees again"
                        .into(),
                ),
            );
            ok = false;
        }
        let patterns = |reader: &mut Reader, list: &[Spanned<String>], key: &str| {
            list.iter()
                .filter_map(|s| super::read::pattern(reader, s, key))
                .collect::<Vec<Pattern>>()
        };
        let addresses = patterns(reader, &addresses, "addresses");
        let resource_types = patterns(reader, &resource_types, "resource_types");
        if out.iter().any(|x| x.name == name.value) {
            reader.error(
                Some(name.span.clone()),
                format!("exception \"{}\" is defined twice", name.value),
                "again here",
                None,
            );
            ok = false;
        }
        let (true, Some(rule), Some(reason), Some(expires)) = (ok, rule, reason, date) else {
            continue;
        };
        out.push(Exception {
            name: name.value,
            rule: rule.value,
            addresses,
            resource_types,
            reason: reason.value,
            expires,
            agreed_by: agreed_by.into_iter().map(|a| a.value).collect(),
            origin: Origin {
                file: reader.file.name.clone(),
                line: reader.file.line_col(span.as_ref().map_or(0, |s| s.start)).0,
            },
        });
    }
    out
}
