//! The rewrite that prepares an expression for hcl-rs's evaluator.
//!
//! References become slot lookups (resolved on demand), what the repository
//! cannot tell becomes a call failing with the reason, arithmetic becomes
//! checked, and templates become function calls so that the references inside
//! them are rewritten too (hcl-rs keeps a template as unparsed text).

use hcl::expr::{
    BinaryOp, BinaryOperator, Conditional, Expression, ForExpr, FuncCall, FuncName, ObjectKey,
    Operation, Traversal, TraversalOperator, UnaryOp,
};
use hcl::template::{Directive, Element, Strip, Template};
use hcl::{Identifier, Number};

use super::{Evaluator, Ref, functions, relative};

pub(super) fn internal(name: &str, args: Vec<Expression>) -> Expression {
    Expression::FuncCall(Box::new(FuncCall {
        name: FuncName::new(Identifier::unchecked(name)),
        args,
        expand_final: false,
    }))
}

fn unknown(reason: String) -> Expression {
    internal(functions::UNKNOWN, vec![Expression::String(reason)])
}

/// A traversal as the user wrote it, for reasons: `aws_s3_bucket.logs.id`.
fn traversal_text(root: &str, ops: &[TraversalOperator]) -> String {
    let mut s = root.to_string();
    for op in ops.iter().take(3) {
        match op {
            TraversalOperator::GetAttr(a) => {
                s.push('.');
                s.push_str(a.as_str());
            }
            TraversalOperator::Index(Expression::String(k)) => s.push_str(&format!("[\"{k}\"]")),
            TraversalOperator::Index(Expression::Number(n)) => s.push_str(&format!("[{n}]")),
            TraversalOperator::LegacyIndex(n) => s.push_str(&format!("[{n}]")),
            TraversalOperator::Index(_) => s.push_str("[…]"),
            TraversalOperator::AttrSplat | TraversalOperator::FullSplat => s.push_str("[*]"),
        }
    }
    s
}

/// A traversal step known without evaluating anything: `.name`, `["k"]`, `[2]`.
fn static_step(op: &TraversalOperator) -> Option<Expression> {
    match op {
        TraversalOperator::GetAttr(a) => Some(Expression::String(a.to_string())),
        TraversalOperator::Index(e @ (Expression::String(_) | Expression::Number(_))) => {
            Some(e.clone())
        }
        TraversalOperator::LegacyIndex(n) => Some(Expression::Number(Number::from(*n))),
        _ => None,
    }
}

impl Evaluator<'_> {
    fn slot_ref(n: usize) -> Expression {
        internal(functions::REF, vec![Expression::Number(Number::from(n))])
    }

    /// Rewrites `expr` for evaluation: references become slot lookups, things
    /// outside the repository become [`functions::UNKNOWN`] calls carrying the
    /// reason, arithmetic becomes checked, and templates become function calls so
    /// the references inside them are rewritten too. `bound` holds the names
    /// `for` expressions bind around `expr`.
    pub(super) fn rewrite(
        &mut self,
        expr: &Expression,
        frame: usize,
        what: &str,
        instance: Option<usize>,
        bound: &mut Vec<String>,
    ) -> Expression {
        let go = |this: &mut Self, e: &Expression, bound: &mut Vec<String>| {
            this.rewrite(e, frame, what, instance, bound)
        };
        match expr {
            Expression::Array(items) => {
                Expression::Array(items.iter().map(|i| go(self, i, bound)).collect())
            }
            Expression::Object(o) => Expression::Object(
                o.iter()
                    .map(|(k, v)| {
                        let k = match k {
                            ObjectKey::Expression(e) => ObjectKey::Expression(go(self, e, bound)),
                            other => other.clone(),
                        };
                        (k, go(self, v, bound))
                    })
                    .collect(),
            ),
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => {
                    let elements = template.elements();
                    if let [Element::Interpolation(i)] = elements {
                        return go(self, &i.expr, bound);
                    }
                    if elements.iter().all(|e| matches!(e, Element::Literal(_))) {
                        return Expression::TemplateExpr(t.clone());
                    }
                    let parts =
                        self.template_parts(elements, frame, what, instance, bound, (false, false));
                    internal(functions::TEMPLATE, parts)
                }
                Err(e) => unknown(format!("{what} holds a template that does not parse: {e}")),
            },
            Expression::Variable(v) => {
                if bound.iter().any(|b| b == v.as_str()) {
                    expr.clone()
                } else {
                    self.root_ref(v.as_str(), &[], frame, what, instance, bound)
                }
            }
            Expression::Traversal(t) => {
                if let Expression::Variable(v) = &t.expr
                    && !bound.iter().any(|b| b == v.as_str())
                {
                    return self.root_ref(v.as_str(), &t.operators, frame, what, instance, bound);
                }
                let inner = go(self, &t.expr, bound);
                let ops = self.rewrite_ops(&t.operators, frame, what, instance, bound);
                Expression::Traversal(Box::new(Traversal {
                    expr: inner,
                    operators: ops,
                }))
            }
            Expression::FuncCall(f) => {
                let name = f.name.name.as_str();
                if f.name.is_namespaced() || name.starts_with(functions::INTERNAL_PREFIX) {
                    return unknown(format!(
                        "{what} calls {}(), a function plangate does not evaluate",
                        f.name
                    ));
                }
                Expression::FuncCall(Box::new(FuncCall {
                    name: f.name.clone(),
                    args: f.args.iter().map(|a| go(self, a, bound)).collect(),
                    expand_final: f.expand_final,
                }))
            }
            Expression::Parenthesis(e) => Expression::Parenthesis(Box::new(go(self, e, bound))),
            Expression::Conditional(c) => Expression::Conditional(Box::new(Conditional {
                cond_expr: go(self, &c.cond_expr, bound),
                true_expr: go(self, &c.true_expr, bound),
                false_expr: go(self, &c.false_expr, bound),
            })),
            Expression::Operation(op) => match op.as_ref() {
                Operation::Unary(u) => Expression::Operation(Box::new(Operation::Unary(UnaryOp {
                    operator: u.operator,
                    expr: go(self, &u.expr, bound),
                }))),
                Operation::Binary(b) => {
                    let lhs = go(self, &b.lhs_expr, bound);
                    let rhs = go(self, &b.rhs_expr, bound);
                    let sym = match b.operator {
                        BinaryOperator::Plus => Some("+"),
                        BinaryOperator::Minus => Some("-"),
                        BinaryOperator::Mul => Some("*"),
                        BinaryOperator::Div => Some("/"),
                        BinaryOperator::Mod => Some("%"),
                        _ => None,
                    };
                    match sym {
                        Some(sym) => internal(
                            functions::ARITH,
                            vec![Expression::String(sym.into()), lhs, rhs],
                        ),
                        None => Expression::Operation(Box::new(Operation::Binary(BinaryOp {
                            lhs_expr: lhs,
                            operator: b.operator,
                            rhs_expr: rhs,
                        }))),
                    }
                }
            },
            Expression::ForExpr(f) => {
                let collection = go(self, &f.collection_expr, bound);
                let depth = bound.len();
                bound.extend(f.key_var.iter().map(|k| k.to_string()));
                bound.push(f.value_var.to_string());
                let out = ForExpr {
                    key_var: f.key_var.clone(),
                    value_var: f.value_var.clone(),
                    collection_expr: collection,
                    key_expr: f.key_expr.as_ref().map(|e| go(self, e, bound)),
                    value_expr: go(self, &f.value_expr, bound),
                    grouping: f.grouping,
                    cond_expr: f.cond_expr.as_ref().map(|e| go(self, e, bound)),
                };
                bound.truncate(depth);
                Expression::ForExpr(Box::new(out))
            }
            other => other.clone(),
        }
    }

    fn rewrite_ops(
        &mut self,
        ops: &[TraversalOperator],
        frame: usize,
        what: &str,
        instance: Option<usize>,
        bound: &mut Vec<String>,
    ) -> Vec<TraversalOperator> {
        ops.iter()
            .map(|op| match op {
                TraversalOperator::Index(e) => {
                    TraversalOperator::Index(self.rewrite(e, frame, what, instance, bound))
                }
                other => other.clone(),
            })
            .collect()
    }

    /// A reference to a name no `for` binds: `var.x`, `local.x`, `path.module`, a resource…
    fn root_ref(
        &mut self,
        root: &str,
        ops: &[TraversalOperator],
        frame: usize,
        what: &str,
        instance: Option<usize>,
        bound: &mut Vec<String>,
    ) -> Expression {
        let text = traversal_text(root, ops);
        let attr = match ops.first() {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let base = match (root, attr) {
            ("var", Some(name)) => {
                let n = self.slot(frame, Ref::Var(name.to_string()));
                Self::slot_ref(n)
            }
            ("local", Some(name)) => {
                let n = self.slot(frame, Ref::Local(name.to_string()));
                Self::slot_ref(n)
            }
            ("path", Some("module")) => {
                Expression::String(relative(&self.frames[0], &self.frames[frame]))
            }
            ("path", Some("root" | "cwd")) => Expression::String(".".into()),
            ("each", Some(k @ ("key" | "value"))) if instance.is_some() => {
                let n = self.slot(instance.unwrap_or(0), Ref::Each(k == "key"));
                Self::slot_ref(n)
            }
            ("count", Some("index")) if instance.is_some() => {
                let n = self.slot(instance.unwrap_or(0), Ref::CountIndex);
                Self::slot_ref(n)
            }
            ("terraform", Some("workspace")) => {
                return unknown(format!(
                    "{what} reads terraform.workspace, which is chosen outside the repository"
                ));
            }
            ("each" | "count" | "self", _) => {
                return unknown(format!(
                    "{what} reads {text}, which is only known per instance"
                ));
            }
            ("var" | "local" | "path" | "terraform", _) => {
                return unknown(format!(
                    "{what} reads {text}, which plangate does not evaluate"
                ));
            }
            ("module", _) => {
                return unknown(format!(
                    "{what} reads {text}, a module output, which plangate does not evaluate"
                ));
            }
            ("data", _) => {
                return unknown(format!(
                    "{what} reads {text}, known only after the data source is read"
                ));
            }
            _ => {
                return unknown(format!(
                    "{what} reads {text}, a resource attribute known only after apply"
                ));
            }
        };
        // Leading attribute names and literal keys are walked inside the slot
        // lookup, so that only the part reached is copied.
        let mut ops = &ops[1..];
        let mut base = base;
        if let Expression::FuncCall(call) = &mut base
            && call.name.name.as_str() == functions::REF
        {
            while let Some(step) = ops.first().and_then(static_step) {
                call.args.push(step);
                ops = &ops[1..];
            }
        }
        let rest = self.rewrite_ops(ops, frame, what, instance, bound);
        if rest.is_empty() {
            base
        } else {
            Expression::Traversal(Box::new(Traversal {
                expr: base,
                operators: rest,
            }))
        }
    }

    /// A template's elements as arguments of [`functions::TEMPLATE`]; `trim`
    /// says whether the enclosing directive strips the first / last literal.
    fn template_parts(
        &mut self,
        elements: &[Element],
        frame: usize,
        what: &str,
        instance: Option<usize>,
        bound: &mut Vec<String>,
        trim: (bool, bool),
    ) -> Vec<Expression> {
        let strip = |e: &Element| -> (bool, bool) {
            let s = |s: Strip| (s.strip_start(), s.strip_end());
            match e {
                Element::Literal(_) => (false, false),
                Element::Interpolation(i) => s(i.strip),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(i) => (i.if_strip.strip_start(), i.endif_strip.strip_end()),
                    Directive::For(f) => (f.for_strip.strip_start(), f.endfor_strip.strip_end()),
                },
            }
        };
        let mut parts = Vec::with_capacity(elements.len());
        for (i, e) in elements.iter().enumerate() {
            match e {
                Element::Literal(s) => {
                    let after_strip = if i == 0 {
                        trim.0
                    } else {
                        strip(&elements[i - 1]).1
                    };
                    let before_strip = match elements.get(i + 1) {
                        Some(next) => strip(next).0,
                        None => trim.1,
                    };
                    let mut s = s.as_str();
                    if after_strip {
                        s = trim_start(s);
                    }
                    if before_strip {
                        s = trim_end(s);
                    }
                    parts.push(Expression::String(s.to_string()));
                }
                Element::Interpolation(x) => {
                    parts.push(self.rewrite(&x.expr, frame, what, instance, bound));
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        let t = self.template_parts(
                            d.true_template.elements(),
                            frame,
                            what,
                            instance,
                            bound,
                            (
                                d.if_strip.strip_end(),
                                d.else_strip.strip_start() || d.endif_strip.strip_start(),
                            ),
                        );
                        let f = match &d.false_template {
                            Some(f) => self.template_parts(
                                f.elements(),
                                frame,
                                what,
                                instance,
                                bound,
                                (d.else_strip.strip_end(), d.endif_strip.strip_start()),
                            ),
                            None => vec![],
                        };
                        parts.push(Expression::Conditional(Box::new(Conditional {
                            cond_expr: self.rewrite(&d.cond_expr, frame, what, instance, bound),
                            true_expr: internal(functions::TEMPLATE, t),
                            false_expr: internal(functions::TEMPLATE, f),
                        })));
                    }
                    Directive::For(d) => {
                        let collection =
                            self.rewrite(&d.collection_expr, frame, what, instance, bound);
                        let depth = bound.len();
                        bound.extend(d.key_var.iter().map(|k| k.to_string()));
                        bound.push(d.value_var.to_string());
                        let body = self.template_parts(
                            d.template.elements(),
                            frame,
                            what,
                            instance,
                            bound,
                            (d.for_strip.strip_end(), d.endfor_strip.strip_start()),
                        );
                        bound.truncate(depth);
                        parts.push(Expression::ForExpr(Box::new(ForExpr {
                            key_var: d.key_var.clone(),
                            value_var: d.value_var.clone(),
                            collection_expr: collection,
                            key_expr: None,
                            value_expr: internal(functions::TEMPLATE, body),
                            grouping: false,
                            cond_expr: None,
                        })));
                    }
                },
            }
        }
        parts
    }
}

/// As hcl-rs strips beside a `~`: spaces up to and including one line break.
fn trim_start(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() && c != '\r' && c != '\n');
    s.strip_prefix("\r\n")
        .or_else(|| s.strip_prefix('\n'))
        .unwrap_or(s)
}

fn trim_end(s: &str) -> &str {
    let s = s.trim_end_matches(|c: char| c.is_whitespace() && c != '\r' && c != '\n');
    s.strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .unwrap_or(s)
}
