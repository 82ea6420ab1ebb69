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

use std::collections::HashSet;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::Lines;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    MapStart,
    MapEnd,
    SeqStart,
    SeqEnd,
    Scalar,
    Alias,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// A YAML plain scalar.
    Plain,
    /// A quoted YAML scalar or a JSON string.
    Quoted,
    /// A YAML literal (`|`) or folded (`>`) block scalar.
    Block,
    /// A JSON number, `true`, `false` or `null`.
    JsonLiteral,
}

#[derive(Debug, Clone)]
struct Ev {
    kind: Kind,
    /// 1-based.
    line: usize,
    /// 0-based, in characters (YAML only; 0 for JSON).
    col: usize,
    /// The scalar's value (empty for other kinds).
    value: String,
    /// The tag as written after resolution: `!Ref`, `tag:yaml.org,2002:str`, ….
    tag: Option<String>,
    style: Style,
}

impl Ev {
    fn new(kind: Kind, line: usize, col: usize) -> Ev {
        Ev {
            kind,
            line,
            col,
            value: String::new(),
            tag: None,
            style: Style::Plain,
        }
    }

    fn scalar(line: usize, col: usize, value: String, style: Style, tag: Option<String>) -> Ev {
        Ev {
            kind: Kind::Scalar,
            line,
            col,
            value,
            tag,
            style,
        }
    }

    fn has_tag(&self, short: &str) -> bool {
        self.tag
            .as_deref()
            .and_then(|t| t.strip_prefix('!'))
            .is_some_and(|t| t == short)
    }

    /// A scalar that is a plain string: no intrinsic-function tag, not null, not a JSON literal.
    fn as_string(&self) -> Option<&str> {
        if self.kind != Kind::Scalar {
            return None;
        }
        match &self.tag {
            None => {}
            Some(t) if t.ends_with(":str") => {}
            Some(_) => return None,
        }
        match self.style {
            Style::JsonLiteral => None,
            Style::Plain if matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL") => {
                None
            }
            _ => Some(&self.value),
        }
    }
}

/// The events of the first document of a YAML stream; `None` if any part of the stream fails
/// to parse.
fn yaml_events(text: &str) -> Option<Vec<Ev>> {
    let mut parser = Parser::new_from_str(text);
    let mut evs = Vec::new();
    let mut docs = 0usize;
    loop {
        let (ev, mark) = parser.next_token().ok()?;
        let (line, col) = (mark.line(), mark.col());
        let keep = docs == 1;
        match ev {
            Event::StreamEnd => break,
            Event::DocumentStart => docs += 1,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            _ if !keep => {}
            Event::Alias(_) => evs.push(Ev::new(Kind::Alias, line, col)),
            Event::Scalar(value, style, _, tag) => {
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::Literal | TScalarStyle::Folded => Style::Block,
                    _ => Style::Quoted,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                evs.push(Ev::scalar(line, col, value, style, tag));
            }
            Event::SequenceStart(_, tag) => {
                let mut e = Ev::new(Kind::SeqStart, line, col);
                e.tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                evs.push(e);
            }
            Event::MappingStart(_, tag) => {
                let mut e = Ev::new(Kind::MapStart, line, col);
                e.tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                evs.push(e);
            }
            Event::SequenceEnd => evs.push(Ev::new(Kind::SeqEnd, line, col)),
            Event::MappingEnd => evs.push(Ev::new(Kind::MapEnd, line, col)),
        }
    }
    Some(evs)
}

/// The events of a JSON text that `serde_json` has already accepted. `None` only if the
/// tokenizer meets something a valid JSON text cannot hold (defensive).
fn json_events(text: &str) -> Option<Vec<Ev>> {
    let bytes = text.as_bytes();
    let mut evs = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b' ' | b'\t' | b'\r' | b',' | b':' => {}
            b'{' => evs.push(Ev::new(Kind::MapStart, line, 0)),
            b'}' => evs.push(Ev::new(Kind::MapEnd, line, 0)),
            b'[' => evs.push(Ev::new(Kind::SeqStart, line, 0)),
            b']' => evs.push(Ev::new(Kind::SeqEnd, line, 0)),
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    // An escape: skip the escaped byte (`\"`, `\\`, `\u`, …). A valid JSON string
                    // holds no raw newline, so the line does not change inside it.
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let raw = text.get(i..=j)?;
                let value: String = serde_json::from_str(raw).ok()?;
                evs.push(Ev::scalar(line, 0, value, Style::Quoted, None));
                i = j;
            }
            _ => {
                let mut j = i;
                while j < bytes.len()
                    && !matches!(
                        bytes[j],
                        b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b'}' | b']'
                    )
                {
                    j += 1;
                }
                let value = text.get(i..j)?.to_string();
                evs.push(Ev::scalar(line, 0, value, Style::JsonLiteral, None));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    Some(evs)
}

/// One document's events, with the index of each collection's end.
struct Doc<'a> {
    evs: Vec<Ev>,
    /// For a collection start, the index of its end event; otherwise the index itself.
    ends: Vec<usize>,
    /// The source's lines (split on `\n`), for trimming and for telling flow collections.
    lines: Vec<&'a str>,
    json: bool,
}

/// One entry of a mapping: indices of its key, its value, and the event after the value.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: usize,
    value: usize,
    next: usize,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, evs: Vec<Ev>, json: bool) -> Doc<'a> {
        let mut ends: Vec<usize> = (0..evs.len()).collect();
        let mut stack = Vec::new();
        for (i, e) in evs.iter().enumerate() {
            match e.kind {
                Kind::MapStart | Kind::SeqStart => stack.push(i),
                Kind::MapEnd | Kind::SeqEnd => {
                    if let Some(s) = stack.pop() {
                        ends[s] = i;
                    }
                }
                Kind::Scalar | Kind::Alias => {}
            }
        }
        // Unbalanced starts (impossible after a successful parse) end with the stream.
        let last = evs.len().saturating_sub(1);
        for s in stack {
            ends[s] = last;
        }
        Doc {
            evs,
            ends,
            lines: text.split('\n').collect(),
            json,
        }
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.evs.get(i).map(|e| e.kind)
    }

    /// The index just after the node that starts at `i`.
    fn skip(&self, i: usize) -> usize {
        match self.kind(i) {
            Some(Kind::MapStart | Kind::SeqStart) => self.ends.get(i).map_or(i, |&e| e.max(i)) + 1,
            _ => i + 1,
        }
    }

    /// The entries of the mapping that starts at `map`.
    fn entries(&self, map: usize) -> Vec<Entry> {
        let mut out = Vec::new();
        if self.kind(map) != Some(Kind::MapStart) {
            return out;
        }
        let end = self.ends.get(map).copied().unwrap_or(map);
        let mut j = map + 1;
        while j < end {
            let value = self.skip(j);
            if value >= end {
                break;
            }
            let next = self.skip(value);
            out.push(Entry {
                key: j,
                value,
                next,
            });
            j = next;
        }
        out
    }

    /// The key of an entry, when it is a scalar.
    fn key(&self, e: &Entry) -> Option<&str> {
        let ev = self.evs.get(e.key)?;
        (ev.kind == Kind::Scalar).then_some(ev.value.as_str())
    }

    /// The value of the first entry of the mapping at `map` whose key is `name`.
    fn get(&self, map: usize, name: &str) -> Option<usize> {
        self.entries(map)
            .into_iter()
            .find(|e| self.key(e) == Some(name))
            .map(|e| e.value)
    }

    /// Whether the mapping that starts at `map` is flow style (`{…}`).
    fn is_flow(&self, map: usize) -> bool {
        if self.json {
            return true;
        }
        let Some(ev) = self.evs.get(map) else {
            return false;
        };
        ev.line
            .checked_sub(1)
            .and_then(|l| self.lines.get(l))
            .and_then(|l| l.chars().nth(ev.col))
            == Some('{')
    }

    /// The lines of an entry's declaration. `flow`: whether its mapping is flow style.
    fn span(&self, e: &Entry, flow: bool) -> Lines {
        let line_of = |i: usize| self.evs.get(i).map_or(0, |ev| ev.line);
        let start = line_of(e.key);
        if flow {
            let end = line_of(e.next.saturating_sub(1)).max(start);
            return Lines { start, end };
        }
        // The value's own nodes start no later than `floor`; block collection ends are
        // reported at the next token, so they do not count.
        let mut floor = start;
        let mut last_scalar = None;
        for ev in self.evs.get(e.value..e.next).unwrap_or_default() {
            match ev.kind {
                Kind::Scalar => {
                    floor = floor.max(ev.line);
                    last_scalar = Some(ev);
                }
                Kind::Alias | Kind::MapStart | Kind::SeqStart => floor = floor.max(ev.line),
                Kind::MapEnd | Kind::SeqEnd => {}
            }
        }
        // A block scalar's event is marked at its first content line, at its indentation.
        let block_indent = last_scalar
            .filter(|ev| ev.style == Style::Block)
            .map(|ev| ev.col);
        let boundary = self
            .evs
            .get(e.next)
            .map_or(self.lines.len() + 1, |ev| ev.line);
        let mut end = boundary.saturating_sub(1);
        while end > floor && self.trimmable(end, block_indent) {
            end -= 1;
        }
        Lines {
            start,
            end: end.max(floor),
        }
    }

    /// Whether 1-based line `n` is blank or comment-only (and not block scalar content).
    fn trimmable(&self, n: usize, block_indent: Option<usize>) -> bool {
        let Some(line) = n.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return true;
        };
        let t = line.trim();
        if t.is_empty() {
            return true;
        }
        if !t.starts_with('#') {
            return false;
        }
        let indent = line.chars().take_while(|&c| c == ' ').count();
        block_indent.is_none_or(|b| indent < b)
    }

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

    /// The local template path of a nested stack or SAM application resource.
    fn nested_template(&self, value: usize, resource_type: Option<&str>) -> Option<String> {
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
    fn references(&self, from: usize, to: usize) -> Vec<String> {
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
fn sub_names(s: &str) -> Vec<&str> {
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
fn is_local_path(path: &str) -> bool {
    let lower = path.trim().to_ascii_lowercase();
    !lower.is_empty()
        && !lower.starts_with("http://")
        && !lower.starts_with("https://")
        && !lower.starts_with("s3://")
        && !lower.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(start: usize, end: usize) -> Lines {
        Lines { start, end }
    }

    fn resource<'t>(t: &'t Template, id: &str) -> &'t TemplateResource {
        t.resources
            .iter()
            .find(|r| r.logical_id == id)
            .unwrap_or_else(|| panic!("no resource {id}"))
    }

    /// The 1-based line of the only line of `text` that contains `needle`.
    fn line_of(text: &str, needle: &str) -> usize {
        let hits: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(hits.len(), 1, "{needle:?} is on lines {hits:?}");
        hits[0]
    }

    const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders service (test fixture)

Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
  DbPassword:
    Type: String
    NoEcho: true

  # The bucket suffix is optional.
  BucketSuffix:
    Type: String
    Default: ""

Conditions:
  IsProd: !Equals [!Ref Env, prod]

Resources:
  # The primary database.
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      MasterUserPassword: !Ref DbPassword
      MultiAZ: !If [IsProd, true, false]
      DBInstanceClass: !If
        - IsProd
        - db.r6g.large
        - db.t4g.micro
      Tags:
        - Key: env
          Value: !Ref Env

  # Where the orders land.
  # (Two comment lines.)
  OrdersBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "orders-${Env}-${AWS::Region}${BucketSuffix}"
      Tags:
        - Key: db
          Value: !GetAtt Database.Endpoint.Address

  Queue: {Type: "AWS::SQS::Queue", Properties: {QueueName: !Sub "${Env}-orders"}}
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Environment:
        Variables:
          BUCKET: !Ref OrdersBucket
          DB_URL: !Sub
            - "postgres://${Host}:5432/${Env}?x=${!NotAVar}&b=${OrdersBucket.Arn}"
            - Host: !GetAtt Database.Endpoint.Address
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return os.environ["BUCKET"]
          # end of handler
    # trailing comment of Worker

  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: bucket
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource:
                  Fn::Sub:
                    - "arn:${AWS::Partition}:s3:::${BucketSuffix}/*"
                    - BucketSuffix: !Ref OrdersBucket

  NetworkStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./nested/network.yaml
      Parameters:
        Env: { Ref: Env }
        Suffix:
          Fn::Sub: "${BucketSuffix}-net"
  Payments:
    Type: AWS::Serverless::Application
    Properties:
      Location: nested/payments.json
  RemoteStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/remote.yaml
  PublishedApp:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/app
        SemanticVersion: 1.0.0
  SubStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "./nested/${Env}.yaml"

# Outputs of the stack.
Outputs:
  DbEndpoint:
    Value: !GetAtt Database.Endpoint.Address
"#;

    #[test]
    fn yaml_marker_lines_are_one_based() {
        let mut parser = Parser::new_from_str("a: 1\nb: 2\n");
        let mut scalars = Vec::new();
        while let Ok((ev, mark)) = parser.next_token() {
            match ev {
                Event::StreamEnd => break,
                Event::Scalar(v, ..) => scalars.push((v, mark.line(), mark.col())),
                _ => {}
            }
        }
        let expected = [("a", 1, 0), ("1", 1, 3), ("b", 2, 0), ("2", 2, 3)];
        let expected: Vec<_> = expected
            .iter()
            .map(|&(v, l, c)| (v.to_string(), l, c))
            .collect();
        assert_eq!(scalars, expected);
    }

    #[test]
    fn yaml_template_spans() {
        let t = parse_template(YAML).expect("a template");
        let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Database",
                "OrdersBucket",
                "Queue",
                "Worker",
                "WorkerRole",
                "NetworkStack",
                "Payments",
                "RemoteStack",
                "PublishedApp",
                "SubStack"
            ]
        );
        // Line numbers counted by hand; `line_of` double-checks the anchors.
        assert_eq!(line_of(YAML, "  Database:"), 23);
        assert_eq!(resource(&t, "Database").lines, lines(23, 36));
        // The two comment lines above the key belong to neither neighbour.
        assert_eq!(line_of(YAML, "  OrdersBucket:"), 40);
        assert_eq!(resource(&t, "OrdersBucket").lines, lines(40, 46));
        // A flow mapping on one line.
        assert_eq!(line_of(YAML, "  Queue:"), 48);
        assert_eq!(resource(&t, "Queue").lines, lines(48, 48));
        // Ends at the literal block's last line, a `#` line that is content, not a comment;
        // the less-indented comment after it is trimmed.
        assert_eq!(line_of(YAML, "# end of handler"), 66);
        assert_eq!(resource(&t, "Worker").lines, lines(49, 66));
        assert_eq!(resource(&t, "WorkerRole").lines, lines(69, 86));
        assert_eq!(resource(&t, "NetworkStack").lines, lines(88, 95));
        assert_eq!(resource(&t, "Payments").lines, lines(96, 99));
        assert_eq!(resource(&t, "RemoteStack").lines, lines(100, 103));
        assert_eq!(resource(&t, "PublishedApp").lines, lines(104, 109));
        // The last resource: the blank line and the comment before `Outputs` are trimmed.
        assert_eq!(line_of(YAML, "./nested/${Env}.yaml"), 113);
        assert_eq!(resource(&t, "SubStack").lines, lines(110, 113));

        assert_eq!(
            t.parameters,
            vec![
                ("Env".to_string(), lines(6, 8)),
                ("DbPassword".to_string(), lines(9, 11)),
                ("BucketSuffix".to_string(), lines(14, 16)),
            ]
        );
    }

    #[test]
    fn yaml_template_types_nested_and_parameters() {
        let t = parse_template(YAML).expect("a template");
        let r = resource(&t, "Database");
        assert_eq!(r.resource_type.as_deref(), Some("AWS::RDS::DBInstance"));
        assert_eq!(r.parameters, ["DbPassword", "Env"]);
        assert_eq!(r.nested_template, None);
        // `${AWS::Region}` is a pseudo parameter; `Database.Endpoint.Address` an attribute.
        assert_eq!(
            resource(&t, "OrdersBucket").parameters,
            ["Env", "BucketSuffix"]
        );
        assert_eq!(resource(&t, "Queue").parameters, ["Env"]);
        assert_eq!(
            resource(&t, "Queue").resource_type.as_deref(),
            Some("AWS::SQS::Queue")
        );
        // `!Ref OrdersBucket` is a resource, `${Host}` a local variable, `${!NotAVar}` a
        // literal and `${OrdersBucket.Arn}` an attribute.
        assert_eq!(resource(&t, "Worker").parameters, ["Env"]);
        // `${BucketSuffix}` is the Fn::Sub's own variable here, not the parameter.
        assert!(resource(&t, "WorkerRole").parameters.is_empty());

        let r = resource(&t, "NetworkStack");
        assert_eq!(
            r.resource_type.as_deref(),
            Some("AWS::CloudFormation::Stack")
        );
        assert_eq!(r.nested_template.as_deref(), Some("./nested/network.yaml"));
        assert_eq!(r.parameters, ["Env", "BucketSuffix"]);

        let r = resource(&t, "Payments");
        assert_eq!(
            r.resource_type.as_deref(),
            Some("AWS::Serverless::Application")
        );
        assert_eq!(r.nested_template.as_deref(), Some("nested/payments.json"));

        assert_eq!(resource(&t, "RemoteStack").nested_template, None);
        assert_eq!(resource(&t, "PublishedApp").nested_template, None);
        let r = resource(&t, "SubStack");
        assert_eq!(
            r.nested_template, None,
            "an intrinsic function is not a path"
        );
        assert_eq!(r.parameters, ["Env"]);
    }

    const JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "Orders \"service\" {v2} \\ \ud83d\ude80 }",
  "Parameters": {
    "Env": {
      "Type": "String",
      "AllowedValues": ["dev", "prod"]
    },
    "DbPassword": { "Type": "String", "NoEcho": true }
  },
  "Resources": {
    "Database": {
      "Type": "AWS::RDS::DBInstance",
      "Properties": {
        "MasterUserPassword": { "Ref": "DbPassword" },
        "DBName": { "Fn::Sub": "orders_${Env}" },
        "Port": 5432
      }
    },
    "OrdersBucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "BucketName": {
          "Fn::Sub": [
            "orders-${Env}-${Account}-\"${DbPassword}\"-${!Literal}",
            { "Account": { "Ref": "AWS::AccountId" } }
          ]
        }
      }
    },
    "NetworkStack": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": {
        "TemplateURL": "nested/network.json",
        "Parameters": { "Env": { "Ref": "Env" } }
      }
    },
    "RemoteStack": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": { "TemplateURL": "https://example.com/t.json" }
    },
    "Payments": {"Type": "AWS::Serverless::Application", "Properties": {"Location": "./apps/payments.yaml"}}
  },
  "Outputs": {
    "Bucket": { "Value": { "Ref": "OrdersBucket" } }
  }
}
"#;

    /// What every form of `JSON` must give, except for line spans.
    fn check_json_content(t: &Template) {
        let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Database",
                "OrdersBucket",
                "NetworkStack",
                "RemoteStack",
                "Payments"
            ]
        );
        let r = resource(t, "Database");
        assert_eq!(r.resource_type.as_deref(), Some("AWS::RDS::DBInstance"));
        assert_eq!(r.parameters, ["DbPassword", "Env"]);
        assert_eq!(
            resource(t, "OrdersBucket").parameters,
            ["Env", "DbPassword"]
        );
        let r = resource(t, "NetworkStack");
        assert_eq!(r.nested_template.as_deref(), Some("nested/network.json"));
        assert_eq!(r.parameters, ["Env"]);
        assert_eq!(resource(t, "RemoteStack").nested_template, None);
        let r = resource(t, "Payments");
        assert_eq!(
            r.resource_type.as_deref(),
            Some("AWS::Serverless::Application")
        );
        assert_eq!(r.nested_template.as_deref(), Some("./apps/payments.yaml"));
        let names: Vec<&str> = t.parameters.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Env", "DbPassword"]);
    }

    fn check_json_spans(text: &str, t: &Template) {
        assert_eq!(line_of(text, "\"Database\": {"), 12);
        assert_eq!(resource(t, "Database").lines, lines(12, 19));
        assert_eq!(resource(t, "OrdersBucket").lines, lines(20, 30));
        assert_eq!(resource(t, "NetworkStack").lines, lines(31, 37));
        assert_eq!(resource(t, "RemoteStack").lines, lines(38, 41));
        assert_eq!(line_of(text, "\"Payments\""), 42);
        assert_eq!(resource(t, "Payments").lines, lines(42, 42));
        assert_eq!(
            t.parameters,
            vec![
                ("Env".to_string(), lines(5, 8)),
                ("DbPassword".to_string(), lines(9, 9)),
            ]
        );
    }

    #[test]
    fn json_template() {
        let t = parse_template(JSON).expect("a template");
        check_json_content(&t);
        check_json_spans(JSON, &t);
    }

    #[test]
    fn json_template_indented_with_tabs() {
        let tabbed: String = JSON
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                let depth = (l.len() - body.len()) / 2;
                format!("{}{body}\n", "\t".repeat(depth))
            })
            .collect();
        assert!(tabbed.contains("\n\t\t\"Database\""));
        let t = parse_template(&tabbed).expect("a template");
        check_json_content(&t);
        check_json_spans(&tabbed, &t);
    }

    #[test]
    fn json_template_minified_and_crlf() {
        // No JSON string here holds a newline, so joining the trimmed lines keeps the order
        // of keys (which `serde_json::Value` would sort).
        let minified: String = JSON.lines().map(str::trim).collect();
        assert!(!minified.contains('\n'));
        serde_json::from_str::<serde_json::Value>(&minified).expect("valid JSON");
        let t = parse_template(&minified).expect("a template");
        check_json_content(&t);
        assert!(t.resources.iter().all(|r| r.lines == lines(1, 1)));
        assert!(t.parameters.iter().all(|(_, l)| *l == lines(1, 1)));

        let crlf = JSON.replace('\n', "\r\n");
        let t = parse_template(&crlf).expect("a template");
        check_json_spans(JSON, &t);
    }

    #[test]
    fn yaml_template_with_crlf_and_bom() {
        let text = format!("\u{feff}{}", YAML.replace('\n', "\r\n"));
        let t = parse_template(&text).expect("a template");
        assert_eq!(t, parse_template(YAML).expect("a template"));
    }

    #[test]
    fn yaml_flow_style_resources() {
        let text = "Resources: {A: {Type: 'AWS::SNS::Topic'}, B: {Type: AWS::SQS::Queue}}\n";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources.len(), 2);
        assert!(t.resources.iter().all(|r| r.lines == lines(1, 1)));
        assert_eq!(
            t.resources[0].resource_type.as_deref(),
            Some("AWS::SNS::Topic")
        );

        let text = "\
Parameters: {P: {Type: String}}
Resources: {
  A: {
    Type: 'AWS::SNS::Topic',
    Properties: {TopicName: !Ref P}
  }, B: {Type: AWS::SQS::Queue},
  # a comment
  C: {Type: AWS::SQS::Queue}}
";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources[0].lines, lines(3, 6));
        assert_eq!(t.resources[0].parameters, ["P"]);
        assert_eq!(t.resources[1].lines, lines(6, 6));
        assert_eq!(t.resources[2].lines, lines(8, 8));
        assert_eq!(t.parameters, vec![("P".to_string(), lines(1, 1))]);
    }

    #[test]
    fn yaml_without_trailing_newline_and_with_document_markers() {
        let text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SQS::Queue";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources[0].lines, lines(2, 3));
        assert_eq!(t.resources[1].lines, lines(4, 5));

        let text = "---\nResources:\n  A:\n    Type: AWS::SNS::Topic\n\n# c\n...\n";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources[0].lines, lines(3, 4));
    }

    #[test]
    fn block_scalar_and_multiline_plain_scalar_at_the_end() {
        let text = "\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Description: a long
        description over
        three lines
  Script:
    Type: AWS::SSM::Document
    Properties:
      Content: >-
        echo hi

        # still content

  # not content
  Last:
    Type: AWS::SNS::Topic
";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources[0].lines, lines(2, 7));
        assert_eq!(t.resources[1].lines, lines(8, 14));
        assert_eq!(t.resources[2].lines, lines(17, 18));
    }

    #[test]
    fn duplicate_logical_ids_are_both_kept() {
        let text = "\
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Topic:
    Type: AWS::SQS::Queue
";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources.len(), 2);
        assert_eq!(t.resources[0].lines, lines(2, 3));
        assert_eq!(t.resources[1].lines, lines(4, 5));
        assert_eq!(
            t.resources[1].resource_type.as_deref(),
            Some("AWS::SQS::Queue")
        );

        let json = r#"{"Resources": {"T": {"Type": "A::B::C"},
 "T": {"Type": "A::B::D"}}}"#;
        let t = parse_template(json).expect("a template");
        let spans: Vec<Lines> = t.resources.iter().map(|r| r.lines).collect();
        assert_eq!(spans, [lines(1, 1), lines(2, 2)]);
    }

    #[test]
    fn short_form_tags_on_every_node_kind_parse() {
        let text = "\
Parameters:
  Vpc: {Type: String}
  Zone: {Type: String}
Conditions:
  Both: !And [!Equals [!Ref Zone, a], !Not [!Condition Other]]
  Other: !Or [!Equals [a, b], !Equals [c, d]]
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !ImportValue {Fn::Sub: '${Vpc}-id'}
      AvailabilityZone: !Select [0, !GetAZs {Ref: 'AWS::Region'}]
      CidrBlock: !Select [0, !Cidr [!Ref Vpc, 6, 5]]
      Tags: !Split [',', !Join [',', [a, b]]]
      UserData: !Base64
        Fn::FindInMap: [Map, !Ref Zone, key]
      Other: !Transform {Name: AWS::Include, Parameters: {Location: x}}
";
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources[0].lines, lines(8, 17));
        assert_eq!(t.resources[0].parameters, ["Vpc", "Zone"]);
    }

    #[test]
    fn format_version_alone_is_a_template() {
        let t = parse_template("AWSTemplateFormatVersion: '2010-09-09'\nDescription: empty\n")
            .expect("a template");
        assert!(t.resources.is_empty() && t.parameters.is_empty());
    }

    #[test]
    fn not_templates() {
        let workflow = "\
name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test
";
        assert_eq!(parse_template(workflow), None);
        let k8s = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  Resources: plenty
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            limits: {cpu: 500m}
";
        assert_eq!(parse_template(k8s), None);
        // A `Resources` mapping whose entries have no `Type`.
        assert_eq!(
            parse_template("Resources:\n  cpu: 1\n  mem: {size: 2}\n"),
            None
        );
        assert_eq!(
            parse_template(r#"{"name": "pkg", "version": "1.0.0"}"#),
            None
        );
        assert_eq!(
            parse_template(r#"[{"Resources": {"A": {"Type": "X"}}}]"#),
            None
        );
        assert_eq!(parse_template(""), None);
        assert_eq!(parse_template("just a string\n"), None);
        assert_eq!(parse_template("# only a comment\n"), None);
    }

    #[test]
    fn invalid_yaml_and_json_are_none() {
        assert_eq!(
            parse_template("Resources:\n  A:\n    Type: [unclosed\n  B: {Type: X}\n"),
            None
        );
        assert_eq!(
            parse_template("Resources:\n  A:\n    Type: X\n   bad: indent\n"),
            None
        );
        assert_eq!(parse_template("Resources:\n\tA:\n\t\tType: X\n"), None);
        assert_eq!(
            parse_template(r#"{"Resources": {"A": {"Type": "X"}}"#),
            None
        );
        // Only the first document is read, but the whole stream must parse.
        assert_eq!(
            parse_template("Resources:\n  A:\n    Type: X\n---\n: [\n"),
            None
        );
    }

    #[test]
    fn sub_names_rules() {
        assert_eq!(
            sub_names("${A}-${!B}-${C.D}-${AWS::Region}-${}-${E"),
            ["A", "AWS::Region"]
        );
        assert!(sub_names("no variables").is_empty());
    }

    #[test]
    fn local_paths() {
        assert!(is_local_path("./nested/a.yaml"));
        assert!(is_local_path("nested/a.json"));
        assert!(is_local_path("../a.yaml"));
        assert!(!is_local_path("https://bucket.s3.amazonaws.com/a.yaml"));
        assert!(!is_local_path("HTTP://example.com/a.yaml"));
        assert!(!is_local_path("s3://bucket/a.yaml"));
        assert!(!is_local_path(""));
    }

    /// A small deterministic generator (xorshift64*), so the fuzz loop needs no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn never_panics() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let samples = [YAML, JSON];
        let alphabet: Vec<char> = "{}[]:,-!&*#|>'\"\\?%@`\n\t \r${}.Ref!Sub\u{feff}é"
            .chars()
            .collect();
        let mut inputs: Vec<String> = Vec::new();
        for sample in samples {
            let chars: Vec<char> = sample.chars().collect();
            // Truncations.
            for cut in (0..chars.len()).step_by(17) {
                inputs.push(chars[..cut].iter().collect());
            }
            // Mutations: replace, insert or delete a few characters.
            for _ in 0..300 {
                let mut c = chars.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(c.len());
                    match rng.below(3) {
                        0 => c[at] = alphabet[rng.below(alphabet.len())],
                        1 => c.insert(at, alphabet[rng.below(alphabet.len())]),
                        _ => {
                            c.remove(at);
                        }
                    }
                }
                inputs.push(c.into_iter().collect());
            }
        }
        // Random bytes, and random strings over the syntax alphabet.
        for _ in 0..300 {
            let n = rng.below(200);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
            let s: String = (0..n)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            inputs.push(format!("Resources:\n  A:\n    Type: X\n    P: {s}"));
            inputs.push(s);
        }
        // Deep nesting.
        inputs.push(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
        inputs.push(format!(
            "{{\"Resources\": {{\"A\": {{\"Type\": \"X\", \"P\": {}1{}}}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ));
        inputs.push("a: ".repeat(10_000));
        for odd in [
            "%TAG ! tag:example.com,2000:\n--- !x\nResources: {}\n",
            "%YAML 1.2\n%YAML 1.2\n---\n",
            "&a [*a]",
            "Resources: &r\n  A: *r\n  B: {Type: X, <<: *r}\n",
            "? ? ? ?\n: : :",
            "- - - -\n  - -",
            "Resources:\r  A:\r    Type: X\r",
            "Resources:\n  A: !!binary |\n    AAAA\n",
            "Resources:\n  A:\n    Type: |+\n\n\n",
            "Resources:\n  A:\n    Type: >2-\n      x\n",
            "\u{85}Resources:\u{2028}",
            "Resources: {A: {Type: X}",
            "{\"Resources\": {\"A\": {\"Type\": \"X\"}}} trailing",
        ] {
            inputs.push(odd.to_string());
        }
        for input in &inputs {
            if let Some(t) = parse_template(input) {
                for r in &t.resources {
                    assert!(
                        r.lines.start >= 1 && r.lines.start <= r.lines.end,
                        "{input:?}"
                    );
                }
            }
        }
    }

    /// Spans stay exact at both ends of a large template (speed is not timed
    /// here: targets are measured by benchmarks, not tests).
    #[test]
    fn five_thousand_resources_keep_exact_spans() {
        let mut yaml = String::from("Parameters:\n  Env: {Type: String}\nResources:\n");
        let mut json = String::from(
            "{\"Parameters\": {\"Env\": {\"Type\": \"String\"}},\n \"Resources\": {\n",
        );
        for i in 0..5_000 {
            yaml.push_str(&format!(
                "  # bucket {i}\n  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"b-${{Env}}-{i}\"\n      Tags:\n        - {{Key: n, Value: !Ref Env}}\n\n"
            ));
            let sep = if i == 0 { "" } else { ",\n" };
            json.push_str(&format!(
                "{sep}  \"Bucket{i}\": {{\n    \"Type\": \"AWS::S3::Bucket\",\n    \"Properties\": {{\"BucketName\": {{\"Fn::Sub\": \"b-${{Env}}-{i}\"}}}}\n  }}"
            ));
        }
        json.push_str("\n}}\n");
        for (text, first, last) in [
            (&yaml, lines(5, 10), lines(5 + 4999 * 8, 10 + 4999 * 8)),
            (&json, lines(3, 6), lines(3 + 4999 * 4, 6 + 4999 * 4)),
        ] {
            let t = parse_template(text).expect("a template");
            assert_eq!(t.resources.len(), 5_000);
            assert_eq!(t.resources[0].lines, first);
            assert_eq!(t.resources[4_999].lines, last);
            assert_eq!(t.resources[4_999].parameters, ["Env"]);
        }
    }
}
