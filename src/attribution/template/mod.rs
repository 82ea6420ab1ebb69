//! CloudFormation templates: where each logical resource is declared.
//!
//! [`parse_template`] finds, in one template file's text, the line span of every entry of the
//! top-level `Resources` and `Parameters` sections, each resource's `Type`, its local nested
//! template (if any) and the parameters it references. Attribution compares each declaration's
//! text between versions, and reports a change's location with these spans.
//!
//! # Approach
//!
//! Both formats are reduced to one flat stream of events (mapping/sequence start and end,
//! scalars, aliases), each with the 1-based line where it starts; everything else works on that
//! stream with an explicit index of matching collection ends, so nothing recurses and deep
//! nesting cannot overflow the stack.
//!
//! - **JSON** (any text that `serde_json` accepts as JSON): `serde_json` validates the whole
//!   text, then a small tokenizer walks the (now known-valid) text byte by byte, counting
//!   newlines, and emits the events; string tokens are found by skipping `\`-escapes and decoded
//!   with `serde_json`. This handles tab indentation, minified single-line files and escapes
//!   (such as surrogate pairs) that YAML parsers reject. Every JSON collection is flow style, so
//!   a declaration ends on the line of its value's last token (the closing brace of an object).
//! - **YAML** (everything else): `yaml-rust2`'s event parser, whose `Marker::line()` is 1-based
//!   (its `col()` is 0-based). CloudFormation's short-form tags (`!Ref`, `!Sub`, …) are plain
//!   local tags to it, on scalars, sequences and mappings alike. The whole stream must parse
//!   (invalid YAML is `None`); only the first document is read. In a block-style section, a
//!   declaration ends on the line before the next event after its value (the next key, or the
//!   block end that the parser reports at the next token), trimmed back over blank and
//!   comment-only lines, but never above the last line where one of the value's own nodes
//!   starts, and never into a literal/folded block scalar's content (a `#` line indented at
//!   least as deep as the block scalar's content is content, not a comment). In a flow-style
//!   section (`Resources: {…}`), a declaration ends on its value's last event's line.
//!
//! # Layout
//!
//! `events` reduces a text to its event stream, `doc` indexes the stream (a mapping's entries,
//! an entry's line span), `refs` reads what a value references, and this module assembles the
//! [`Template`] from them.
//!
//! # Limitations
//!
//! - Only the first YAML document of a multi-document stream is read.
//! - Lines are counted on `\n` (so `\r\n` works); a lone `\r` line break (old Mac) is not
//!   counted as a line by the trimming step.
//! - A multi-line quoted YAML scalar that ends a declaration with a line starting with `#` may
//!   have that line trimmed off as if it were a comment.
//! - Aliases (`*anchor`, `<<: *anchor`) are not resolved: references inside anchored content are
//!   attributed to the declaration that holds the anchor only.
//! - `${X}` names in a `Fn::Sub` list form that are keys of its own variable map are local
//!   variables and are not reported as parameter references.

mod doc;
mod events;
mod refs;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use super::Lines;
use doc::Doc;
use events::{Ev, Kind, json_events, yaml_events};

/// A CloudFormation (or SAM) template's declarations, with their line spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub resources: Vec<TemplateResource>,
    /// Each entry of the top-level `Parameters` section: (name, lines of its declaration).
    pub parameters: Vec<(String, Lines)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateResource {
    pub logical_id: String,
    /// The `Type` value when it is a plain string (e.g. "AWS::RDS::DBInstance").
    pub resource_type: Option<String>,
    /// From the line of the logical id's key to the last line of its value, without
    /// trailing blank or comment-only lines.
    pub lines: Lines,
    /// For `AWS::CloudFormation::Stack` (`Properties.TemplateURL`) and
    /// `AWS::Serverless::Application` (`Properties.Location` when a string): the value
    /// when it is a plain string that is a local path (not http(s)://, not s3://, no
    /// intrinsic function), as written, e.g. "./nested/data.yaml" or "nested/data.json".
    pub nested_template: Option<String>,
    /// Parameter names the resource's value references, de-duplicated, in order of first
    /// appearance: `Ref: X` / `{"Ref": "X"}` / `!Ref X`, and `${X}` inside `Fn::Sub` /
    /// `!Sub` strings (both the string form and the first element of the list form;
    /// ignore `${!Literal}` and `${X.Attr}` references to resource attributes — keep only
    /// names with no dot). Only names that are declared in the template's `Parameters`
    /// are kept (so references to other resources or pseudo parameters like AWS::Region
    /// are dropped).
    pub parameters: Vec<String>,
}

/// The declarations of a template, or `None` when the text is not a CloudFormation
/// template: it must parse as YAML or JSON whose top level is a mapping with a
/// `Resources` mapping in which at least one entry is a mapping with a `Type` key, or
/// it has `AWSTemplateFormatVersion`. Invalid YAML/JSON is `None`, never a panic.
pub fn parse_template(text: &str) -> Option<Template> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    let evs = if json {
        json_events(text)?
    } else {
        yaml_events(text)?
    };
    Doc::new(text, evs, json).template()
}

impl Doc<'_> {
    fn template(&self) -> Option<Template> {
        if self.kind(0) != Some(Kind::MapStart) {
            return None;
        }
        let mut is_cfn = false;
        let mut resource_maps = Vec::new();
        let mut parameter_maps = Vec::new();
        for e in self.entries(0) {
            match self.key(&e) {
                Some("AWSTemplateFormatVersion") => is_cfn = true,
                Some("Resources") if self.kind(e.value) == Some(Kind::MapStart) => {
                    resource_maps.push(e.value)
                }
                Some("Parameters") if self.kind(e.value) == Some(Kind::MapStart) => {
                    parameter_maps.push(e.value)
                }
                _ => {}
            }
        }

        let mut parameters = Vec::new();
        for map in parameter_maps {
            let flow = self.is_flow(map);
            for e in self.entries(map) {
                if let Some(name) = self.key(&e) {
                    parameters.push((name.to_string(), self.span(&e, flow)));
                }
            }
        }
        let declared: HashSet<&str> = parameters.iter().map(|(n, _)| n.as_str()).collect();

        let mut resources = Vec::new();
        for map in resource_maps {
            let flow = self.is_flow(map);
            for e in self.entries(map) {
                let Some(logical_id) = self.key(&e) else {
                    continue;
                };
                let is_map = self.kind(e.value) == Some(Kind::MapStart);
                let type_value = if is_map {
                    self.get(e.value, "Type")
                } else {
                    None
                };
                is_cfn |= type_value.is_some();
                let resource_type = type_value
                    .and_then(|t| self.evs.get(t))
                    .and_then(Ev::as_string)
                    .map(str::to_string);
                let nested_template = self.nested_template(e.value, resource_type.as_deref());
                let parameters = self
                    .references(e.value, e.next)
                    .into_iter()
                    .filter(|n| declared.contains(n.as_str()))
                    .fold(Vec::<String>::new(), |mut acc, n| {
                        if !acc.contains(&n) {
                            acc.push(n);
                        }
                        acc
                    });
                resources.push(TemplateResource {
                    logical_id: logical_id.to_string(),
                    resource_type,
                    lines: self.span(&e, flow),
                    nested_template,
                    parameters,
                });
            }
        }

        is_cfn.then_some(Template {
            resources,
            parameters,
        })
    }
}
