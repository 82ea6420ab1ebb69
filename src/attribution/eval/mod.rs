//! Static evaluation of `count` and `for_each` at one revision.
//!
//! When a plan deletes `aws_db.x["b"]` because key `b` left a `for_each` map, or
//! `x[2]` because `count` shrank, or `module.m["k"]` because a module call lost
//! an instance, the commit to blame is the one that removed the key, not every
//! commit that edited the map. [`instances`] computes the keys a block has at a
//! revision, so the caller can compare revisions.
//!
//! It follows Terraform's semantics for what a repository alone determines: the
//! module's `*.tf` files, variables from defaults, `TF_VAR_*` inputs, the
//! auto-loaded `.tfvars` files and `-var-file`s, module call arguments, `locals`,
//! `path.*`, and a set of pure functions (see [`functions`]). Everything else is
//! [`Unevaluable`], with a reason a user can act on: resource and data source
//! attributes, module outputs, `terraform.workspace`, unknown functions, `.tf.json`
//! configurations, cycles. References are resolved lazily, so one in a
//! conditional's untaken branch does no harm.
//!
//! Limits: override files replace attributes but nested blocks are not merged;
//! variable `type` conversions cover primitives, collections and `optional()`
//! defaults but do not reject mismatches (Terraform would); `validation` blocks
//! are ignored; `<<-` heredocs keep their indentation (as hcl-rs evaluates
//! them). The work is bounded (references resolved, evaluations, value
//! sizes, nesting), but nested `for` expressions over large values still cost
//! the product of their sizes.
//!
//! The module is pure: it reads files only through [`Tree`].

mod config;
mod functions;
mod json;
mod rewrite;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use hcl::eval::{Context, ErrorKind, Evaluate};
use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::{Number, Value};

use config::{CallBlock, Given, Module, var_file};

use functions::{Installed, with_bench};

/// The files of the configuration at one revision, by repository path ("" is
/// the root dir; paths like "modules/app/main.tf").
pub trait Tree {
    fn text(&self, path: &str) -> Option<String>;
    /// The repository paths of the files directly in `dir`.
    fn list(&self, dir: &str) -> Vec<String>;
}

/// One module call on the way from the root module: the call's name in the
/// `caller` dir, and the child module's dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub caller: String,
    pub name: String,
    pub dir: String,
    /// The instance of the call on the path, as the address shows it: `k` for
    /// `module.m["k"]`, `2` for `module.m[2]`; `None` for a call with neither
    /// `count` nor `for_each`, or when unknown (then `each.*` / `count.index` in
    /// the call's arguments are unevaluable).
    pub key: Option<String>,
}

/// Where a block is evaluated.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The root module's directory (where terraform runs; relative file paths resolve from here).
    pub root: &'a str,
    /// The module calls from the root to the block's module (empty: the block is in the root).
    pub calls: &'a [Call],
    /// Var files given with -var-file, in order (repository paths), after the auto-loaded ones.
    pub var_files: &'a [String],
    /// Values set as TF_VAR_* (Terragrunt `inputs`): lowest precedence after defaults.
    pub env_inputs: &'a [(String, Value)],
}

/// A block with `count` or `for_each`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Resource {
        data: bool,
        kind: String,
        name: String,
    },
    Module {
        name: String,
    },
}

/// The instances a block declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instances {
    /// Neither `count` nor `for_each`.
    Single,
    /// `count`: instances `0..n`.
    Count(u64),
    /// `for_each`: the keys as addresses print them (`x["b"]` → `b`).
    Keys(BTreeSet<String>),
}

/// Why the instances cannot be known from the repository, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unevaluable(pub String);

impl std::fmt::Display for Unevaluable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unevaluable {}

/// The most references (variables, locals, `each.*`) resolved for one block.
const MAX_REFERENCES: usize = 10_000;
/// The most evaluations of expressions for one block (each resolution re-evaluates).
const MAX_EVALUATIONS: usize = 50_000;
/// The longest chain of references resolving one another.
const MAX_CHAIN: usize = 48;
/// The largest file `file()` or a var file may be.
const MAX_FILE_BYTES: usize = 8 << 20;

/// The instances of `block`, declared in the module dir `dir` (the last call's
/// dir, or `scope.root`), at the revision `tree` shows.
pub fn instances(
    tree: &dyn Tree,
    scope: &Scope<'_>,
    dir: &str,
    block: &Block,
) -> Result<Instances, Unevaluable> {
    let _bench = Installed::new();
    let mut ev = Evaluator::new(tree, scope);
    let frame = scope.calls.len();
    if ev.frames[frame] != clean(dir) {
        return Err(Unevaluable(format!(
            "the block's module dir `{dir}` is not the dir the module calls lead to (`{}`)",
            ev.frames[frame]
        )));
    }
    let module = ev.module(frame)?;
    let (meta, label) = match block {
        Block::Resource { data, kind, name } => {
            let label = format!("{}{kind}.{name}", if *data { "data." } else { "" });
            let meta = module.resources.get(&(*data, kind.clone(), name.clone()));
            (meta, label)
        }
        Block::Module { name } => (
            module.calls.get(name).map(|c| &c.meta),
            format!("module.{name}"),
        ),
    };
    let Some(meta) = meta else {
        return Err(Unevaluable(format!(
            "{label} is not declared in {}",
            shown(&ev.frames[frame])
        )));
    };
    match (&meta.count, &meta.for_each) {
        (None, None) => Ok(Instances::Single),
        (Some(_), Some(_)) => Err(Unevaluable(format!(
            "{label} sets both `count` and `for_each`, which Terraform rejects"
        ))),
        (Some(count), None) => {
            let what = format!("`count` of {label}");
            let v = ev.eval(frame, count, &what, None)?;
            count_of(&v, &what).map(Instances::Count)
        }
        (None, Some(for_each)) => {
            let what = format!("`for_each` of {label}");
            let set = ev.is_set(frame, for_each, 0);
            ev.eval_with(frame, for_each, &what, |v| keys_of(v, set, &what))
                .map(Instances::Keys)
        }
    }
}

fn count_of(v: &Value, what: &str) -> Result<u64, Unevaluable> {
    functions::number(v)
        .and_then(|n| n.as_u64())
        .ok_or_else(|| {
            Unevaluable(format!(
                "{what} is {}, not a whole number from 0 to 2^64 - 1",
                describe(v)
            ))
        })
}

fn keys_of(v: &Value, set: bool, what: &str) -> Result<BTreeSet<String>, Unevaluable> {
    match v {
        Value::Object(o) => Ok(o.keys().cloned().collect()),
        Value::Array(items) if set => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(Unevaluable(format!(
                    "{what} is a set holding {}; Terraform needs a set of strings",
                    functions::kind(other)
                ))),
            })
            .collect(),
        Value::Array(_) => Err(Unevaluable(format!(
            "{what} is a list; Terraform needs a map or a set of strings (wrap it in toset())"
        ))),
        other => Err(Unevaluable(format!(
            "{what} is {}; Terraform needs a map or a set of strings",
            describe(other)
        ))),
    }
}

/// A call of `jsondecode` itself (the whole expression).
fn is_jsondecode(expr: &Expression) -> bool {
    matches!(expr, Expression::FuncCall(f)
        if !f.name.is_namespaced() && f.name.name.as_str() == "jsondecode" && !f.expand_final)
}

/// The slot and literal steps of a rewritten expression that is a bare
/// reference (`local.fleet.modules`), which can be read in place.
fn bare_ref(expr: &Expression) -> Option<(usize, Vec<Value>)> {
    let Expression::FuncCall(f) = expr else {
        return None;
    };
    if f.name.name.as_str() != functions::REF || f.expand_final {
        return None;
    }
    let mut args = f.args.iter();
    let slot = match args.next()? {
        Expression::Number(n) => usize::try_from(n.as_u64()?).ok()?,
        _ => return None,
    };
    let steps = args
        .map(|a| match a {
            Expression::String(s) => Some(Value::String(s.clone())),
            Expression::Number(n) => Some(Value::Number(*n)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((slot, steps))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Number(n) => format!("{n}"),
        Value::Bool(b) => format!("{b}"),
        Value::String(s) if s.len() <= 40 => format!("\"{s}\""),
        other => functions::kind(other).into(),
    }
}

/// A directory as the tree names it: no `./`, no trailing `/`, "" for the repository root.
fn clean(dir: &str) -> String {
    normalize(dir).unwrap_or_else(|| dir.to_string())
}

/// Resolves `.` and `..`; `None` when the path leaves the repository.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() {
        "the repository root"
    } else {
        dir
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `path.module`: the module dir relative to the root dir, as Terraform prints it.
fn relative(root: &str, dir: &str) -> String {
    let r: Vec<&str> = root.split('/').filter(|p| !p.is_empty()).collect();
    let d: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let common = r.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; r.len() - common];
    parts.extend(&d[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// What a reference slot names, in the module instance `frame`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Ref {
    Var(String),
    Local(String),
    /// `each.key` (true) or `each.value` (false) of the call that instantiates `frame`.
    Each(bool),
    /// `count.index` of the call that instantiates `frame`.
    CountIndex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unresolved,
    Resolving,
    Resolved,
}

/// The sources of root variable values, lowest precedence first.
type Sources = Vec<(String, HashMap<String, Given>)>;

struct Evaluator<'t> {
    tree: &'t dyn Tree,
    scope: &'t Scope<'t>,
    /// The module dir of each frame: 0 is the root, `i` is `calls[i - 1].dir`.
    frames: Vec<String>,
    modules: HashMap<String, Rc<Module>>,
    slots: Vec<((usize, Ref), State)>,
    index: HashMap<(usize, Ref), usize>,
    /// The references being resolved, outermost first, for a cycle's reason.
    chain: Vec<String>,
    sources: Option<Rc<Sources>>,
    evaluations: usize,
    ctx: Context<'static>,
}

impl<'t> Evaluator<'t> {
    fn new(tree: &'t dyn Tree, scope: &'t Scope<'t>) -> Evaluator<'t> {
        let mut frames = vec![clean(scope.root)];
        frames.extend(scope.calls.iter().map(|c| clean(&c.dir)));
        Evaluator {
            tree,
            scope,
            frames,
            modules: HashMap::new(),
            slots: Vec::new(),
            index: HashMap::new(),
            chain: Vec::new(),
            sources: None,
            evaluations: 0,
            ctx: functions::context(),
        }
    }

    fn module(&mut self, frame: usize) -> Result<Rc<Module>, Unevaluable> {
        let dir = self.frames[frame].clone();
        self.module_in(&dir)
    }

    fn module_in(&mut self, dir: &str) -> Result<Rc<Module>, Unevaluable> {
        if let Some(m) = self.modules.get(dir) {
            return Ok(m.clone());
        }
        let m = Rc::new(Module::load(self.tree, dir)?);
        self.modules.insert(dir.to_string(), m.clone());
        Ok(m)
    }

    /// Names a reference for a reason, with the module dir outside the root.
    fn name(&self, frame: usize, r: &str) -> String {
        if frame == 0 {
            format!("`{r}`")
        } else {
            format!("`{r}` in {}", self.frames[frame])
        }
    }

    /// Evaluates `expr` in `frame`; `instance` is the frame whose call's
    /// arguments `expr` is, which makes `each.*` and `count.index` available.
    fn eval(
        &mut self,
        frame: usize,
        expr: &Expression,
        what: &str,
        instance: Option<usize>,
    ) -> Result<Value, Unevaluable> {
        let expr = self.rewrite(expr, frame, what, instance, &mut Vec::new());
        self.evaluate(&expr, what)
    }

    /// `f` of what `expr` evaluates to. A bare reference is read where its
    /// slot holds it rather than copied out: `for_each = local.fleet.modules`
    /// needs the keys and one element of a decoded file, not a copy of it.
    fn eval_with<R>(
        &mut self,
        frame: usize,
        expr: &Expression,
        what: &str,
        f: impl FnOnce(&Value) -> Result<R, Unevaluable>,
    ) -> Result<R, Unevaluable> {
        let expr = self.rewrite(expr, frame, what, None, &mut Vec::new());
        let Some((slot, steps)) = bare_ref(&expr) else {
            let v = self.evaluate(&expr, what)?;
            return f(&v);
        };
        self.resolve(slot)?;
        with_bench(|b| {
            let Some(v) = b.values.get(slot).and_then(Option::as_ref) else {
                return Err(Unevaluable(format!(
                    "{what}: an internal reference is unresolved"
                )));
            };
            let v = functions::walk(v, &steps)
                .map_err(|e| Unevaluable(format!("{what} does not evaluate: {e}")))?;
            // `f` takes keys or clones one element: it never reaches the
            // bench, which is borrowed here.
            f(v)
        })
    }

    /// Evaluates a rewritten expression, resolving references and reading
    /// files as the functions ask for them.
    fn evaluate(&mut self, expr: &Expression, what: &str) -> Result<Value, Unevaluable> {
        loop {
            self.evaluations += 1;
            if self.evaluations > MAX_EVALUATIONS {
                return Err(Unevaluable(format!(
                    "{what} needs more than {MAX_EVALUATIONS} evaluations; plangate gives up"
                )));
            }
            let err = match expr.evaluate(&self.ctx) {
                // `jsondecode` gives its value sorted and bounded already.
                Ok(v) if is_jsondecode(expr) => return Ok(v),
                Ok(mut v) => {
                    functions::check_size(&v).map_err(|e| Unevaluable(format!("{what}: {e}")))?;
                    functions::sort_keys(&mut v, 0);
                    return Ok(v);
                }
                Err(err) => err,
            };
            match err.kind() {
                ErrorKind::FuncCall(name, msg) => {
                    if let Some(slot) = msg.strip_prefix(functions::NEED_REF) {
                        let slot = slot.parse::<usize>().map_err(|_| {
                            Unevaluable(format!("{what} calls an internal function"))
                        })?;
                        self.resolve(slot)?;
                    } else if let Some(path) = msg.strip_prefix(functions::NEED_FILE) {
                        self.read(path.to_string(), what)?;
                    } else if let Some(reason) = msg.strip_prefix(functions::UNEVALUABLE) {
                        return Err(Unevaluable(reason.to_string()));
                    } else if name.name.as_str().starts_with(functions::INTERNAL_PREFIX) {
                        return Err(Unevaluable(format!("{what} does not evaluate: {msg}")));
                    } else {
                        return Err(Unevaluable(format!("{what}: {name}() fails: {msg}")));
                    }
                }
                ErrorKind::UndefinedFunc(name) => {
                    return Err(Unevaluable(format!(
                        "{what} calls {name}(), a function plangate does not evaluate"
                    )));
                }
                other => {
                    return Err(Unevaluable(format!(
                        "{what} does not evaluate: {}",
                        untagged(&other.to_string())
                    )));
                }
            }
        }
    }

    /// Reads `path` (as given to `file()`, relative to the root dir) into the bench.
    fn read(&mut self, path: String, what: &str) -> Result<(), Unevaluable> {
        if path.starts_with('/') {
            return Err(Unevaluable(format!(
                "{what} reads the absolute path \"{path}\", outside the repository"
            )));
        }
        let Some(repo_path) = normalize(&join(&self.frames[0], &path)) else {
            return Err(Unevaluable(format!(
                "{what} reads \"{path}\", outside the repository"
            )));
        };
        let text = self.tree.text(&repo_path);
        if text.as_ref().is_some_and(|t| t.len() > MAX_FILE_BYTES) {
            return Err(Unevaluable(format!(
                "{what} reads {repo_path}, larger than {MAX_FILE_BYTES} bytes"
            )));
        }
        if with_bench(|b| b.files.len()) >= MAX_REFERENCES {
            return Err(Unevaluable(format!("{what} reads too many files")));
        }
        with_bench(|b| b.files.insert(path, text));
        Ok(())
    }

    fn slot(&mut self, frame: usize, r: Ref) -> usize {
        let key = (frame, r);
        if let Some(&n) = self.index.get(&key) {
            return n;
        }
        let n = self.slots.len();
        self.index.insert(key.clone(), n);
        self.slots.push((key, State::Unresolved));
        with_bench(|b| b.values.push(None));
        n
    }

    fn resolve(&mut self, n: usize) -> Result<(), Unevaluable> {
        let Some(((frame, r), state)) = self.slots.get(n).cloned() else {
            return Err(Unevaluable("an internal reference is out of range".into()));
        };
        let label = match &r {
            Ref::Var(v) => self.name(frame, &format!("var.{v}")),
            Ref::Local(l) => self.name(frame, &format!("local.{l}")),
            Ref::Each(true) => self.name(frame - 1, "each.key"),
            Ref::Each(false) => self.name(frame - 1, "each.value"),
            Ref::CountIndex => self.name(frame - 1, "count.index"),
        };
        match state {
            State::Resolved => return Ok(()),
            State::Resolving => {
                let start = self.chain.iter().position(|c| *c == label).unwrap_or(0);
                let mut cycle: Vec<&str> = self.chain[start..].iter().map(String::as_str).collect();
                cycle.push(&label);
                return Err(Unevaluable(format!(
                    "a cycle of references: {}",
                    cycle.join(" → ")
                )));
            }
            State::Unresolved => {}
        }
        let resolved = self.slots.iter().filter(|s| s.1 == State::Resolved).count();
        if resolved >= MAX_REFERENCES {
            return Err(Unevaluable(format!(
                "more than {MAX_REFERENCES} references to resolve; plangate gives up"
            )));
        }
        if self.chain.len() >= MAX_CHAIN {
            return Err(Unevaluable(format!(
                "references nest deeper than {MAX_CHAIN} levels at {label}"
            )));
        }
        self.slots[n].1 = State::Resolving;
        self.chain.push(label.clone());
        let value = self.compute(frame, &r, &label);
        self.chain.pop();
        let value = value?;
        self.slots[n].1 = State::Resolved;
        with_bench(|b| b.values[n] = Some(value));
        Ok(())
    }

    fn compute(&mut self, frame: usize, r: &Ref, label: &str) -> Result<Value, Unevaluable> {
        let module = self.module(frame)?;
        match r {
            Ref::Local(name) => match module.locals.get(name) {
                Some(expr) => self.eval(frame, expr, label, None),
                None => Err(Unevaluable(format!(
                    "{label} is not declared in {}",
                    shown(&self.frames[frame])
                ))),
            },
            Ref::Var(name) => {
                let Some(decl) = module.variables.get(name) else {
                    return Err(Unevaluable(format!(
                        "{label} is not declared in {}",
                        shown(&self.frames[frame])
                    )));
                };
                let value = if frame == 0 {
                    self.root_var(name, label)?
                } else {
                    self.call_arg(frame, name)?
                };
                let value = match value {
                    Some(v) => v,
                    None => match &decl.default {
                        Some(d) => self.eval(frame, d, &format!("the default of {label}"), None)?,
                        None if frame == 0 => {
                            return Err(Unevaluable(format!(
                                "{label} has no default and no value in the repository"
                            )));
                        }
                        None => {
                            let call = &self.scope.calls[frame - 1];
                            return Err(Unevaluable(format!(
                                "{label} has no default and module.{} does not set `{name}`",
                                call.name
                            )));
                        }
                    },
                };
                Ok(match &decl.ty {
                    Some(ty) => self.convert(value, ty, 0),
                    None => value,
                })
            }
            Ref::Each(key) => {
                let call = self.scope.calls[frame - 1].clone();
                let block = self.call_block(frame)?;
                let what = format!("`for_each` of module.{}", call.name);
                let Some(for_each) = &block.meta.for_each else {
                    return Err(Unevaluable(format!(
                        "{label} is read, but module.{} has no `for_each`",
                        call.name
                    )));
                };
                let Some(k) = call.key.clone() else {
                    return Err(Unevaluable(format!(
                        "{label} depends on which instance of module.{} this is, and the address names none",
                        call.name
                    )));
                };
                if *key {
                    return Ok(Value::String(k));
                }
                let set = self.is_set(frame - 1, for_each, 0);
                // Only the instance's element is taken: a for_each over a
                // big decoded file is not copied whole.
                let element = self.eval_with(frame - 1, for_each, &what, |v| match v {
                    Value::Object(o) => Ok(o.get(&k).cloned()),
                    Value::Array(items) if set => {
                        Ok(items.iter().find(|i| i.as_str() == Some(&k)).cloned())
                    }
                    other => keys_of(other, set, &what).map(|_| None),
                })?;
                element
                    .map(|mut v| {
                        functions::check_size(&v)
                            .map_err(|e| Unevaluable(format!("{what}: {e}")))?;
                        functions::sort_keys(&mut v, 0);
                        Ok(v)
                    })
                    .transpose()?
                    .ok_or_else(|| {
                        Unevaluable(format!(
                            "module.{} has no instance \"{k}\" at this revision",
                            call.name
                        ))
                    })
            }
            Ref::CountIndex => {
                let call = &self.scope.calls[frame - 1];
                match call.key.as_deref().and_then(|k| k.parse::<u64>().ok()) {
                    Some(i) => Ok(Value::Number(Number::from(i))),
                    None => Err(Unevaluable(format!(
                        "{label} depends on which instance of module.{} this is, and the address names none",
                        call.name
                    ))),
                }
            }
        }
    }

    /// The `module` block that instantiates `frame`, in its caller's dir.
    fn call_block(&mut self, frame: usize) -> Result<CallBlock, Unevaluable> {
        let call = &self.scope.calls[frame - 1];
        let caller = clean(&call.caller);
        if caller != self.frames[frame - 1] {
            return Err(Unevaluable(format!(
                "module.{} is said to be called from {}, but the calls before it lead to {}",
                call.name,
                shown(&caller),
                shown(&self.frames[frame - 1])
            )));
        }
        let module = self.module(frame - 1)?;
        module.calls.get(&call.name).cloned().ok_or_else(|| {
            Unevaluable(format!(
                "module \"{}\" is not declared in {}",
                call.name,
                shown(&self.frames[frame - 1])
            ))
        })
    }

    /// A child module variable's value: the calling block's argument.
    fn call_arg(&mut self, frame: usize, name: &str) -> Result<Option<Value>, Unevaluable> {
        let block = self.call_block(frame)?;
        let call_name = self.scope.calls[frame - 1].name.clone();
        match block.args.get(name) {
            Some(arg) => {
                let what = self.name(frame - 1, &format!("module.{call_name}'s argument {name}"));
                self.eval(frame - 1, arg, &what, Some(frame)).map(Some)
            }
            None => Ok(None),
        }
    }

    /// A root variable's value from the highest-precedence source that sets it.
    fn root_var(&mut self, name: &str, label: &str) -> Result<Option<Value>, Unevaluable> {
        let sources = match &self.sources {
            Some(s) => s.clone(),
            None => {
                let s = Rc::new(self.load_sources()?);
                self.sources = Some(s.clone());
                s
            }
        };
        for (source, values) in sources.iter().rev() {
            match values.get(name) {
                Some(Given::Value(v)) => return Ok(Some(v.clone())),
                Some(Given::Expr(e)) => {
                    let what = format!("{label} as {source} sets it");
                    return self.eval(0, e, &what, None).map(Some);
                }
                None => {}
            }
        }
        Ok(None)
    }

    fn load_sources(&mut self) -> Result<Sources, Unevaluable> {
        let mut sources: Sources = Vec::new();
        let env = self
            .scope
            .env_inputs
            .iter()
            .map(|(k, v)| (k.clone(), Given::Value(v.clone())))
            .collect();
        sources.push(("TF_VAR_* inputs".into(), env));
        let root = self.frames[0].clone();
        let mut listed = self.tree.list(&root);
        listed.sort_by(|a, b| basename(a).cmp(basename(b)));
        let mut auto: Vec<String> = Vec::new();
        for wanted in ["terraform.tfvars", "terraform.tfvars.json"] {
            auto.extend(listed.iter().filter(|p| basename(p) == wanted).cloned());
        }
        auto.extend(
            listed
                .iter()
                .filter(|p| {
                    let b = basename(p);
                    b.ends_with(".auto.tfvars") || b.ends_with(".auto.tfvars.json")
                })
                .cloned(),
        );
        for path in auto {
            if let Some(text) = self.tree.text(&path) {
                sources.push((path.clone(), var_file(&text, &path)?));
            }
        }
        for path in self.scope.var_files {
            let Some(text) = self.tree.text(path) else {
                return Err(Unevaluable(format!(
                    "the var file {path} is not in the repository at this revision"
                )));
            };
            sources.push((path.clone(), var_file(&text, path)?));
        }
        Ok(sources)
    }

    /// Whether `expr` yields a set (a list would be an error in `for_each`).
    fn is_set(&mut self, frame: usize, expr: &Expression, depth: usize) -> bool {
        if depth > MAX_CHAIN {
            return false;
        }
        match expr {
            Expression::FuncCall(f) => {
                !f.name.is_namespaced()
                    && matches!(
                        f.name.name.as_str(),
                        "toset" | "setunion" | "setsubtract" | "setintersection"
                    )
            }
            Expression::Parenthesis(e) => self.is_set(frame, e, depth),
            Expression::Conditional(c) => {
                self.is_set(frame, &c.true_expr, depth) && self.is_set(frame, &c.false_expr, depth)
            }
            Expression::Traversal(t) => {
                let (Expression::Variable(root), [TraversalOperator::GetAttr(name)]) =
                    (&t.expr, t.operators.as_slice())
                else {
                    return false;
                };
                let Ok(module) = self.module(frame) else {
                    return false;
                };
                match root.as_str() {
                    "var" => module
                        .variables
                        .get(name.as_str())
                        .and_then(|v| v.ty.as_ref())
                        .is_some_and(|ty| type_call(ty).is_some_and(|(n, _)| n == "set")),
                    "local" => match module.locals.get(name.as_str()) {
                        Some(e) => self.is_set(frame, e, depth + 1),
                        None => false,
                    },
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Converts a variable's value to its declared type where that changes
    /// keys or lookups; mismatches are left for Terraform to report.
    fn convert(&mut self, value: Value, ty: &Expression, depth: usize) -> Value {
        if depth > functions::MAX_DEPTH || value.is_null() {
            return value;
        }
        if let Expression::Variable(v) = ty {
            return match (v.as_str(), value) {
                ("string", Value::Number(n)) => Value::String(n.to_string()),
                ("string", Value::Bool(b)) => Value::String(b.to_string()),
                ("number", v @ Value::String(_)) => functions::number(&v).map_or(v, Value::Number),
                ("bool", Value::String(s)) if s == "true" || s == "false" => {
                    Value::Bool(s == "true")
                }
                (_, v) => v,
            };
        }
        let Some((name, args)) = type_call(ty) else {
            return value;
        };
        match (name, args, value) {
            ("set", [elem], Value::Array(items)) => {
                let items = items
                    .into_iter()
                    .map(|i| self.convert(i, elem, depth + 1))
                    .collect();
                functions::set_of(items)
            }
            ("list", [elem], Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .map(|i| self.convert(i, elem, depth + 1))
                    .collect(),
            ),
            ("map", [elem], Value::Object(o)) => Value::Object(
                o.into_iter()
                    .map(|(k, v)| (k, self.convert(v, elem, depth + 1)))
                    .collect(),
            ),
            ("optional", [elem, ..], v) => self.convert(v, elem, depth + 1),
            ("object", [Expression::Object(attrs)], Value::Object(mut o)) => {
                let mut out = hcl::Map::new();
                for (key, attr_ty) in attrs.iter() {
                    let key = match key {
                        ObjectKey::Identifier(i) => i.to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.clone(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.to_string(),
                        _ => continue,
                    };
                    let given = o.swap_remove(&key).filter(|v| !v.is_null());
                    let value = match (given, type_call(attr_ty)) {
                        (Some(v), _) => self.convert(v, attr_ty, depth + 1),
                        (None, Some(("optional", [elem, default]))) => {
                            let what = format!("the optional default of attribute `{key}`");
                            match self.eval(0, default, &what, None) {
                                Ok(d) => self.convert(d, elem, depth + 1),
                                Err(_) => Value::Null,
                            }
                        }
                        (None, _) => Value::Null,
                    };
                    out.insert(key, value);
                }
                Value::Object(out)
            }
            (_, _, v) => v,
        }
    }
}

/// A type constructor call such as `set(string)`: its name and arguments.
fn type_call(ty: &Expression) -> Option<(&str, &[Expression])> {
    match ty {
        Expression::FuncCall(f) if !f.name.is_namespaced() => {
            Some((f.name.name.as_str(), f.args.as_slice()))
        }
        _ => None,
    }
}

/// Strips the markers of the internal functions from an hcl-rs message.
fn untagged(msg: &str) -> String {
    msg.replace(functions::UNEVALUABLE, "")
        .replace(functions::NEED_REF, "")
        .replace(functions::NEED_FILE, "")
}
