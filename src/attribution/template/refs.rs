//! Extraction: what a declaration's value references (`Ref`, `Fn::Sub` names) and where a
//! nested template lives.

use std::collections::HashSet;

use super::doc::Doc;
use super::events::{Ev, Kind, Style};

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

    /// Names that the node range `from..to` references with `Ref` or `${…}` in `Fn::Sub`, in
    /// order of appearance (with repeats; not yet filtered by the declared parameters).
    pub(super) fn references(&self, from: usize, to: usize) -> Vec<String> {
        let mut found: Vec<(usize, String)> = Vec::new();
        let to = to.min(self.evs.len());
        for i in from..to {
            let ev = &self.evs[i];
            match ev.kind {
                Kind::Scalar if ev.has_tag("Ref") => found.push((i, ev.value.clone())),
                Kind::Scalar if ev.has_tag("Sub") => self.sub(i, &mut found),
                Kind::SeqStart if ev.has_tag("Sub") => self.sub(i, &mut found),
                Kind::MapStart => {
                    for e in self.entries(i) {
                        match self.key(&e) {
                            Some("Ref") => {
                                if let Some(name) = self.evs.get(e.value).and_then(Ev::as_string) {
                                    found.push((e.value, name.to_string()));
                                }
                            }
                            Some("Fn::Sub") => self.sub(e.value, &mut found),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        found.sort_by_key(|(i, _)| *i);
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// The `${Name}`s of the `Fn::Sub` argument at `arg`: a string, or a list whose first
    /// element is the string and whose second may be a map of local variables.
    fn sub(&self, arg: usize, found: &mut Vec<(usize, String)>) {
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
                found.push((string_at, name.to_string()));
            }
        }
    }
}

/// The `${Name}` variables of a `Fn::Sub` string, skipping `${!Literal}` and `${Res.Attr}`.
pub(super) fn sub_names(s: &str) -> Vec<&str> {
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
        if !name.is_empty() && !name.contains('.') {
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
