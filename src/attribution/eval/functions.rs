//! The functions `count` / `for_each` expressions may call, as hcl-rs [`FuncDef`]s.
//!
//! hcl-rs takes plain `fn` pointers, so the few functions that need the
//! evaluator's state (`file`, `fileexists`, references to `var` / `local` /
//! `each`) read it from a per-thread [`Bench`]. When they find it lacks what they
//! need, they fail with a marker the evaluator recognises: it fetches the file or
//! resolves the reference, then evaluates the expression again. That keeps
//! evaluation lazy: a reference in a conditional's untaken branch is never
//! resolved, as in Terraform.

use std::cell::RefCell;
use std::collections::HashMap;

use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Map, Number, Value};

/// An error carrying this prefix asks for a value slot to be resolved.
pub(super) const NEED_REF: &str = "\u{0}plangate:need-ref:";
/// An error carrying this prefix asks for a file to be read from the tree.
pub(super) const NEED_FILE: &str = "\u{0}plangate:need-file:";
/// An error carrying this prefix is already a reason a user can act on.
pub(super) const UNEVALUABLE: &str = "\u{0}plangate:unevaluable:";

/// Names of the functions the rewriter inserts; a user's call to one is refused.
pub(super) const INTERNAL_PREFIX: &str = "__plangate_";
pub(super) const REF: &str = "__plangate_ref";
pub(super) const UNKNOWN: &str = "__plangate_unknown";
pub(super) const ARITH: &str = "__plangate_arith";
pub(super) const TEMPLATE: &str = "__plangate_template";

/// `range` stops where Terraform's does.
const MAX_RANGE: usize = 1024;
/// Nesting deeper than this in a decoded or flattened value is refused rather than recursed into.
pub(super) const MAX_DEPTH: usize = 128;
/// The most nodes one value may hold.
pub(super) const MAX_NODES: usize = 200_000;

/// What the functions read beside their arguments, for one [`super::instances`] call.
#[derive(Default)]
pub(super) struct Bench {
    /// Resolved reference slots, by slot number.
    pub values: Vec<Option<Value>>,
    /// Files read so far, by the path `file()` was given; `None` when absent from the tree.
    pub files: HashMap<String, Option<String>>,
}

thread_local! {
    static BENCH: RefCell<Bench> = RefCell::new(Bench::default());
}

/// Clears the bench when created and dropped, so no state outlives one call.
pub(super) struct Installed;

impl Installed {
    pub(super) fn new() -> Installed {
        BENCH.with(|b| *b.borrow_mut() = Bench::default());
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        BENCH.with(|b| *b.borrow_mut() = Bench::default());
    }
}

pub(super) fn with_bench<T>(f: impl FnOnce(&mut Bench) -> T) -> T {
    BENCH.with(|b| f(&mut b.borrow_mut()))
}

fn unevaluable(reason: impl std::fmt::Display) -> String {
    format!("{UNEVALUABLE}{reason}")
}

/// The context every evaluation starts from: the functions, no variables.
pub(super) fn context() -> Context<'static> {
    use ParamType::{Any, String as Str};
    let mut ctx = Context::new();
    let mut def = |name: &str, params: Vec<ParamType>, variadic: Option<ParamType>, f| {
        let mut b = FuncDef::builder().params(params);
        if let Some(v) = variadic {
            b = b.variadic_param(v);
        }
        ctx.declare_func(name, b.build(f));
    };
    def(REF, vec![ParamType::Number], Some(Any), reference);
    def(UNKNOWN, vec![Str], None, unknown);
    def(ARITH, vec![Str, Any, Any], None, arith);
    def(TEMPLATE, vec![], Some(Any), template);
    def("toset", vec![Any], None, toset);
    def("tolist", vec![Any], None, tolist);
    def("tomap", vec![Any], None, tomap);
    def("keys", vec![Any], None, keys);
    def("values", vec![Any], None, values);
    def("length", vec![Any], None, length);
    def("merge", vec![], Some(Any), merge);
    def("concat", vec![], Some(Any), concat);
    def("distinct", vec![Any], None, distinct);
    def("flatten", vec![Any], None, flatten);
    def("lookup", vec![Any, Any], Some(Any), lookup);
    def("contains", vec![Any, Any], None, contains);
    def("coalesce", vec![], Some(Any), coalesce);
    def("compact", vec![Any], None, compact);
    def("lower", vec![Any], None, lower);
    def("upper", vec![Any], None, upper);
    def("format", vec![Any], Some(Any), format);
    def("jsondecode", vec![Any], None, jsondecode);
    def("yamldecode", vec![Any], None, yamldecode);
    def("file", vec![Any], None, file);
    def("fileexists", vec![Any], None, fileexists);
    def("zipmap", vec![Any, Any], None, zipmap);
    def("range", vec![], Some(Any), range);
    def("setunion", vec![], Some(Any), setunion);
    def("setintersection", vec![], Some(Any), setintersection);
    def("setsubtract", vec![Any, Any], None, setsubtract);
    def("min", vec![], Some(Any), min);
    def("max", vec![], Some(Any), max);
    def("tonumber", vec![Any], None, tonumber);
    def("tostring", vec![Any], None, tostring);
    def("join", vec![Any], Some(Any), join);
    def("split", vec![Any, Any], None, split);
    def("trimspace", vec![Any], None, trimspace);
    def("element", vec![Any, Any], None, element);
    ctx
}

// ---- helpers ----

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn array(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        other => Err(format!("{what} needs a list or set, got {}", kind(other))),
    }
}

fn object<'v>(v: &'v Value, what: &str) -> Result<&'v Map<String, Value>, String> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(format!("{what} needs a map, got {}", kind(other))),
    }
}

fn string(v: &Value, what: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("{what} needs a string, got {}", kind(other))),
    }
}

pub(super) fn number(v: &Value) -> Option<Number> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(i) = s.parse::<i64>() {
                Some(Number::from(i))
            } else if let Ok(u) = s.parse::<u64>() {
                Some(Number::from(u))
            } else {
                s.parse::<f64>().ok().and_then(Number::from_f64)
            }
        }
        _ => None,
    }
}

fn num(v: &Value, what: &str) -> Result<Number, String> {
    number(v).ok_or_else(|| format!("{what} needs a number, got {}", kind(v)))
}

/// Terraform's set: unique elements, strings in lexical order; mixed primitives become strings.
pub(super) fn set_of(items: Vec<Value>) -> Value {
    let primitive = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    let any_string = items.iter().any(|v| matches!(v, Value::String(_)));
    let items: Vec<Value> = if any_string && items.iter().all(primitive) {
        items
            .into_iter()
            .map(|v| match v {
                Value::Number(n) => Value::String(n.to_string()),
                Value::Bool(b) => Value::String(b.to_string()),
                other => other,
            })
            .collect()
    } else {
        items
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.iter().all(|v| matches!(v, Value::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|v| matches!(v, Value::Number(_))) {
        out.sort_by(|a, b| {
            let (a, b) = (
                a.as_number().and_then(Number::as_f64),
                b.as_number().and_then(Number::as_f64),
            );
            a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    Value::Array(out)
}

/// Counts a value's nodes without recursing, failing past the limits.
pub(super) fn check_size(v: &Value) -> Result<(), String> {
    let mut stack = vec![(v, 0usize)];
    let mut nodes = 0usize;
    while let Some((v, depth)) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(format!("a value holds more than {MAX_NODES} elements"));
        }
        if depth > MAX_DEPTH {
            return Err(format!("a value nests deeper than {MAX_DEPTH} levels"));
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, depth + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Terraform iterates maps in key order; hcl-rs keeps insertion order, so maps are sorted.
pub(super) fn sort_keys(v: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| sort_keys(x, depth + 1)),
        Value::Object(o) => {
            // Most maps come sorted (a decoded file is sorted once, then
            // passed on): comparing is cheaper than sorting again.
            if !o.keys().is_sorted() {
                o.sort_keys();
            }
            o.values_mut().for_each(|x| sort_keys(x, depth + 1));
        }
        _ => {}
    }
}

// ---- internal functions ----

/// `__plangate_ref(slot, steps…)`: the slot's value, or the part of it the
/// steps (attribute names and literal keys and indexes) lead to. Walking
/// before cloning matters: `local.fleet.root.dns` of a decoded data file copies
/// the list, not the file.
fn reference(args: FuncArgs) -> Result<Value, String> {
    let slot = args[0]
        .as_number()
        .and_then(Number::as_u64)
        .unwrap_or(u64::MAX);
    with_bench(|b| {
        let Some(v) = usize::try_from(slot)
            .ok()
            .and_then(|i| b.values.get(i))
            .and_then(Option::as_ref)
        else {
            return Err(format!("{NEED_REF}{slot}"));
        };
        walk(v, args.iter().skip(1)).cloned()
    })
}

/// The part of `v` a traversal's literal steps lead to.
pub(super) fn walk<'v, 's>(
    mut v: &'v Value,
    steps: impl IntoIterator<Item = &'s Value>,
) -> Result<&'v Value, String> {
    for step in steps {
        v = step_into(v, step)?;
    }
    Ok(v)
}

/// One step of a traversal, as Terraform takes it: an attribute or key of an
/// object, an index of a list (a key that is a number's text converts).
fn step_into<'v>(v: &'v Value, step: &Value) -> Result<&'v Value, String> {
    let found = match (v, step) {
        (Value::Object(o), Value::String(k)) => o.get(k),
        (Value::Object(o), Value::Number(n)) => o.get(&n.to_string()),
        (Value::Array(a), Value::Number(n)) => {
            n.as_u64().and_then(|i| a.get(usize::try_from(i).ok()?))
        }
        (Value::Array(a), Value::String(k)) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    };
    found.ok_or_else(|| {
        let shown = match step {
            Value::String(k) => format!("\"{k}\""),
            other => other.to_string(),
        };
        format!("{} has no element {shown}", describe_kind(v))
    })
}

fn describe_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::Array(_) => "a list",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::Null => "null",
    }
}

fn unknown(args: FuncArgs) -> Result<Value, String> {
    Err(unevaluable(
        args[0]
            .as_str()
            .unwrap_or("an expression plangate cannot evaluate"),
    ))
}

/// hcl-rs's own arithmetic can overflow or divide by zero (a panic, or a
/// non-finite number that breaks its invariants), so every `+ - * / %` goes here.
fn arith(args: FuncArgs) -> Result<Value, String> {
    let op = args[0].as_str().unwrap_or("");
    let a = num(&args[1], &format!("`{op}`"))?;
    let b = num(&args[2], &format!("`{op}`"))?;
    let ints = |n: Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    let from_int = |r: i128| -> Option<Number> {
        i64::try_from(r)
            .map(Number::from)
            .ok()
            .or_else(|| u64::try_from(r).ok().map(Number::from))
    };
    let float = |r: f64| Number::from_f64(r).ok_or_else(|| format!("`{op}` overflows"));
    let (fa, fb) = (
        a.as_f64().unwrap_or(f64::NAN),
        b.as_f64().unwrap_or(f64::NAN),
    );
    let out = match (op, ints(a), ints(b)) {
        ("/" | "%", _, _) if fb == 0.0 => return Err("division by zero".into()),
        ("+", Some(x), Some(y)) => x.checked_add(y).and_then(from_int),
        ("-", Some(x), Some(y)) => x.checked_sub(y).and_then(from_int),
        ("*", Some(x), Some(y)) => x.checked_mul(y).and_then(from_int),
        ("%", Some(x), Some(y)) => x.checked_rem(y).and_then(from_int),
        _ => None,
    };
    let out = match out {
        Some(n) => n,
        None => match op {
            "+" => float(fa + fb)?,
            "-" => float(fa - fb)?,
            "*" => float(fa * fb)?,
            "/" => float(fa / fb)?,
            "%" => float(fa % fb)?,
            _ => return Err(format!("unknown operator `{op}`")),
        },
    };
    Ok(Value::Number(out))
}

/// Joins a template's parts; a part that is a list came from a `%{for}` directive.
fn template(args: FuncArgs) -> Result<Value, String> {
    let mut out = String::new();
    for part in args.iter() {
        match part {
            Value::Array(items) => {
                for item in items {
                    out.push_str(&interpolate(item)?);
                }
            }
            other => out.push_str(&interpolate(other)?),
        }
    }
    Ok(Value::String(out))
}

fn interpolate(v: &Value) -> Result<String, String> {
    match v {
        Value::Null => Err("a template interpolates null".into()),
        Value::Array(_) | Value::Object(_) => {
            Err(format!("a template interpolates {}, not a string", kind(v)))
        }
        other => string(other, "a template"),
    }
}

// ---- Terraform's functions ----

fn toset(args: FuncArgs) -> Result<Value, String> {
    Ok(set_of(array(&args[0], "toset")?))
}

fn tolist(args: FuncArgs) -> Result<Value, String> {
    array(&args[0], "tolist").map(Value::Array)
}

fn tomap(args: FuncArgs) -> Result<Value, String> {
    object(&args[0], "tomap").map(|o| Value::Object(o.clone()))
}

fn keys(args: FuncArgs) -> Result<Value, String> {
    let mut k: Vec<String> = object(&args[0], "keys")?.keys().cloned().collect();
    k.sort();
    Ok(Value::Array(k.into_iter().map(Value::String).collect()))
}

fn values(args: FuncArgs) -> Result<Value, String> {
    let o = object(&args[0], "values")?;
    let mut k: Vec<&String> = o.keys().collect();
    k.sort();
    Ok(Value::Array(k.into_iter().map(|k| o[k].clone()).collect()))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let n = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        Value::String(s) => s.chars().count(),
        other => {
            return Err(format!(
                "length needs a collection or string, got {}",
                kind(other)
            ));
        }
    };
    Ok(Value::from(n))
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = Map::new();
    for a in args.iter() {
        if a.is_null() {
            continue;
        }
        for (k, v) in object(a, "merge")? {
            out.insert(k.clone(), v.clone());
        }
    }
    out.sort_keys();
    Ok(Value::Object(out))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for a in args.iter() {
        out.extend(array(a, "concat")?);
    }
    Ok(Value::Array(out))
}

fn distinct(args: FuncArgs) -> Result<Value, String> {
    let mut out: Vec<Value> = Vec::new();
    for v in array(&args[0], "distinct")? {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

fn flatten(args: FuncArgs) -> Result<Value, String> {
    fn go(items: Vec<Value>, out: &mut Vec<Value>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "flatten: lists nest deeper than {MAX_DEPTH} levels"
            ));
        }
        for v in items {
            match v {
                Value::Array(inner) => go(inner, out, depth + 1)?,
                other => out.push(other),
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    go(array(&args[0], "flatten")?, &mut out, 0)?;
    Ok(Value::Array(out))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    if args.len() > 3 {
        return Err("lookup takes 2 or 3 arguments".into());
    }
    let key = string(&args[1], "lookup")?;
    match object(&args[0], "lookup")?.get(&key) {
        Some(v) => Ok(v.clone()),
        None => args
            .get(2)
            .cloned()
            .ok_or_else(|| format!("lookup: the map has no key \"{key}\" and no default is given")),
    }
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(array(&args[0], "contains")?.contains(&args[1])))
}

fn coalesce(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "coalesce: every argument is null or empty".into())
}

fn compact(args: FuncArgs) -> Result<Value, String> {
    let items = array(&args[0], "compact")?;
    Ok(Value::Array(
        items
            .into_iter()
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
            .collect(),
    ))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args[0], "lower")?.to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args[0], "upper")?.to_uppercase()))
}

fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = string(&args[0], "format")?;
    let mut rest = args.iter().skip(1);
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("format: the spec ends in `%`")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = rest
            .next()
            .ok_or("format: too few arguments for the spec")?;
        match verb {
            's' | 'v' => out.push_str(&interpolate(arg)?),
            'q' => {
                out.push_str(&serde_json::to_string(&string(arg, "format %q")?).unwrap_or_default())
            }
            'd' => {
                let n = num(arg, "format %d")?;
                match n
                    .as_i64()
                    .map(|i| i.to_string())
                    .or_else(|| n.as_u64().map(|u| u.to_string()))
                {
                    Some(s) => out.push_str(&s),
                    None => return Err("format %d needs a whole number".into()),
                }
            }
            'f' => out.push_str(&format!(
                "{:.6}",
                num(arg, "format %f")?.as_f64().unwrap_or(0.0)
            )),
            other => {
                return Err(format!(
                    "format: plangate does not evaluate the verb `%{other}`"
                ));
            }
        }
    }
    Ok(Value::String(out))
}

fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    let text = string(&args[0], "jsondecode")?;
    super::json::decode(&text)
}

fn yamldecode(args: FuncArgs) -> Result<Value, String> {
    let text = string(&args[0], "yamldecode")?;
    let mut v = yaml::decode(&text)?;
    sort_keys(&mut v, 0);
    Ok(v)
}

fn file(args: FuncArgs) -> Result<Value, String> {
    let path = string(&args[0], "file")?;
    match with_bench(|b| b.files.get(&path).cloned()) {
        None => Err(format!("{NEED_FILE}{path}")),
        Some(Some(text)) => Ok(Value::String(text)),
        Some(None) => Err(unevaluable(format!(
            "file(\"{path}\") names a file that is not in the repository"
        ))),
    }
}

fn fileexists(args: FuncArgs) -> Result<Value, String> {
    let path = string(&args[0], "fileexists")?;
    match with_bench(|b| b.files.get(&path).cloned()) {
        None => Err(format!("{NEED_FILE}{path}")),
        Some(found) => Ok(Value::Bool(found.is_some())),
    }
}

fn zipmap(args: FuncArgs) -> Result<Value, String> {
    let keys = array(&args[0], "zipmap")?;
    let values = array(&args[1], "zipmap")?;
    if keys.len() != values.len() {
        return Err("zipmap: the lists of keys and values differ in length".into());
    }
    let mut out = Map::new();
    for (k, v) in keys.iter().zip(values) {
        out.insert(string(k, "zipmap")?, v);
    }
    out.sort_keys();
    Ok(Value::Object(out))
}

fn range(args: FuncArgs) -> Result<Value, String> {
    let n: Vec<f64> = args
        .iter()
        .map(|a| num(a, "range").map(|n| n.as_f64().unwrap_or(0.0)))
        .collect::<Result<_, _>>()?;
    let (start, limit, step) = match n.as_slice() {
        [l] => (0.0, *l, 1.0),
        [s, l] => (*s, *l, if s <= l { 1.0 } else { -1.0 }),
        [s, l, st] => (*s, *l, *st),
        _ => return Err("range takes 1 to 3 arguments".into()),
    };
    if step == 0.0 || (step > 0.0) != (start <= limit) && start != limit {
        return if start == limit {
            Ok(Value::Array(vec![]))
        } else {
            Err("range: the step does not move toward the limit".into())
        };
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= MAX_RANGE {
            return Err(format!("range: more than {MAX_RANGE} elements"));
        }
        out.push(Value::Number(
            Number::from_f64(x).ok_or("range: not a finite number")?,
        ));
        x += step;
    }
    Ok(Value::Array(out))
}

fn setunion(args: FuncArgs) -> Result<Value, String> {
    let mut all = Vec::new();
    for a in args.iter() {
        all.extend(array(a, "setunion")?);
    }
    Ok(set_of(all))
}

fn setintersection(args: FuncArgs) -> Result<Value, String> {
    let mut sets = args.iter().map(|a| array(a, "setintersection"));
    let mut acc = match sets.next() {
        Some(first) => first?,
        None => return Err("setintersection needs at least one set".into()),
    };
    for s in sets {
        let s = s?;
        acc.retain(|v| s.contains(v));
    }
    Ok(set_of(acc))
}

fn setsubtract(args: FuncArgs) -> Result<Value, String> {
    let minus = array(&args[1], "setsubtract")?;
    let mut a = array(&args[0], "setsubtract")?;
    a.retain(|v| !minus.contains(v));
    Ok(set_of(a))
}

fn extreme(args: &FuncArgs, what: &str, pick_max: bool) -> Result<Value, String> {
    let mut best: Option<Number> = None;
    for a in args.iter() {
        let n = num(a, what)?;
        best = Some(match best {
            Some(b) if (pick_max && b >= n) || (!pick_max && b <= n) => b,
            _ => n,
        });
    }
    best.map(Value::Number)
        .ok_or_else(|| format!("{what} needs at least one number"))
}

fn min(args: FuncArgs) -> Result<Value, String> {
    extreme(&args, "min", false)
}

fn max(args: FuncArgs) -> Result<Value, String> {
    extreme(&args, "max", true)
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => num(v, "tonumber").map(Value::Number),
    }
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => string(v, "tostring").map(Value::String),
    }
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = string(&args[0], "join")?;
    let mut parts = Vec::new();
    for a in args.iter().skip(1) {
        for v in array(a, "join")? {
            parts.push(string(&v, "join")?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let sep = string(&args[0], "split")?;
    let s = string(&args[1], "split")?;
    if sep.is_empty() {
        return Err("split: the separator is empty".into());
    }
    Ok(Value::Array(
        s.split(sep.as_str())
            .map(|p| Value::String(p.into()))
            .collect(),
    ))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args[0], "trimspace")?.trim().into()))
}

fn element(args: FuncArgs) -> Result<Value, String> {
    let items = array(&args[0], "element")?;
    let i = num(&args[1], "element")?
        .as_u64()
        .ok_or("element needs a whole, non-negative index")?;
    if items.is_empty() {
        return Err("element: the list is empty".into());
    }
    let len = items.len() as u64;
    Ok(items[usize::try_from(i % len).unwrap_or(0)].clone())
}

/// YAML as Terraform's `yamldecode` reads it, built from parser events with an
/// explicit stack so that deep nesting or alias expansion cannot exhaust the
/// stack or memory.
mod yaml {
    use hcl::{Map, Number, Value};
    use yaml_rust2::parser::{Event, Parser};
    use yaml_rust2::scanner::TScalarStyle;

    use super::{MAX_DEPTH, MAX_NODES, check_size};

    enum Open {
        Seq(usize, Vec<Value>),
        Map(usize, Map<String, Value>, Option<String>),
    }

    pub(super) fn decode(text: &str) -> Result<Value, String> {
        let mut parser = Parser::new_from_str(text);
        let mut stack: Vec<Open> = Vec::new();
        let mut anchors: std::collections::HashMap<usize, Value> = Default::default();
        let mut docs: Vec<Value> = Vec::new();
        let mut nodes = 0usize;
        loop {
            let (event, _) = parser
                .next_token()
                .map_err(|e| format!("yamldecode: invalid YAML: {e}"))?;
            let done: Option<(Value, usize)> = match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {
                    None
                }
                Event::Alias(id) => {
                    let v = anchors
                        .get(&id)
                        .cloned()
                        .ok_or("yamldecode: an alias names no anchor")?;
                    check_size(&v)?;
                    Some((v, 0))
                }
                Event::Scalar(s, style, anchor, tag) => {
                    let plain = style == TScalarStyle::Plain && tag.is_none();
                    Some((scalar(s, plain), anchor))
                }
                Event::SequenceStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(format!(
                            "yamldecode: nesting deeper than {MAX_DEPTH} levels"
                        ));
                    }
                    stack.push(Open::Seq(anchor, Vec::new()));
                    None
                }
                Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(format!(
                            "yamldecode: nesting deeper than {MAX_DEPTH} levels"
                        ));
                    }
                    stack.push(Open::Map(anchor, Map::new(), None));
                    None
                }
                Event::SequenceEnd => match stack.pop() {
                    Some(Open::Seq(anchor, items)) => Some((Value::Array(items), anchor)),
                    _ => return Err("yamldecode: unbalanced sequence".into()),
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Open::Map(anchor, map, _)) => Some((Value::Object(map), anchor)),
                    _ => return Err("yamldecode: unbalanced mapping".into()),
                },
            };
            let Some((value, anchor)) = done else {
                continue;
            };
            nodes += 1;
            if nodes > MAX_NODES {
                return Err(format!("yamldecode: more than {MAX_NODES} nodes"));
            }
            if anchor != 0 {
                anchors.insert(anchor, value.clone());
            }
            match stack.last_mut() {
                None => docs.push(value),
                Some(Open::Seq(_, items)) => items.push(value),
                Some(Open::Map(_, map, key)) => match key.take() {
                    None => {
                        *key = Some(match value {
                            Value::String(s) => s,
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".into(),
                            _ => return Err("yamldecode: a mapping key is not a scalar".into()),
                        })
                    }
                    Some(k) => {
                        map.insert(k, value);
                    }
                },
            }
        }
        match docs.len() {
            0 => Ok(Value::Null),
            1 => Ok(docs.pop().unwrap_or(Value::Null)),
            _ => Err("yamldecode: the text holds more than one document".into()),
        }
    }

    fn scalar(s: String, plain: bool) -> Value {
        if !plain {
            return Value::String(s);
        }
        match s.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
            "true" | "True" | "TRUE" => return Value::Bool(true),
            "false" | "False" | "FALSE" => return Value::Bool(false),
            _ => {}
        }
        if let Ok(i) = s.parse::<i64>() {
            return Value::Number(Number::from(i));
        }
        let numeric = s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.');
        if let Some(n) = numeric
            .then(|| s.parse::<f64>().ok().and_then(Number::from_f64))
            .flatten()
        {
            return Value::Number(n);
        }
        Value::String(s)
    }
}
