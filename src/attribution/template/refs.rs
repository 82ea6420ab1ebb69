//! Extraction: what a declaration's value references (parameters and resources with `Ref`,
//! `Fn::GetAtt` and `Fn::Sub` names, conditions, mappings, exports of other stacks) and where a
//! nested template lives.
//!
//! [`Doc::uses`] reads a node range in one pass over its events, like the rest of the module:
//! no recursion, so deep nesting cannot overflow the stack. Names come out as written, in
//! order of appearance and with repeats; the caller keeps the declared ones.

use std::collections::HashSet;

use super::doc::Doc;
use super::events::{Ev, Kind, Style};

/// A name a value uses, or `Any` when the value computes it (`!FindInMap [!Ref M, …]`), so
/// that it may be any declared name of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Name {
    One(String),
    Any,
}

/// What a node range uses, in order of appearance (with repeats; not yet checked against the
/// template's declarations).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Uses {
    /// `Ref` targets and the dotless `${X}` names of `Fn::Sub` strings: parameters (or
    /// resources, or pseudo parameters).
    pub(super) refs: Vec<String>,
    /// Names that may be resources: `Ref` targets, `Fn::GetAtt` resources, the part of each
    /// `${…}` name before its first dot, and the range's own `DependsOn` entry.
    pub(super) targets: Vec<String>,
    /// The conditions of `Fn::If`, `Condition` keys and `!Condition` tags anywhere.
    pub(super) conditions: Vec<Name>,
    /// The conditions of `Fn::If`, and `Condition` keys and `!Condition` tags inside
    /// `Fn::And` / `Fn::Or` / `Fn::Not` only: elsewhere in a resource, a `Condition` key is its
    /// own attribute or a property that happens to have that name.
    pub(super) logical_conditions: Vec<Name>,
    /// The mappings of `Fn::FindInMap`.
    pub(super) mappings: Vec<Name>,
    /// Whether the range uses `Fn::ImportValue`.
    pub(super) imports: bool,
}

/// [`Uses`] while it is gathered: each name with the index of the event it comes from, since
/// a mapping's entries are read at its start, ahead of the nodes nested in earlier entries.
#[derive(Default)]
struct Found {
    refs: Vec<(usize, String)>,
    targets: Vec<(usize, String)>,
    conditions: Vec<(usize, Name)>,
    logical_conditions: Vec<(usize, Name)>,
    mappings: Vec<(usize, Name)>,
    imports: bool,
}

/// The items of `found` in order of their event index (stable: one event's names keep theirs).
fn ordered<T>(mut found: Vec<(usize, T)>) -> Vec<T> {
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, t)| t).collect()
}

impl Found {
    fn reference(&mut self, at: usize, name: &str) {
        self.refs.push((at, name.to_string()));
        self.targets.push((at, name.to_string()));
    }

    fn condition(&mut self, at: usize, name: Name, logical: bool) {
        if logical {
            self.logical_conditions.push((at, name.clone()));
        }
        self.conditions.push((at, name));
    }
}

impl Doc<'_> {
    /// The local template path of a nested stack or SAM application resource.
    pub(super) fn nested_template(
        &self,
        value: usize,
        resource_type: Option<&str>,
    ) -> Option<String> {
        let property = match resource_type? {
            "AWS::CloudFormation::Stack" => "TemplateURL",
            "AWS::Serverless::Application" => "Location",
            _ => return None,
        };
        let properties = self.get(value, "Properties")?;
        let location = self.get(properties, property)?;
        let path = self.evs.get(location)?.as_string()?;
        is_local_path(path).then(|| path.to_string())
    }

    /// What the node range `from..to` uses (see [`Uses`]); `from` is the value whose own
    /// `DependsOn` entry counts.
    pub(super) fn uses(&self, from: usize, to: usize) -> Uses {
        let mut found = Found::default();
        let to = to.min(self.evs.len());
        // Events before this index are inside the argument of a `Fn::And/Or/Not`. Nodes nest,
        // so the furthest end seen so far is the end of an enclosing argument, if any.
        let mut logical_until = 0usize;
        for i in from..to {
            let ev = &self.evs[i];
            let logical = i < logical_until;
            match (ev.short_tag(), ev.kind) {
                (Some("Ref"), Kind::Scalar) => found.reference(i, &ev.value),
                (Some("Sub"), _) => self.sub(i, &mut found),
                (Some("GetAtt"), _) => self.get_att(i, &mut found),
                (Some("If"), _) => found.condition(i, self.first_name(i), true),
                (Some("Condition"), Kind::Scalar) => {
                    found.condition(i, Name::One(ev.value.clone()), logical)
                }
                (Some("FindInMap"), _) => found.mappings.push((i, self.first_name(i))),
                (Some("And" | "Or" | "Not"), _) => logical_until = logical_until.max(self.skip(i)),
                (Some("ImportValue"), _) => found.imports = true,
                _ => {}
            }
            if ev.kind != Kind::MapStart {
                continue;
            }
            for e in self.entries(i) {
                let string = || self.evs.get(e.value).and_then(Ev::as_string);
                match self.key(&e) {
                    Some("Ref") => {
                        if let Some(name) = string() {
                            found.reference(e.value, name);
                        }
                    }
                    Some("Fn::Sub") => self.sub(e.value, &mut found),
                    Some("Fn::GetAtt") => self.get_att(e.value, &mut found),
                    Some("Fn::If") => found.condition(e.value, self.first_name(e.value), true),
                    Some("Condition") => {
                        if let Some(name) = string() {
                            found.condition(e.value, Name::One(name.to_string()), logical);
                        }
                    }
                    Some("Fn::FindInMap") => {
                        found.mappings.push((e.value, self.first_name(e.value)));
                    }
                    Some("Fn::And" | "Fn::Or" | "Fn::Not") => {
                        logical_until = logical_until.max(self.skip(e.value));
                    }
                    Some("Fn::ImportValue") => found.imports = true,
                    Some("DependsOn") if i == from => self.depends_on(e.value, &mut found),
                    _ => {}
                }
            }
        }
        Uses {
            refs: ordered(found.refs),
            targets: ordered(found.targets),
            conditions: ordered(found.conditions),
            logical_conditions: ordered(found.logical_conditions),
            mappings: ordered(found.mappings),
            imports: found.imports,
        }
    }

    /// The first element of the list at `arg` (an `Fn::If` condition, an `Fn::FindInMap`
    /// mapping) when it is a plain string; otherwise it could be any name.
    fn first_name(&self, arg: usize) -> Name {
        // In an empty list, the first event after the start is its end, not a string.
        let first = (self.kind(arg) == Some(Kind::SeqStart))
            .then(|| self.evs.get(arg + 1).and_then(Ev::as_string))
            .flatten();
        first.map_or(Name::Any, |name| Name::One(name.to_string()))
    }

    /// The resource of the `Fn::GetAtt` argument at `arg`: `R.Attr`, or a list `[R, Attr]`.
    fn get_att(&self, arg: usize, found: &mut Found) {
        let Some(ev) = self.evs.get(arg) else {
            return;
        };
        match ev.kind {
            Kind::Scalar => {
                // `!GetAtt R.Attr` is a tagged scalar, which `as_string` refuses.
                let string = if ev.has_tag("GetAtt") {
                    Some(ev.value.as_str())
                } else {
                    ev.as_string()
                };
                if let Some(string) = string {
                    found.targets.push((arg, resource_of(string).to_string()));
                }
            }
            Kind::SeqStart => {
                if let Some(resource) = self.evs.get(arg + 1).and_then(Ev::as_string) {
                    found.targets.push((arg + 1, resource.to_string()));
                }
            }
            _ => {}
        }
    }

    /// The resources of a `DependsOn` attribute at `arg`: a string or a list of strings.
    fn depends_on(&self, arg: usize, found: &mut Found) {
        let (mut i, end) = match self.kind(arg) {
            Some(Kind::Scalar) => (arg, arg + 1),
            // Up to the list's end event.
            Some(Kind::SeqStart) => (arg + 1, self.skip(arg).saturating_sub(1)),
            _ => return,
        };
        while i < end {
            if let Some(name) = self.evs.get(i).and_then(Ev::as_string) {
                found.targets.push((i, name.to_string()));
            }
            i = self.skip(i);
        }
    }

    /// The `${Name}`s of the `Fn::Sub` argument at `arg`: a string, or a list whose first
    /// element is the string and whose second may be a map of local variables.
    fn sub(&self, arg: usize, found: &mut Found) {
        let Some(ev) = self.evs.get(arg) else {
            return;
        };
        let (string_at, variables) = match ev.kind {
            Kind::Scalar => (arg, HashSet::new()),
            Kind::SeqStart => {
                let first = arg + 1;
                if self.kind(first) != Some(Kind::Scalar) {
                    return;
                }
                let second = self.skip(first);
                // `entries` is empty unless the second element is a mapping.
                let variables: HashSet<&str> = self
                    .entries(second)
                    .iter()
                    .filter_map(|e| self.key(e))
                    .collect();
                (first, variables)
            }
            _ => return,
        };
        let Some(string) = self.evs.get(string_at) else {
            return;
        };
        if string.kind != Kind::Scalar || string.style == Style::JsonLiteral {
            return;
        }
        for name in sub_names(&string.value) {
            if !variables.contains(name) {
                found.refs.push((string_at, name.to_string()));
            }
        }
        for name in sub_vars(&string.value) {
            if !variables.contains(name) {
                found
                    .targets
                    .push((string_at, resource_of(name).to_string()));
            }
        }
    }
}

/// The resource of an attribute reference `R.Attr` (`R` for a name without a dot).
fn resource_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(resource, _)| resource)
}

/// The `${Name}` variables of a `Fn::Sub` string, skipping `${!Literal}` and `${Res.Attr}`.
pub(super) fn sub_names(s: &str) -> Vec<&str> {
    sub_vars(s)
        .into_iter()
        .filter(|name| !name.contains('.'))
        .collect()
}

/// Every `${…}` variable of a `Fn::Sub` string, `${Res.Attr}` included, skipping
/// `${!Literal}`.
pub(super) fn sub_vars(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        rest = &rest[at + 2..];
        if rest.starts_with('!') {
            continue;
        }
        let Some(close) = rest.find('}') else {
            break;
        };
        let name = &rest[..close];
        if !name.is_empty() {
            out.push(name);
        }
        rest = &rest[close + 1..];
    }
    out
}

/// A path on disk (as `aws cloudformation package` resolves it), not a URL.
pub(super) fn is_local_path(path: &str) -> bool {
    let lower = path.trim().to_ascii_lowercase();
    !lower.is_empty()
        && !lower.starts_with("http://")
        && !lower.starts_with("https://")
        && !lower.starts_with("s3://")
        && !lower.contains("://")
}
