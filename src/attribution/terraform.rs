//! Terraform configuration: the declarations of a `.tf` file (and the keys of a
//! `.tfvars` file), each with its text, its parts, its lines and what it refers to.
//!
//! A commit wrote a change when it changed something the change depends on;
//! "changed" is decided by comparing texts between versions (whitespace
//! folded), so declarations carry their text and the text of each part (each
//! top-level argument or nested block), and references say what else they read:
//! variables, locals, resources and data sources, module outputs, files.
//!
//! hcl-edit reads a file exactly; when it cannot, [`super::lexical`] still
//! splits the file into its blocks, so that one broken version blames only the
//! blocks it changed.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ForExpr, FuncCall, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::template::{Element, StringTemplate};
use hcl_edit::visit::{self, Visit};

use super::Lines;
use crate::model::strip_keys;

/// What a declaration declares, as plangate tells declarations apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decl {
    /// `resource "T" "N"` (`data: false`) or `data "T" "N"`.
    Resource {
        data: bool,
        kind: String,
        name: String,
    },
    Module {
        name: String,
    },
    /// `moved { from = … to = … }`, addresses as written without instance keys.
    Moved {
        from: String,
        to: String,
    },
    /// `removed { from = … }`.
    Removed {
        from: String,
    },
    /// `import { to = … }`.
    Import {
        to: String,
    },
    Variable {
        name: String,
    },
    /// One attribute of a `locals` block.
    Local {
        name: String,
    },
    Output {
        name: String,
    },
    /// `provider "NAME"`.
    Provider {
        name: String,
    },
    /// The `terraform` block (required_providers, backend, …).
    Terraform,
}

impl Decl {
    /// How the declaration reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Decl::Resource {
                data: false,
                kind,
                name,
            } => format!("resource \"{kind}\" \"{name}\""),
            Decl::Resource {
                data: true,
                kind,
                name,
            } => format!("data \"{kind}\" \"{name}\""),
            Decl::Module { name } => format!("module \"{name}\""),
            Decl::Moved { from, to } => format!("moved {{ from = {from}, to = {to} }}"),
            Decl::Removed { from } => format!("removed {{ from = {from} }}"),
            Decl::Import { to } => format!("import {{ to = {to} }}"),
            Decl::Variable { name } => format!("variable \"{name}\""),
            Decl::Local { name } => format!("local.{name}"),
            Decl::Output { name } => format!("output \"{name}\""),
            Decl::Provider { name } => format!("provider \"{name}\""),
            Decl::Terraform => "the terraform block".into(),
        }
    }

    /// The declaration a block header names (`resource "a" "b"`, `locals` aside).
    pub fn from_header(ident: &str, labels: &[String]) -> Option<Decl> {
        Some(match (ident, labels) {
            ("resource", [kind, name]) => Decl::Resource {
                data: false,
                kind: kind.clone(),
                name: name.clone(),
            },
            ("data", [kind, name]) => Decl::Resource {
                data: true,
                kind: kind.clone(),
                name: name.clone(),
            },
            ("module", [name]) => Decl::Module { name: name.clone() },
            ("variable", [name]) => Decl::Variable { name: name.clone() },
            ("output", [name]) => Decl::Output { name: name.clone() },
            ("provider", [name]) => Decl::Provider { name: name.clone() },
            ("terraform", []) => Decl::Terraform,
            _ => return None,
        })
    }
}

/// Where a file-family function (or a `path.module`-based string) points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilePath {
    /// As written: relative to where terraform runs (the root module's directory).
    Cwd(String),
    /// Relative to the declaring module's directory (`${path.module}/…`).
    Module(String),
    /// Some file under a directory (the rest of the path is computed).
    Under(Box<FilePath>),
    /// The files `fileset(base, pattern)` matches.
    Glob {
        base: Box<FilePath>,
        pattern: String,
    },
    /// The value of a variable or local (resolved where it is declared).
    Value(Box<Ref>),
    /// Nothing about it is known statically.
    Unknown,
}

/// A reference from one declaration to something else of its module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ref {
    Var(String),
    Local(String),
    /// A resource or data source of the same module.
    Resource {
        data: bool,
        kind: String,
        name: String,
    },
    /// `module.NAME.OUTPUT`; `output: None` is the whole module object.
    Module {
        name: String,
        output: Option<String>,
    },
    /// A file read by a file-family function.
    File(FilePath),
    /// `terraform.workspace`: chosen where terraform runs, not in the configuration.
    Workspace,
    /// `each.value` / `each.key`: what the block's own `for_each` holds.
    Each,
}

/// One top-level argument or nested block of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The argument's name, or the nested block's type (a `dynamic "x"` block is `x`).
    pub name: String,
    /// Its text, whitespace folded (blocks of the same type joined).
    pub text: String,
    pub refs: Vec<Ref>,
}

/// One declaration of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub decl: Decl,
    pub lines: Lines,
    /// The declaration's source with runs of whitespace folded to one space.
    pub text: String,
    /// Everything it refers to, anywhere in it.
    pub refs: Vec<Ref>,
    /// Its arguments and nested blocks: a replacement forced by one attribute
    /// depends on that attribute's references; a module call is read argument
    /// by argument.
    pub parts: Vec<Part>,
    /// For a module block: its `source` when a string.
    pub source: Option<String>,
    /// For a resource: its `provider = NAME.alias` argument, if any.
    pub provider: Option<String>,
    /// Read without hcl-edit (the file did not parse): text and parts only,
    /// references unknown.
    pub tolerant: bool,
}

impl Declaration {
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }
}

/// The file-family functions: what they read is configuration too.
const FILE_FUNCTIONS: &[&str] = &[
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "templatefile",
];

/// The declarations of a `.tf` file, or `None` when it does not parse (the
/// caller then tries [`super::lexical::declarations`]).
pub fn declarations(text: &str) -> Option<Vec<Declaration>> {
    let body = hcl_edit::parser::parse_body(text).ok()?;
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for structure in body.iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        read_block(block, text, &index, &mut out);
    }
    Some(out)
}

/// The top-level keys of a `.tfvars` file with the folded text of each, or
/// `None` when it does not parse. `.tfvars.json` files are read as JSON.
pub fn tfvars(path: &str, text: &str) -> Option<Vec<(String, Lines, String)>> {
    if path.ends_with(".json") {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        return Some(
            value
                .as_object()?
                .iter()
                .map(|(k, v)| (k.clone(), Lines { start: 1, end: 1 }, v.to_string()))
                .collect(),
        );
    }
    let body = hcl_edit::parser::parse_body(text).ok()?;
    let index = LineIndex::new(text);
    Some(
        body.iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) => {
                    let span = a.span()?;
                    Some((
                        a.key.as_str().to_owned(),
                        index.lines(&span),
                        fold(&text[span]),
                    ))
                }
                Structure::Block(_) => None,
            })
            .collect(),
    )
}

fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::String(s) => s.as_str().to_owned(),
        BlockLabel::Ident(i) => i.as_str().to_owned(),
    }
}

fn read_block(block: &Block, text: &str, index: &LineIndex, out: &mut Vec<Declaration>) {
    let Some(span) = block.span() else { return };
    let labels: Vec<String> = block.labels.iter().map(label).collect();
    let attr = |name: &str| attribute(&block.body, name);
    let source_text = |name: &str| {
        attr(name)
            .and_then(|e| e.span())
            .map(|s| strip_keys(&fold(&text[s])))
    };
    let decl = match (block.ident.as_str(), labels.as_slice()) {
        ("moved", []) => Decl::Moved {
            from: source_text("from").unwrap_or_default(),
            to: source_text("to").unwrap_or_default(),
        },
        ("removed", []) => Decl::Removed {
            from: source_text("from").unwrap_or_default(),
        },
        ("import", []) => Decl::Import {
            to: source_text("to").unwrap_or_default(),
        },
        ("locals", []) => {
            for s in block.body.iter() {
                if let Structure::Attribute(a) = s
                    && let Some(span) = a.span()
                {
                    let refs = refs_of_expr(&a.value);
                    out.push(Declaration {
                        decl: Decl::Local {
                            name: a.key.as_str().to_owned(),
                        },
                        lines: index.lines(&span),
                        text: fold(&text[span.clone()]),
                        parts: vec![Part {
                            name: "value".into(),
                            text: fold(&text[span]),
                            refs: refs.clone(),
                        }],
                        refs,
                        source: None,
                        provider: None,
                        tolerant: false,
                    });
                }
            }
            return;
        }
        (ident, labels) => match Decl::from_header(ident, labels) {
            Some(d) => d,
            None => return,
        },
    };
    let mut refs = Refs::default();
    refs.visit_body(&block.body);
    let mut parts: Vec<Part> = Vec::new();
    for s in block.body.iter() {
        let (name, span, found) = match s {
            Structure::Attribute(a) => {
                (a.key.as_str().to_owned(), a.span(), refs_of_expr(&a.value))
            }
            Structure::Block(b) => {
                let mut r = Refs::default();
                r.visit_block(b);
                let name = match (b.ident.as_str(), b.labels.first()) {
                    ("dynamic", Some(l)) => label(l),
                    (ident, _) => ident.to_owned(),
                };
                (name, b.span(), r.into_vec())
            }
        };
        let piece = span.map(|s| fold(&text[s])).unwrap_or_default();
        match parts.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.text.push('\n');
                p.text.push_str(&piece);
                p.refs.extend(found);
                p.refs.sort();
                p.refs.dedup();
            }
            None => parts.push(Part {
                name,
                text: piece,
                refs: found,
            }),
        }
    }
    let module = matches!(decl, Decl::Module { .. });
    out.push(Declaration {
        lines: index.lines(&span),
        text: fold(&text[span.clone()]),
        refs: refs.into_vec(),
        parts,
        source: if module {
            attr("source").and_then(|e| e.as_str()).map(str::to_owned)
        } else {
            None
        },
        provider: attr("provider")
            .and_then(|e| e.span())
            .map(|s| fold(&text[s])),
        tolerant: false,
        decl,
    });
}

fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == name => Some(&a.value),
        _ => None,
    })
}

pub fn refs_of_expr(expr: &Expression) -> Vec<Ref> {
    let mut refs = Refs::default();
    refs.visit_expr(expr);
    refs.into_vec()
}

/// Collects references wherever they are (counts, for_each, templates, nested
/// blocks, function arguments), leaving out the names a `for` expression or a
/// `dynamic` block binds, which only look like resource references.
#[derive(Default)]
struct Refs {
    found: Vec<Ref>,
    bound: Vec<String>,
}

impl Refs {
    fn into_vec(mut self) -> Vec<Ref> {
        self.found.sort();
        self.found.dedup();
        self.found
    }
}

impl Visit for Refs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let names: Vec<&str> = node
                .operators
                .iter()
                .map_while(|op| match op.value() {
                    TraversalOperator::GetAttr(name) => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            // Attribute names after an index (`module.m[0].out`).
            let attrs: Vec<&str> = node
                .operators
                .iter()
                .filter_map(|op| match op.value() {
                    TraversalOperator::GetAttr(name) => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            let root = root.as_str();
            let found = match (root, names.as_slice()) {
                ("var", [name, ..]) => Some(Ref::Var((*name).to_owned())),
                ("local", [name, ..]) => Some(Ref::Local((*name).to_owned())),
                ("module", [name, ..]) => Some(Ref::Module {
                    name: (*name).to_owned(),
                    output: attrs.get(1).map(|s| (*s).to_owned()),
                }),
                ("data", [kind, name, ..]) => Some(Ref::Resource {
                    data: true,
                    kind: (*kind).to_owned(),
                    name: (*name).to_owned(),
                }),
                ("terraform", ["workspace", ..]) => Some(Ref::Workspace),
                ("each", _) if !self.bound.iter().any(|b| b == "each") => Some(Ref::Each),
                ("path" | "count" | "each" | "self" | "terraform", _) => None,
                (kind, [name, ..])
                    if kind.contains('_') && !self.bound.iter().any(|b| b == kind) =>
                {
                    Some(Ref::Resource {
                        data: false,
                        kind: kind.to_owned(),
                        name: (*name).to_owned(),
                    })
                }
                _ => None,
            };
            self.found.extend(found);
        }
        visit::visit_traversal(self, node);
    }

    fn visit_for_expr(&mut self, node: &ForExpr) {
        let before = self.bound.len();
        if let Some(k) = &node.intro.key_var {
            self.bound.push(k.as_str().to_owned());
        }
        self.bound.push(node.intro.value_var.as_str().to_owned());
        visit::visit_for_expr(self, node);
        self.bound.truncate(before);
    }

    fn visit_block(&mut self, node: &Block) {
        let before = self.bound.len();
        if node.ident.as_str() == "dynamic" {
            self.bound.extend(node.labels.iter().map(label));
            if let Some(Expression::Variable(i)) = attribute(&node.body, "iterator") {
                self.bound.push(i.as_str().to_owned());
            }
        }
        visit::visit_block(self, node);
        self.bound.truncate(before);
    }

    fn visit_func_call(&mut self, node: &FuncCall) {
        let name = node.name.name.as_str();
        if node.name.namespace.is_empty() && FILE_FUNCTIONS.contains(&name) {
            let args: Vec<&Expression> = node.args.iter().collect();
            let path = match (name, args.as_slice()) {
                ("fileset", [base, pattern, ..]) => match literal(pattern) {
                    Some(p) => FilePath::Glob {
                        base: Box::new(path_of(base)),
                        pattern: p,
                    },
                    None => FilePath::Under(Box::new(path_of(base))),
                },
                (_, [first, ..]) => path_of(first),
                _ => FilePath::Unknown,
            };
            self.found.push(Ref::File(path));
        }
        visit::visit_func_call(self, node);
    }

    fn visit_string_template(&mut self, node: &StringTemplate) {
        // `"${path.module}/lambda.zip"` names a file of the module, whatever reads it.
        if let Some(Element::Interpolation(i)) = node.iter().next()
            && path_base(&i.expr).is_some()
        {
            self.found.push(Ref::File(template_path(node)));
        }
        visit::visit_string_template(self, node);
    }
}

/// A plain string expression's value.
fn literal(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.as_str().to_owned()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for e in t.iter() {
                match e {
                    Element::Literal(l) => out.push_str(l.as_str()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => literal(p.inner()),
        _ => None,
    }
}

/// `path.module` → the module's directory; `path.root` / `path.cwd` → where terraform runs.
fn path_base(expr: &Expression) -> Option<FilePath> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(v) = &t.expr else {
        return None;
    };
    if v.as_str() != "path" || t.operators.len() != 1 {
        return None;
    }
    match t.operators[0].value() {
        TraversalOperator::GetAttr(n) if n.as_str() == "module" => {
            Some(FilePath::Module(String::new()))
        }
        TraversalOperator::GetAttr(n) if matches!(n.as_str(), "root" | "cwd") => {
            Some(FilePath::Cwd(String::new()))
        }
        _ => None,
    }
}

/// Where a path argument points, as far as it can be told without evaluating.
pub fn path_of(expr: &Expression) -> FilePath {
    if let Some(s) = literal(expr) {
        return if s.starts_with('/') {
            FilePath::Unknown
        } else {
            FilePath::Cwd(s)
        };
    }
    if let Some(base) = path_base(expr) {
        return base;
    }
    match expr {
        Expression::StringTemplate(t) => template_path(t),
        Expression::Parenthesis(p) => path_of(p.inner()),
        Expression::Traversal(t) if t.operators.len() == 1 => {
            let (Expression::Variable(root), TraversalOperator::GetAttr(name)) =
                (&t.expr, t.operators[0].value())
            else {
                return FilePath::Unknown;
            };
            match root.as_str() {
                "var" => FilePath::Value(Box::new(Ref::Var(name.as_str().to_owned()))),
                "local" => FilePath::Value(Box::new(Ref::Local(name.as_str().to_owned()))),
                _ => FilePath::Unknown,
            }
        }
        Expression::FuncCall(f)
            if f.name.namespace.is_empty()
                && matches!(f.name.name.as_str(), "abspath" | "pathexpand") =>
        {
            f.args.iter().next().map_or(FilePath::Unknown, path_of)
        }
        _ => FilePath::Unknown,
    }
}

/// A template path: its base (`path.module`, `path.root`, or as written), then
/// literal text; past the first computed part, only its directory is known.
fn template_path(t: &StringTemplate) -> FilePath {
    let mut elements = t.iter().peekable();
    let mut base = match elements.peek() {
        Some(Element::Interpolation(i)) => match path_base(&i.expr) {
            Some(b) => {
                elements.next();
                b
            }
            None => FilePath::Cwd(String::new()),
        },
        _ => FilePath::Cwd(String::new()),
    };
    let mut rest = String::new();
    let mut computed = false;
    for e in elements {
        match e {
            Element::Literal(l) => rest.push_str(l.as_str()),
            _ => {
                computed = true;
                break;
            }
        }
    }
    let rest = rest.trim_start_matches('/');
    let join = |b: &FilePath, r: &str| match b {
        FilePath::Module(_) => FilePath::Module(r.to_owned()),
        _ => FilePath::Cwd(r.to_owned()),
    };
    if computed {
        // Only the directory before the computed part is known.
        let dir = rest.rsplit_once('/').map_or("", |(d, _)| d);
        base = join(&base, dir);
        FilePath::Under(Box::new(base))
    } else {
        join(&base, rest)
    }
}

/// What a template file (`templatefile`'s) refers to: the files its own
/// file-function calls read; `None` when it does not parse.
pub fn template_refs(text: &str) -> Option<Vec<Ref>> {
    let template = hcl_edit::parser::parse_template(text).ok()?;
    let mut refs = Refs::default();
    refs.visit_template(&template);
    Some(refs.into_vec())
}

/// Where the expression of `name = expr` (an attribute's text) points as a path.
pub fn path_of_attribute(text: &str) -> FilePath {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return FilePath::Unknown;
    };
    body.iter()
        .find_map(|s| match s {
            Structure::Attribute(a) => Some(path_of(&a.value)),
            Structure::Block(_) => None,
        })
        .unwrap_or(FilePath::Unknown)
}

/// Runs of whitespace folded to one space: a reformatting is not a change.
pub fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte offset → line number.
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }

    pub fn lines(&self, span: &std::ops::Range<usize>) -> Lines {
        Lines {
            start: self.line(span.start),
            end: self.line(span.end.saturating_sub(1).max(span.start)),
        }
    }
}

#[cfg(test)]
mod tests;
