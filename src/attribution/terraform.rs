//! Terraform configuration: the declarations of a `.tf` file (and the keys of a
//! `.tfvars` file), each with its text, its lines and what it refers to.
//!
//! A commit wrote a change when it changed a declaration the change depends on;
//! "changed" is decided by comparing each declaration's text between versions,
//! so the declarations here carry their text (whitespace folded).

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
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
            Decl::Provider { name } => format!("provider \"{name}\""),
            Decl::Terraform => "the terraform block".into(),
        }
    }
}

/// A reference from one declaration to another in the same module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ref {
    Var(String),
    Local(String),
}

/// One declaration of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub decl: Decl,
    pub lines: Lines,
    /// The declaration's source with runs of whitespace folded to one space.
    pub text: String,
    pub refs: Vec<Ref>,
    /// References of each top-level argument or nested block, by name: a
    /// replacement forced by one attribute depends on that attribute's refs.
    pub attr_refs: Vec<(String, Vec<Ref>)>,
    /// For a module block: its `source` when a string.
    pub source: Option<String>,
    /// For a module block: each input argument and what it refers to (in the
    /// calling module).
    pub inputs: Vec<(String, Vec<Ref>)>,
    /// For a resource: its `provider = NAME.alias` argument, if any.
    pub provider: Option<String>,
}

/// The declarations of a `.tf` file, or `None` when it does not parse (the
/// caller then treats the whole file as changed).
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
        ("variable", [name]) => Decl::Variable { name: name.clone() },
        ("provider", [name]) => Decl::Provider { name: name.clone() },
        ("terraform", []) => Decl::Terraform,
        ("locals", []) => {
            for s in block.body.iter() {
                if let Structure::Attribute(a) = s
                    && let Some(span) = a.span()
                {
                    out.push(Declaration {
                        decl: Decl::Local {
                            name: a.key.as_str().to_owned(),
                        },
                        lines: index.lines(&span),
                        text: fold(&text[span]),
                        refs: refs_of_expr(&a.value),
                        attr_refs: Vec::new(),
                        source: None,
                        inputs: Vec::new(),
                        provider: None,
                    });
                }
            }
            return;
        }
        _ => return,
    };
    let mut refs = Refs::default();
    refs.visit_body(&block.body);
    let module = matches!(decl, Decl::Module { .. });
    let attr_refs = block
        .body
        .iter()
        .map(|s| match s {
            Structure::Attribute(a) => (a.key.as_str().to_owned(), refs_of_expr(&a.value)),
            Structure::Block(b) => {
                let mut r = Refs::default();
                r.visit_body(&b.body);
                (b.ident.as_str().to_owned(), r.into_vec())
            }
        })
        .collect();
    out.push(Declaration {
        lines: index.lines(&span),
        text: fold(&text[span.clone()]),
        refs: refs.into_vec(),
        attr_refs,
        source: if module {
            attr("source").and_then(|e| e.as_str()).map(str::to_owned)
        } else {
            None
        },
        inputs: if module {
            block
                .body
                .iter()
                .filter_map(|s| match s {
                    Structure::Attribute(a) => {
                        Some((a.key.as_str().to_owned(), refs_of_expr(&a.value)))
                    }
                    Structure::Block(_) => None,
                })
                .collect()
        } else {
            Vec::new()
        },
        provider: attr("provider")
            .and_then(|e| e.span())
            .map(|s| fold(&text[s])),
        decl,
    });
}

fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == name => Some(&a.value),
        _ => None,
    })
}

fn refs_of_expr(expr: &Expression) -> Vec<Ref> {
    let mut refs = Refs::default();
    refs.visit_expr(expr);
    refs.into_vec()
}

/// Collects `var.NAME` and `local.NAME` traversals, wherever they are (counts,
/// for_each, templates, nested blocks).
#[derive(Default)]
struct Refs(Vec<Ref>);

impl Refs {
    fn into_vec(mut self) -> Vec<Ref> {
        self.0.sort();
        self.0.dedup();
        self.0
    }
}

impl Visit for Refs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr
            && let Some(op) = node.operators.first()
            && let TraversalOperator::GetAttr(name) = op.value()
        {
            match root.as_str() {
                "var" => self.0.push(Ref::Var(name.as_str().to_owned())),
                "local" => self.0.push(Ref::Local(name.as_str().to_owned())),
                _ => {}
            }
        }
        visit::visit_traversal(self, node);
    }
}

/// Runs of whitespace folded to one space: a reformatting is not a change.
pub fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte offset → line number.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
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

    fn lines(&self, span: &std::ops::Range<usize>) -> Lines {
        Lines {
            start: self.line(span.start),
            end: self.line(span.end.saturating_sub(1).max(span.start)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: &str = r#"terraform {
  required_version = ">= 1.5"
}

variable "size" {
  default = 3
}

locals {
  prefix = "app-${var.env}"
  tags   = { team = "sre" }
}

# The database.
resource "aws_db_instance" "main" {
  count          = var.size
  identifier     = "${local.prefix}-db"
  instance_class = "db.t3.micro"

  lifecycle {
    prevent_destroy = true
  }
}

module "network" {
  source = "./modules/network"
  cidr   = var.cidr
  name   = local.prefix
}

moved {
  from = aws_s3_bucket.old["a"]
  to   = module.storage.aws_s3_bucket.new
}

data "aws_ami" "ubuntu" {
  most_recent = true
}
"#;

    #[test]
    fn declarations_with_lines_and_references() {
        let decls = declarations(MAIN).unwrap();
        let find = |d: &Decl| decls.iter().find(|x| x.decl == *d).unwrap().clone();
        let db = find(&Decl::Resource {
            data: false,
            kind: "aws_db_instance".into(),
            name: "main".into(),
        });
        assert_eq!(db.lines, Lines { start: 15, end: 23 });
        assert_eq!(
            db.refs,
            [Ref::Var("size".into()), Ref::Local("prefix".into())]
        );
        let prefix = find(&Decl::Local {
            name: "prefix".into(),
        });
        assert_eq!(prefix.lines, Lines { start: 10, end: 10 });
        assert_eq!(prefix.refs, [Ref::Var("env".into())]);
        let network = find(&Decl::Module {
            name: "network".into(),
        });
        assert_eq!(network.source.as_deref(), Some("./modules/network"));
        assert_eq!(
            network.inputs,
            [
                ("source".to_owned(), vec![]),
                ("cidr".to_owned(), vec![Ref::Var("cidr".into())]),
                ("name".to_owned(), vec![Ref::Local("prefix".into())])
            ]
        );
        assert!(decls.iter().any(|d| d.decl
            == Decl::Moved {
                from: "aws_s3_bucket.old".into(),
                to: "module.storage.aws_s3_bucket.new".into()
            }));
        assert!(decls.iter().any(|d| d.decl == Decl::Terraform));
        assert!(decls.iter().any(|d| d.decl
            == Decl::Resource {
                data: true,
                kind: "aws_ami".into(),
                name: "ubuntu".into()
            }));
        assert_eq!(
            find(&Decl::Variable {
                name: "size".into()
            })
            .lines,
            Lines { start: 5, end: 7 }
        );
    }

    #[test]
    fn reformatting_does_not_change_a_declarations_text() {
        let a = declarations("resource \"x\" \"y\" {\n  a = 1\n}\n").unwrap();
        let b = declarations("resource \"x\"   \"y\" {\n\n    a   =   1\n}\n").unwrap();
        assert_eq!(a[0].text, b[0].text);
        let c = declarations("resource \"x\" \"y\" {\n  a = 2\n}\n").unwrap();
        assert_ne!(a[0].text, c[0].text);
    }

    #[test]
    fn unparsable_files_and_tfvars() {
        assert!(declarations("resource \"x\" {").is_none());
        let vars = tfvars("prod.tfvars", "region = \"eu\"\nsize = 3\n").unwrap();
        assert_eq!(vars[1].0, "size");
        assert_eq!(vars[1].1, Lines { start: 2, end: 2 });
        let vars = tfvars("prod.tfvars.json", r#"{"size": 3}"#).unwrap();
        assert_eq!((vars[0].0.as_str(), vars[0].2.as_str()), ("size", "3"));
    }
}
