//! A tolerant reading of a `.tf` file that hcl-edit refuses: its blocks and
//! their parts found by matching braces, strings, heredocs and comments, without
//! understanding the expressions.
//!
//! A version of a file with a syntax error in one block still has every other
//! block intact; comparing block texts keeps a broken version from making its
//! commit an author of everything in the module. References are not read
//! (the declarations are marked `tolerant`): what such a block depends on is
//! taken from its readable versions.

use super::terraform::{Decl, Declaration, LineIndex, Part, fold};
use crate::model::strip_keys;

/// One entry of a body: an attribute (`name = …`) or a block (`name "l" { … }`).
struct Entry {
    ident: String,
    labels: Vec<String>,
    span: std::ops::Range<usize>,
    /// The byte range of the block's body, between its braces.
    body: Option<std::ops::Range<usize>>,
}

/// The declarations of a file that does not parse, or `None` when not even its
/// braces balance.
pub fn declarations(text: &str) -> Option<Vec<Declaration>> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for e in entries(text, 0..text.len())? {
        let Some(body) = e.body.clone() else {
            continue;
        };
        let attr = |name: &str| -> Option<String> {
            entries(text, body.clone())?
                .into_iter()
                .find(|x| x.body.is_none() && x.ident == name)
                .map(|x| {
                    let t = &text[x.span.clone()];
                    strip_keys(&fold(t.split_once('=').map_or("", |(_, v)| v)))
                })
        };
        let decl = match (e.ident.as_str(), e.labels.as_slice()) {
            ("locals", []) => {
                for local in entries(text, body.clone())?
                    .into_iter()
                    .filter(|x| x.body.is_none())
                {
                    let t = fold(&text[local.span.clone()]);
                    out.push(Declaration {
                        decl: Decl::Local { name: local.ident },
                        lines: index.lines(&local.span),
                        parts: vec![Part {
                            name: "value".into(),
                            text: t.clone(),
                            refs: Vec::new(),
                        }],
                        text: t,
                        refs: Vec::new(),
                        source: None,
                        provider: None,
                        tolerant: true,
                    });
                }
                continue;
            }
            ("moved", []) => Decl::Moved {
                from: attr("from").unwrap_or_default(),
                to: attr("to").unwrap_or_default(),
            },
            ("removed", []) => Decl::Removed {
                from: attr("from").unwrap_or_default(),
            },
            ("import", []) => Decl::Import {
                to: attr("to").unwrap_or_default(),
            },
            (ident, labels) => match Decl::from_header(ident, labels) {
                Some(d) => d,
                None => continue,
            },
        };
        let mut parts: Vec<Part> = Vec::new();
        for p in entries(text, body.clone())? {
            let name = match (p.ident.as_str(), p.labels.first()) {
                ("dynamic", Some(l)) => l.clone(),
                (i, _) => i.to_owned(),
            };
            let piece = fold(&text[p.span.clone()]);
            match parts.iter_mut().find(|x| x.name == name) {
                Some(x) => {
                    x.text.push('\n');
                    x.text.push_str(&piece);
                }
                None => parts.push(Part {
                    name,
                    text: piece,
                    refs: Vec::new(),
                }),
            }
        }
        let source = matches!(decl, Decl::Module { .. })
            .then(|| attr("source"))
            .flatten()
            .map(|s| s.trim_matches('"').to_owned());
        out.push(Declaration {
            lines: index.lines(&e.span),
            text: fold(&text[e.span.clone()]),
            refs: Vec::new(),
            parts,
            source,
            provider: None,
            tolerant: true,
            decl,
        });
    }
    Some(out)
}

/// The entries of the body in `range`, or `None` when its brackets do not balance.
fn entries(text: &str, range: std::ops::Range<usize>) -> Option<Vec<Entry>> {
    let b = text.as_bytes();
    let mut s = Scan {
        b,
        i: range.start,
        end: range.end,
    };
    let mut out = Vec::new();
    loop {
        s.skip_space(true);
        if s.i >= s.end {
            return Some(out);
        }
        let start = s.i;
        let ident = s.ident()?;
        let mut labels = Vec::new();
        loop {
            s.skip_space(false);
            match s.peek()? {
                b'"' => {
                    let from = s.i;
                    s.string()?;
                    labels.push(text.get(from + 1..s.i - 1)?.to_owned());
                }
                b'=' => {
                    s.i += 1;
                    s.expression()?;
                    out.push(Entry {
                        ident,
                        labels,
                        span: start..s.i,
                        body: None,
                    });
                    break;
                }
                b'{' => {
                    let open = s.i;
                    s.balanced()?;
                    out.push(Entry {
                        ident,
                        labels,
                        span: start..s.i,
                        body: Some(open + 1..s.i - 1),
                    });
                    break;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => labels.push(s.ident()?),
                _ => return None,
            }
        }
    }
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        (self.i < self.end).then(|| self.b[self.i])
    }

    fn at(&self, s: &str) -> bool {
        self.b[self.i..self.end.min(self.b.len())].starts_with(s.as_bytes())
    }

    /// Skips whitespace and comments (newlines too when `newlines`).
    fn skip_space(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            if c == b' ' || c == b'\t' || c == b'\r' || (newlines && c == b'\n') {
                self.i += 1;
            } else if c == b'#' || self.at("//") {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else if self.at("/*") {
                self.i += 2;
                while self.i < self.end && !self.at("*/") {
                    self.i += 1;
                }
                self.i = (self.i + 2).min(self.end);
            } else {
                return;
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        let from = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.i += 1;
        }
        (self.i > from).then(|| String::from_utf8_lossy(&self.b[from..self.i]).into_owned())
    }

    /// At `"`: to just past the closing quote, across `${ … }` interpolations.
    fn string(&mut self) -> Option<()> {
        self.i += 1;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                // An unterminated string: recover at the end of its line, as a
                // reader of a broken file has to.
                b'\n' => return Some(()),
                b'$' | b'%' if self.b.get(self.i + 1) == Some(&b'{') => {
                    self.i += 1;
                    self.balanced()?;
                }
                _ => self.i += 1,
            }
        }
        None
    }

    /// At `<<`: to the end of the heredoc's closing marker line.
    fn heredoc(&mut self) -> Option<()> {
        self.i += 2;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let marker = self.ident()?;
        loop {
            while self.peek()? != b'\n' {
                self.i += 1;
            }
            self.i += 1;
            let line_end = self.b[self.i..self.end]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.end, |p| self.i + p);
            if String::from_utf8_lossy(&self.b[self.i..line_end]).trim() == marker {
                self.i = line_end;
                return Some(());
            }
        }
    }

    /// At an opening bracket: to just past its match.
    fn balanced(&mut self) -> Option<()> {
        let mut stack = vec![self.peek()?];
        self.i += 1;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'#' => self.skip_space(false),
                b'/' if self.at("//") || self.at("/*") => self.skip_space(false),
                b'<' if self.at("<<") && self.heredoc_follows() => {
                    self.heredoc()?;
                    continue;
                }
                b'{' | b'[' | b'(' => stack.push(c),
                b'}' | b']' | b')' => {
                    let open = stack.pop()?;
                    if !matches!((open, c), (b'{', b'}') | (b'[', b']') | (b'(', b')')) {
                        return None;
                    }
                    if stack.is_empty() {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            if self.peek().is_some() {
                self.i += 1;
            }
        }
        None
    }

    fn heredoc_follows(&self) -> bool {
        let rest = &self.b[self.i + 2..self.end];
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        rest.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    }

    /// An attribute's value: to the end of the line, across brackets, strings
    /// and heredocs; left just past its last token, so that a trailing comment
    /// is not part of it (as hcl-edit reads it).
    fn expression(&mut self) -> Option<()> {
        let mut last = self.i;
        loop {
            self.skip_space(false);
            match self.peek() {
                None | Some(b'\n') => {
                    self.i = last;
                    return Some(());
                }
                Some(b'"') => self.string()?,
                Some(b'{' | b'[' | b'(') => self.balanced()?,
                Some(b'}' | b']' | b')') => return None,
                Some(b'<') if self.at("<<") && self.heredoc_follows() => self.heredoc()?,
                Some(_) => self.i += 1,
            }
            last = self.i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::Lines;

    #[test]
    fn a_broken_block_leaves_the_others_readable() {
        let text = r#"
resource "terraform_data" "a" {
  input = "one"
}

resource "terraform_data" "b" {
  input = [1, 2,, ]
  triggers_replace = { x = "${var.y}" }
}

locals {
  names = ["a", "b"]
  more  = <<-EOT
    } not a brace
  EOT
}
"#;
        assert!(super::super::terraform::declarations(text).is_none());
        let decls = declarations(text).expect("braces balance");
        let names: Vec<String> = decls.iter().map(|d| d.decl.describe()).collect();
        assert_eq!(
            names,
            [
                "resource \"terraform_data\" \"a\"",
                "resource \"terraform_data\" \"b\"",
                "local.names",
                "local.more"
            ]
        );
        assert_eq!(
            decls[0].text,
            "resource \"terraform_data\" \"a\" { input = \"one\" }"
        );
        assert_eq!(decls[1].lines, Lines { start: 6, end: 9 });
        let parts: Vec<&str> = decls[1].parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(parts, ["input", "triggers_replace"]);
        assert!(decls.iter().all(|d| d.tolerant));
    }

    #[test]
    fn unbalanced_braces_are_none() {
        assert!(declarations("resource \"x\" \"y\" {\n  a = 1\n").is_none());
        assert!(declarations("resource \"x\" \"y\" {\n  a = [1}\n}\n").is_none());
        // An unterminated string ends with its line.
        let d = declarations("resource \"x\" \"y\" {\n  a = \"b\n}\n").unwrap();
        assert_eq!(d[0].parts[0].name, "a");
        assert!(declarations("}").is_none());
    }

    #[test]
    fn never_panics_on_truncations() {
        let text = "resource \"a\" \"b\" {\n  x = \"${var.y}\"\n  z = <<EOT\nhi\nEOT\n}\n# c\n/* d */ locals { q = 1 }\n";
        for cut in 0..=text.len() {
            if text.is_char_boundary(cut) {
                let _ = declarations(&text[..cut]);
            }
        }
    }
}
