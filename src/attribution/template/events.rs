//! Event streams: a YAML or JSON text reduced to one flat list of collection starts and ends,
//! scalars and aliases, each with the line where it starts.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    MapStart,
    MapEnd,
    SeqStart,
    SeqEnd,
    Scalar,
    Alias,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
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
pub(super) struct Ev {
    pub(super) kind: Kind,
    /// 1-based.
    pub(super) line: usize,
    /// 0-based, in characters (YAML only; 0 for JSON).
    pub(super) col: usize,
    /// The scalar's value (empty for other kinds).
    pub(super) value: String,
    /// The tag as written after resolution: `!Ref`, `tag:yaml.org,2002:str`, ….
    pub(super) tag: Option<String>,
    pub(super) style: Style,
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

    pub(super) fn has_tag(&self, short: &str) -> bool {
        self.short_tag() == Some(short)
    }

    /// A local tag without its `!` (`Ref` for `!Ref`); `None` for no tag or a resolved one.
    pub(super) fn short_tag(&self) -> Option<&str> {
        self.tag.as_deref().and_then(|t| t.strip_prefix('!'))
    }

    /// A scalar that is a plain string: no intrinsic-function tag, not null, not a JSON literal.
    pub(super) fn as_string(&self) -> Option<&str> {
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
pub(super) fn yaml_events(text: &str) -> Option<Vec<Ev>> {
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
pub(super) fn json_events(text: &str) -> Option<Vec<Ev>> {
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
