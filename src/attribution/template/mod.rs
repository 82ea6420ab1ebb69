//! CloudFormation templates: where each logical resource is declared.
//!
//! [`parse_template`] finds, in one template file's text, the line span of every entry of the
//! top-level `Resources`, `Parameters`, `Conditions` and `Mappings` sections and of the
//! `Globals` and `Transform` sections, each resource's `Type`, its local nested template (if
//! any), and what each resource and condition depends on: parameters, conditions, mappings,
//! other resources, exports of other stacks. Attribution compares each declaration's text
//! between versions, so a commit that changes what a resource depends on is found too, and
//! reports a change's location with these spans.
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
//!   variables and are not reported as parameter or resource references.
//! - A name that a value computes (`!FindInMap [!Ref MapName, …]`, an `Fn::If` whose first
//!   argument is not a string) is reported as every declared name of its kind.
//! - A resource's `Condition` attribute is reported as written, declared or not.

mod doc;
mod events;
mod refs;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use super::Lines;
use doc::{Doc, Entry};
use events::{Ev, Kind, json_events, yaml_events};
use refs::Name;

/// A CloudFormation (or SAM) template's declarations, with their line spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub resources: Vec<TemplateResource>,
    /// Each entry of the top-level `Parameters` section: (name, lines of its declaration).
    pub parameters: Vec<(String, Lines)>,
    /// Each entry of the top-level `Conditions` section.
    pub conditions: Vec<Condition>,
    /// Each entry of the top-level `Mappings` section: (name, lines of its declaration).
    pub mappings: Vec<(String, Lines)>,
    /// Top-level sections that can change every resource of the template: `Globals` (SAM) and
    /// `Transform`, as (section name, lines), in the template's order.
    pub globals: Vec<(String, Lines)>,
}

/// One entry of the `Conditions` section. Its lists are de-duplicated, in order of first
/// appearance, and hold only names the template declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub name: String,
    /// From the line of the name's key to the last line of its value, trimmed like a
    /// resource's.
    pub lines: Lines,
    /// Declared parameters it uses (`Ref`, `!Ref`, `${X}` in Sub).
    pub parameters: Vec<String>,
    /// Other conditions it uses (`{"Condition": "X"}`, `!Condition X`); never itself.
    pub conditions: Vec<String>,
    /// Mappings it reads (`Fn::FindInMap` / `!FindInMap` first argument when a plain string;
    /// every declared mapping when it is not).
    pub mappings: Vec<String>,
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
    /// Its `Condition` attribute, when a plain string (as written: not checked against the
    /// `Conditions` section).
    pub condition: Option<String>,
    /// Declared conditions used inside its value: the first argument of each `Fn::If` /
    /// `!If` (every declared condition when it is not a plain string), and any `Condition`
    /// key or `!Condition` inside `Fn::And/Or/Not` (not its own `Condition` attribute).
    pub conditions: Vec<String>,
    /// Declared mappings its value reads with `Fn::FindInMap` / `!FindInMap` (every declared
    /// mapping when the map name is not a plain string).
    pub mappings: Vec<String>,
    /// Other resources of the template it refers to: `Ref` / `!Ref`, `Fn::GetAtt` / `!GetAtt`
    /// (list `[R, Attr]` or string `R.Attr`), `${R}` and `${R.Attr}` in `Fn::Sub` strings
    /// (local variables of the list form excluded), and `DependsOn` (string or list). Only
    /// logical ids declared in `Resources`; never itself.
    pub resources: Vec<String>,
    /// Whether its value uses `Fn::ImportValue` / `!ImportValue` (a value another stack
    /// exports).
    pub imports: bool,
}

/// The declarations of a template, or `None` when the text is not a CloudFormation
/// template: it must parse as YAML or JSON whose top level is a mapping with a
/// `Resources` mapping in which at least one entry is a mapping with a `Type` key, or
/// it has `AWSTemplateFormatVersion`. Invalid YAML/JSON is `None`, never a panic.
pub fn parse_template(text: &str) -> Option<Template> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A template names one of these keys: a data file that does not is not read
    // event by event.
    if !text.contains("Resources") && !text.contains("AWSTemplateFormatVersion") {
        return None;
    }
    let json = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    let evs = if json {
        json_events(text)?
    } else {
        yaml_events(text)?
    };
    Doc::new(text, evs, json).template()
}

/// The names a template declares in one section, in order (for a name used as `Any`).
struct Declared<'a> {
    names: Vec<&'a str>,
    set: HashSet<&'a str>,
}

impl<'a> Declared<'a> {
    fn new(names: impl IntoIterator<Item = &'a str>) -> Declared<'a> {
        let names: Vec<&str> = names.into_iter().collect();
        let set = names.iter().copied().collect();
        Declared { names, set }
    }

    /// The declared names among `used` (`Any` standing for all of them), except `own`,
    /// de-duplicated in order of first appearance.
    fn keep(&self, used: impl IntoIterator<Item = Name>, own: Option<&str>) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut add = |name: &str| {
            if Some(name) != own && seen.insert(name.to_string()) {
                out.push(name.to_string());
            }
        };
        for name in used {
            match name {
                Name::One(n) if self.set.contains(n.as_str()) => add(&n),
                Name::One(_) => {}
                Name::Any => self.names.iter().for_each(|n| add(n)),
            }
        }
        out
    }

    fn keep_names(&self, used: Vec<String>, own: Option<&str>) -> Vec<String> {
        self.keep(used.into_iter().map(Name::One), own)
    }
}

impl Doc<'_> {
    fn template(&self) -> Option<Template> {
        if self.kind(0) != Some(Kind::MapStart) {
            return None;
        }
        let top_flow = self.is_flow(0);
        let mut is_cfn = false;
        let (mut resource_maps, mut parameter_maps) = (Vec::new(), Vec::new());
        let (mut condition_maps, mut mapping_maps) = (Vec::new(), Vec::new());
        let mut globals = Vec::new();
        for e in self.entries(0) {
            let is_map = self.kind(e.value) == Some(Kind::MapStart);
            match self.key(&e) {
                Some("AWSTemplateFormatVersion") => is_cfn = true,
                Some("Resources") if is_map => resource_maps.push(e.value),
                Some("Parameters") if is_map => parameter_maps.push(e.value),
                Some("Conditions") if is_map => condition_maps.push(e.value),
                Some("Mappings") if is_map => mapping_maps.push(e.value),
                Some(section @ ("Globals" | "Transform")) => {
                    globals.push((section.to_string(), self.span(&e, top_flow)));
                }
                _ => {}
            }
        }

        let parameters = self.spans(&parameter_maps);
        let mappings = self.spans(&mapping_maps);
        let condition_entries = self.named_entries(&condition_maps);
        let resource_entries = self.named_entries(&resource_maps);
        let declared_parameters = Declared::new(parameters.iter().map(|(n, _)| n.as_str()));
        let declared_mappings = Declared::new(mappings.iter().map(|(n, _)| n.as_str()));
        let declared_conditions = Declared::new(condition_entries.iter().map(|(n, ..)| *n));
        let declared_resources = Declared::new(resource_entries.iter().map(|(n, ..)| *n));

        let conditions = condition_entries
            .iter()
            .map(|&(name, e, flow)| {
                let uses = self.uses(e.value, e.next);
                Condition {
                    name: name.to_string(),
                    lines: self.span(&e, flow),
                    parameters: declared_parameters.keep_names(uses.refs, None),
                    conditions: declared_conditions.keep(uses.conditions, Some(name)),
                    mappings: declared_mappings.keep(uses.mappings, None),
                }
            })
            .collect();

        let mut resources = Vec::new();
        for &(logical_id, e, flow) in &resource_entries {
            let is_map = self.kind(e.value) == Some(Kind::MapStart);
            let string_of = |key: &str| {
                is_map
                    .then(|| self.get(e.value, key))
                    .flatten()
                    .and_then(|v| self.evs.get(v))
                    .and_then(Ev::as_string)
                    .map(str::to_string)
            };
            is_cfn |= is_map && self.get(e.value, "Type").is_some();
            let resource_type = string_of("Type");
            let nested_template = self.nested_template(e.value, resource_type.as_deref());
            let uses = self.uses(e.value, e.next);
            let own = Some(logical_id);
            resources.push(TemplateResource {
                logical_id: logical_id.to_string(),
                resource_type,
                lines: self.span(&e, flow),
                nested_template,
                parameters: declared_parameters.keep_names(uses.refs, None),
                condition: string_of("Condition"),
                conditions: declared_conditions.keep(uses.logical_conditions, None),
                mappings: declared_mappings.keep(uses.mappings, None),
                resources: declared_resources.keep_names(uses.targets, own),
                imports: uses.imports,
            });
        }

        is_cfn.then_some(Template {
            resources,
            parameters,
            conditions,
            mappings,
            globals,
        })
    }

    /// The entries with a scalar key of the section mappings `maps`: (name, entry, whether
    /// its mapping is flow style).
    fn named_entries(&self, maps: &[usize]) -> Vec<(&str, Entry, bool)> {
        let mut out = Vec::new();
        for &map in maps {
            let flow = self.is_flow(map);
            for e in self.entries(map) {
                if let Some(name) = self.key(&e) {
                    out.push((name, e, flow));
                }
            }
        }
        out
    }

    /// (name, lines of its declaration) of each entry of the section mappings `maps`.
    fn spans(&self, maps: &[usize]) -> Vec<(String, Lines)> {
        self.named_entries(maps)
            .into_iter()
            .map(|(name, e, flow)| (name.to_string(), self.span(&e, flow)))
            .collect()
    }
}
