//! Reading plangate's HCL (the built-in `rules/*.hcl` and a repository's
//! `.plangate.hcl`) with source spans, strictly: an unknown key or block, a
//! wrong type or an interpolation where a literal belongs is an error with its
//! file:line:col, and every error of a file is collected before any is reported.
//!
//! hcl-edit keeps byte spans for every structure; hcl-rs's serde path would lose
//! them for exactly the errors a user most needs to find (unknown keys, types).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A configuration file's name and text, shared by the diagnostics that point
/// into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<String>,
    /// Byte offset of each line's start: every rule asks for its line, and
    /// counting newlines from the top each time is quadratic in the file.
    line_starts: Arc<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text: String = text.into();
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text: Arc::new(text),
            line_starts: Arc::new(line_starts),
        }
    }

    /// The text is shared, not copied: a file with thousands of errors would
    /// otherwise hold thousands of copies of itself.
    fn named(&self) -> NamedSource<Arc<String>> {
        NamedSource::new(&self.name, Arc::clone(&self.text)).with_language("hcl")
    }

    /// 1-based line and column of a byte offset, for messages and tests.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        (line, offset - start + 1)
    }
}

/// One problem in a configuration file.
#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    #[error("{file}:{line}:{col}: {message}")]
    #[diagnostic(code(plangate::config::syntax))]
    Syntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
        #[source_code]
        src: NamedSource<Arc<String>>,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("{file}:{line}:{col}: {message}")]
    #[diagnostic(code(plangate::config::invalid))]
    Invalid {
        file: String,
        line: usize,
        col: usize,
        message: String,
        #[help]
        help: Option<String>,
        #[source_code]
        src: NamedSource<Arc<String>>,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
    },
}

/// Every problem found in one file.
#[derive(Debug, Error, Diagnostic)]
#[error("{file}: {} problem(s) in the configuration", .errors.len())]
#[diagnostic(code(plangate::config::errors))]
pub struct ConfigErrors {
    pub file: String,
    #[related]
    pub errors: Vec<ConfigError>,
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// Collects the errors of one file while its structures are read.
pub struct Reader {
    pub file: SourceFile,
    errors: Vec<ConfigError>,
}

/// The keys a body has not had read yet; what is left at the end is unknown.
pub struct Fields<'a> {
    body: &'a Body,
    taken: Vec<bool>,
    /// "in `agents`", for messages.
    within: String,
}

impl Reader {
    pub fn new(file: SourceFile) -> Reader {
        Reader {
            file,
            errors: Vec::new(),
        }
    }

    /// Parse the file; a syntax error is returned at once (nothing after it can
    /// be trusted).
    pub fn parse(&self) -> Result<Body, ConfigErrors> {
        hcl_edit::parser::parse_body(&self.file.text).map_err(|e| {
            let loc = e.location();
            let offset = loc.offset().min(self.file.text.len());
            ConfigErrors {
                file: self.file.name.clone(),
                errors: vec![ConfigError::Syntax {
                    file: self.file.name.clone(),
                    line: loc.line(),
                    col: loc.column(),
                    message: e.message().to_owned(),
                    src: self.file.named(),
                    span: SourceSpan::new(offset.into(), 1),
                }],
            }
        })
    }

    /// Record a problem at `span`.
    pub fn error(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let span = span.unwrap_or(0..0);
        let (line, col) = self.file.line_col(span.start);
        self.errors.push(ConfigError::Invalid {
            file: self.file.name.clone(),
            line,
            col,
            message: message.into(),
            help,
            src: self.file.named(),
            span: SourceSpan::new(span.start.into(), span.len().max(1)),
            label: label.into(),
        });
    }

    /// The errors so far in file order, or `Ok` when there were none.
    pub fn finish(mut self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort_by_key(|e| match e {
            ConfigError::Syntax { line, col, .. } | ConfigError::Invalid { line, col, .. } => {
                (*line, *col)
            }
        });
        Err(ConfigErrors {
            file: self.file.name,
            errors: self.errors,
        })
    }

    pub fn fields<'a>(&self, body: &'a Body, within: &str) -> Fields<'a> {
        Fields {
            body,
            taken: vec![false; body.iter().count()],
            within: within.to_owned(),
        }
    }

    /// Take attribute `key`, once; a second definition is an error.
    pub fn attribute<'a>(&mut self, f: &mut Fields<'a>, key: &str) -> Option<&'a Expression> {
        let mut found: Option<&'a Expression> = None;
        for (i, s) in f.body.iter().enumerate() {
            if let Structure::Attribute(a) = s
                && a.key.as_str() == key
            {
                f.taken[i] = true;
                if found.is_some() {
                    self.error(
                        a.span(),
                        format!("`{key}` is set twice"),
                        "again here",
                        None,
                    );
                } else {
                    found = Some(&a.value);
                }
            }
        }
        found
    }

    /// Take every block named `ident`.
    pub fn blocks<'a>(&mut self, f: &mut Fields<'a>, ident: &str) -> Vec<&'a Block> {
        let mut out = Vec::new();
        for (i, s) in f.body.iter().enumerate() {
            if let Structure::Block(b) = s
                && b.ident.as_str() == ident
            {
                f.taken[i] = true;
                out.push(b);
            }
        }
        out
    }

    /// Report everything in the body that was not taken.
    pub fn unknown(&mut self, f: Fields<'_>, expected: &str) {
        for (i, s) in f.body.iter().enumerate() {
            if f.taken[i] {
                continue;
            }
            let (what, name, span) = match s {
                Structure::Attribute(a) => ("key", a.key.as_str().to_owned(), a.key.span()),
                Structure::Block(b) => ("block", b.ident.as_str().to_owned(), b.ident.span()),
            };
            self.error(
                span,
                format!("unknown {what} `{name}` {}", f.within),
                format!("unknown {what}"),
                Some(format!("expected {expected}")),
            );
        }
    }

    /// A block's labels, which must be exactly `n` strings.
    pub fn labels(&mut self, block: &Block, n: usize, what: &str) -> Option<Vec<Spanned<String>>> {
        let labels: Vec<Spanned<String>> = block
            .labels
            .iter()
            .map(|l| match l {
                BlockLabel::String(s) => Spanned {
                    value: s.as_str().to_owned(),
                    span: s.span().unwrap_or(0..0),
                },
                BlockLabel::Ident(i) => Spanned {
                    value: i.as_str().to_owned(),
                    span: i.span().unwrap_or(0..0),
                },
            })
            .collect();
        if labels.len() != n {
            self.error(
                block.ident.span(),
                format!(
                    "`{}` takes {n} label(s), {what}; it has {}",
                    block.ident.as_str(),
                    labels.len()
                ),
                "here",
                None,
            );
            return None;
        }
        Some(labels)
    }

    fn wrong(&mut self, expr: &Expression, key: &str, expected: &str) {
        self.error(
            expr.span(),
            format!("`{key}` must be {expected}"),
            format!("not {expected}"),
            literal_help(expr),
        );
    }

    pub fn string(&mut self, expr: &Expression, key: &str) -> Option<Spanned<String>> {
        match expr {
            Expression::String(s) => Some(Spanned {
                value: s.as_str().to_owned(),
                span: expr.span().unwrap_or(0..0),
            }),
            // A heredoc is a string when it interpolates nothing.
            Expression::HeredocTemplate(h) => {
                let mut value = String::new();
                for element in h.template.iter() {
                    match element {
                        hcl_edit::template::Element::Literal(l) => value.push_str(l.value()),
                        _ => {
                            self.wrong(expr, key, "a string");
                            return None;
                        }
                    }
                }
                Some(Spanned {
                    value,
                    span: expr.span().unwrap_or(0..0),
                })
            }
            _ => {
                self.wrong(expr, key, "a string");
                None
            }
        }
    }

    pub fn bool(&mut self, expr: &Expression, key: &str) -> Option<bool> {
        match expr {
            Expression::Bool(b) => Some(*b.value()),
            _ => {
                self.wrong(expr, key, "true or false");
                None
            }
        }
    }

    pub fn number(&mut self, expr: &Expression, key: &str) -> Option<Spanned<u64>> {
        match expr {
            Expression::Number(n) => match n.value().as_u64() {
                Some(v) => Some(Spanned {
                    value: v,
                    span: expr.span().unwrap_or(0..0),
                }),
                None => {
                    self.wrong(expr, key, "a whole number");
                    None
                }
            },
            _ => {
                self.wrong(expr, key, "a whole number");
                None
            }
        }
    }

    pub fn list<'a>(&mut self, expr: &'a Expression, key: &str) -> Vec<&'a Expression> {
        match expr {
            Expression::Array(a) => a.iter().collect(),
            _ => {
                self.wrong(expr, key, "a list [ … ]");
                Vec::new()
            }
        }
    }

    pub fn strings(&mut self, expr: &Expression, key: &str) -> Vec<Spanned<String>> {
        self.list(expr, key)
            .into_iter()
            .filter_map(|e| self.string(e, key))
            .collect()
    }

    /// An object `{ key = value, … }` as (key, value) pairs in order; keys are
    /// identifiers or string literals.
    pub fn object<'a>(
        &mut self,
        expr: &'a Expression,
        key: &str,
    ) -> Option<Vec<(Spanned<String>, &'a Expression)>> {
        let Expression::Object(o) = expr else {
            self.wrong(expr, key, "an object { … }");
            return None;
        };
        let mut out: Vec<(Spanned<String>, &'a Expression)> = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        for (k, v) in o.iter() {
            let name = match k {
                ObjectKey::Ident(i) => Some(i.as_str().to_owned()),
                ObjectKey::Expression(Expression::String(s)) => Some(s.as_str().to_owned()),
                ObjectKey::Expression(_) => None,
            };
            let span = k.span().unwrap_or(0..0);
            let Some(name) = name else {
                self.error(
                    Some(span),
                    format!("a key in `{key}` must be a name or a string"),
                    "here",
                    None,
                );
                continue;
            };
            if seen.insert(name.clone(), ()).is_some() {
                self.error(
                    Some(span),
                    format!("`{name}` is set twice in `{key}`"),
                    "again here",
                    None,
                );
                continue;
            }
            out.push((Spanned { value: name, span }, v.expr()));
        }
        Some(out)
    }

    /// A regular expression, compiled; a bad one is an error at its span.
    pub fn regex(&mut self, s: &Spanned<String>, key: &str) -> Option<regex::Regex> {
        match regex::Regex::new(&s.value) {
            Ok(r) => Some(r),
            Err(e) => {
                self.error(
                    Some(s.span.clone()),
                    format!("`{key}` holds an invalid regular expression: {e}"),
                    "this pattern",
                    Some("HCL strings need `\\\\` for a regex backslash".into()),
                );
                None
            }
        }
    }
}

fn literal_help(expr: &Expression) -> Option<String> {
    match expr {
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
            Some("plangate's configuration takes literal values: no `${…}` interpolation".into())
        }
        Expression::Variable(_) | Expression::Traversal(_) | Expression::FuncCall(_) => {
            Some("plangate's configuration takes literal values, not references or calls".into())
        }
        _ => None,
    }
}

/// Is `p` a path (or glob) inside the repository, relative to its root? Paths
/// in history are (`modules/x.tf`), so an absolute one, a `./` or a `..` would
/// never match anything: a rule or setting that silently never applies.
/// Says so and returns false when it is not.
pub fn repository_path(reader: &mut Reader, p: &Spanned<String>, key: &str) -> bool {
    let v = p.value.as_str();
    let why = if v.starts_with('/') || v.starts_with('\\') || v.get(1..3) == Some(":/") {
        "an absolute path"
    } else if v.starts_with("./") {
        "a path starting with `./`"
    } else if v.split(['/', '\\']).any(|c| c == "..") {
        "a path with `..`"
    } else {
        return true;
    };
    reader.error(
        Some(p.span.clone()),
        format!("`{key}` takes paths relative to the repository's root, not {why}"),
        "never matches a file of the repository",
        Some(
            "git names a file by its path from the repository's root (`modules/db/main.tf`, \
             `modules/**`); a file outside the repository is never in its history"
                .into(),
        ),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_of_every_offset() {
        let text = "a = 1\n\nb = \"é\"\nc";
        let file = SourceFile::new("t.hcl", text);
        for offset in 0..=text.len() + 2 {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            let col = 1 + before.len()
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
            assert_eq!(file.line_col(offset), (line, col), "offset {offset}");
        }
    }

    #[test]
    fn heredocs_without_interpolation_are_strings_dedented() {
        let text =
            "why = <<-EOT\n    First line.\n      Indented.\n  EOT\nbad = <<-EOT\n  ${x}\n  EOT\n";
        let mut reader = Reader::new(SourceFile::new("t.hcl", text));
        let body = reader.parse().unwrap();
        let mut f = reader.fields(&body, "");
        let why = reader.attribute(&mut f, "why").unwrap();
        assert_eq!(
            reader.string(why, "why").unwrap().value,
            "First line.\n  Indented.\n"
        );
        let bad = reader.attribute(&mut f, "bad").unwrap();
        assert!(reader.string(bad, "bad").is_none());
        assert_eq!(reader.finish().unwrap_err().errors.len(), 1);
    }
}
