//! Terragrunt stacks: what a `terragrunt.hcl` feeds into the Terraform
//! configuration it deploys.
//!
//! A plan made in a Terragrunt directory comes from the module its
//! `terraform { source }` names, with variables from its `inputs` (and those of
//! the files it includes) and from the var files its `extra_arguments` pass. A
//! commit that changed one of those values is an author of what the variable
//! switches off or re-keys, and a commit that changed another environment's
//! files is not.
//!
//! Read statically: the path functions (`find_in_parent_folders`,
//! `get_terragrunt_dir`, `get_parent_terragrunt_dir`, `get_repo_root`,
//! `path_relative_to_include`, `dirname`) and string locals are resolved; what
//! is not (a `get_env`, a remote source) is said, and attribution widens.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;

use super::targets::join;
use super::terraform::fold;
use super::touches::{Site, dir_of};

/// Where a stack's Terraform configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory of the repository.
    Local(String),
    /// Outside the repository (a git URL, the registry): only its reference can change here.
    Remote(String),
    /// Not given, or not resolvable statically.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    /// The stack's own `terragrunt.hcl`.
    pub file: String,
    /// Every Terragrunt file whose text feeds the stack: its own, the files it
    /// includes, and those read with `read_terragrunt_config`.
    pub files: Vec<String>,
    pub source: Source,
    /// The var files its `extra_arguments` pass, resolved, in order.
    pub var_files: Vec<String>,
    /// Why some inputs could not be followed (each widens attribution).
    pub unresolved: Vec<String>,
}

/// The stack whose `terragrunt.hcl` is in `dir`, reading files with `text`;
/// `None` when `dir` has none.
pub fn stack(text: &dyn Fn(&str) -> Option<String>, dir: &str) -> Option<Stack> {
    let file = join_file(dir, "terragrunt.hcl");
    let own = text(&file)?;
    let mut stack = Stack {
        file: file.clone(),
        files: vec![file.clone()],
        source: Source::Unknown(format!("{file} names no `terraform {{ source }}`")),
        var_files: Vec::new(),
        unresolved: Vec::new(),
    };
    let Ok(body) = hcl_edit::parser::parse_body(&own) else {
        stack.source = Source::Unknown(format!("{file} does not parse"));
        stack.unresolved.push(format!("{file} does not parse"));
        return Some(stack);
    };
    let ctx = Ctx {
        file: &file,
        stack_dir: dir,
        parent_dir: None,
        text,
    };
    read_file(&ctx, &body, &mut stack, 0);
    Some(stack)
}

struct Ctx<'a> {
    /// The file being read.
    file: &'a str,
    /// The stack's directory (`get_terragrunt_dir()`).
    stack_dir: &'a str,
    /// The directory of the included file being read, when reading one
    /// (`get_parent_terragrunt_dir()` and `path_relative_to_include()` name it).
    parent_dir: Option<&'a str>,
    text: &'a dyn Fn(&str) -> Option<String>,
}

fn read_file(ctx: &Ctx<'_>, body: &Body, stack: &mut Stack, depth: usize) {
    for s in body.iter() {
        match s {
            Structure::Block(b) if b.ident.as_str() == "include" && depth < 4 => {
                let Some(path) = attr(&b.body, "path").and_then(|e| path(ctx, e)) else {
                    stack.unresolved.push(format!(
                        "an `include` in {} could not be resolved",
                        ctx.file
                    ));
                    continue;
                };
                include(ctx, &path, stack, depth);
            }
            Structure::Block(b) if b.ident.as_str() == "terraform" => {
                if let Some(e) = attr(&b.body, "source") {
                    stack.source = source(ctx, e);
                }
                for inner in b.body.iter() {
                    if let Structure::Block(x) = inner
                        && x.ident.as_str() == "extra_arguments"
                    {
                        var_files(ctx, &x.body, stack);
                    }
                }
            }
            Structure::Block(b) if b.ident.as_str() == "locals" => {
                // `read_terragrunt_config(…)` brings another file's values in.
                let mut calls = Vec::new();
                collect_reads(&b.body, &mut calls);
                for call in calls {
                    match call.args.iter().next().and_then(|e| path(ctx, e)) {
                        Some(p) => include(ctx, &p, stack, depth),
                        None => stack.unresolved.push(format!(
                            "a `read_terragrunt_config` in {} could not be resolved",
                            ctx.file
                        )),
                    }
                }
            }
            _ => {}
        }
    }
}

fn include(ctx: &Ctx<'_>, path: &str, stack: &mut Stack, depth: usize) {
    if stack.files.iter().any(|f| f == path) {
        return;
    }
    stack.files.push(path.to_owned());
    let Some(text) = (ctx.text)(path) else {
        stack.unresolved.push(format!(
            "{path}, included by {}, is not in the repository",
            ctx.file
        ));
        return;
    };
    let Ok(body) = hcl_edit::parser::parse_body(&text) else {
        stack.unresolved.push(format!("{path} does not parse"));
        return;
    };
    let dir = dir_of(path);
    let inner = Ctx {
        file: path,
        stack_dir: ctx.stack_dir,
        parent_dir: Some(&dir),
        text: ctx.text,
    };
    read_file(&inner, &body, stack, depth + 1);
}

fn collect_reads<'a>(body: &'a Body, out: &mut Vec<&'a FuncCall>) {
    fn walk<'a>(e: &'a Expression, out: &mut Vec<&'a FuncCall>) {
        match e {
            Expression::FuncCall(f) => {
                if f.name.name.as_str() == "read_terragrunt_config" {
                    out.push(f);
                }
                for a in f.args.iter() {
                    walk(a, out);
                }
            }
            Expression::Traversal(t) => walk(&t.expr, out),
            Expression::Parenthesis(p) => walk(p.inner(), out),
            Expression::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Expression::Object(o) => o.iter().for_each(|(_, v)| walk(v.expr(), out)),
            _ => {}
        }
    }
    for s in body.iter() {
        if let Structure::Attribute(a) = s {
            walk(&a.value, out);
        }
    }
}

fn var_files(ctx: &Ctx<'_>, body: &Body, stack: &mut Stack) {
    for key in ["required_var_files", "optional_var_files"] {
        let Some(e) = attr(body, key) else { continue };
        let Expression::Array(items) = e else {
            stack
                .unresolved
                .push(format!("`{key}` in {} is not a list", ctx.file));
            continue;
        };
        for item in items.iter() {
            match path(ctx, item) {
                Some(p) => stack.var_files.push(p),
                None => stack.unresolved.push(format!(
                    "a var file of `{key}` in {} is computed (e.g. from get_env): every var file \
                     beside the stack counts",
                    ctx.file
                )),
            }
        }
    }
    if let Some(Expression::Array(args)) = attr(body, "arguments") {
        for a in args.iter() {
            if let Some(s) = string(ctx, a)
                && let Some(p) = s.strip_prefix("-var-file=")
                && let Some(p) = resolve(ctx.stack_dir, p)
            {
                stack.var_files.push(p);
            }
        }
    }
}

fn source(ctx: &Ctx<'_>, e: &Expression) -> Source {
    let Some(s) = string(ctx, e) else {
        return Source::Unknown(format!(
            "the `terraform {{ source }}` in {} is computed",
            ctx.file
        ));
    };
    let remote = [
        "git::",
        "git@",
        "tfr:",
        "http://",
        "https://",
        "s3::",
        "gcs::",
        "github.com/",
    ];
    if remote.iter().any(|r| s.starts_with(r)) {
        return Source::Remote(s);
    }
    // `../modules//app` is a repository (`../modules`) and a directory in it.
    let s = s.split('?').next().unwrap_or(&s).replace("//", "/");
    match resolve(ctx.stack_dir, &s) {
        Some(dir) => Source::Local(dir.trim_end_matches('/').to_owned()),
        None => Source::Unknown(format!("the source {s} is outside the repository")),
    }
}

/// A path value, repository-relative: absolute (`get_repo_root()`-based) as is,
/// else relative to the stack's directory, as Terragrunt resolves them.
fn path(ctx: &Ctx<'_>, e: &Expression) -> Option<String> {
    let s = string(ctx, e)?;
    resolve(ctx.stack_dir, &s)
}

/// Absolute values are written with a leading `/` for the repository's root.
fn resolve(dir: &str, s: &str) -> Option<String> {
    match s.strip_prefix('/') {
        Some(abs) => join("", abs),
        None => join(dir, s),
    }
}

/// A string expression's value, with Terragrunt's path functions resolved.
fn string(ctx: &Ctx<'_>, e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.as_str().to_owned()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                match el {
                    Element::Literal(l) => out.push_str(l.as_str()),
                    Element::Interpolation(i) => out.push_str(&string(ctx, &i.expr)?),
                    Element::Directive(_) => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => string(ctx, p.inner()),
        Expression::FuncCall(f) if f.name.namespace.is_empty() => {
            let args: Vec<&Expression> = f.args.iter().collect();
            let abs = |p: &str| format!("/{}", p.trim_start_matches('/'));
            match (f.name.name.as_str(), args.as_slice()) {
                ("get_terragrunt_dir", []) => Some(abs(ctx.stack_dir)),
                ("get_parent_terragrunt_dir", _) => {
                    Some(abs(ctx.parent_dir.unwrap_or(ctx.stack_dir)))
                }
                ("get_repo_root", []) => Some("/".into()),
                ("path_relative_to_include", _) => {
                    let parent = ctx.parent_dir.unwrap_or(ctx.stack_dir);
                    Some(relative(parent, ctx.stack_dir))
                }
                ("find_in_parent_folders", rest) => {
                    let name = match rest.first() {
                        Some(a) => string(ctx, a)?,
                        None => "terragrunt.hcl".into(),
                    };
                    find_in_parents(ctx, &name).map(|p| abs(&p))
                }
                ("dirname", [a]) => {
                    let p = string(ctx, a)?;
                    Some(p.rsplit_once('/').map_or(".".into(), |(d, _)| {
                        if d.is_empty() {
                            "/".into()
                        } else {
                            d.to_owned()
                        }
                    }))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn find_in_parents(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    let mut dir = ctx.stack_dir.to_owned();
    while !dir.is_empty() {
        dir = dir_of(&dir);
        let candidate = join_file(&dir, name);
        if (ctx.text)(&candidate).is_some() {
            return Some(candidate);
        }
    }
    None
}

fn relative(from: &str, to: &str) -> String {
    let a: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let b: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; a.len() - common];
    parts.extend(&b[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn join_file(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

fn attr<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == name => Some(&a.value),
        _ => None,
    })
}

/// A Terragrunt file's sites: each key of its `inputs` object, and the rest of
/// the file as one site. A file that does not parse is one site.
pub fn sites(path: &str, text: &str) -> Vec<(Site, String)> {
    let other = |t: String| {
        (
            Site::TgOther {
                file: path.to_owned(),
            },
            t,
        )
    };
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return vec![other(fold(text))];
    };
    let mut out = Vec::new();
    let mut rest = String::new();
    for s in body.iter() {
        let span = s.span().unwrap_or(0..0);
        match s {
            Structure::Attribute(a) if a.key.as_str() == "inputs" => {
                if let Expression::Object(o) = &a.value {
                    for (key, value) in o.iter() {
                        let name = match key {
                            hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
                            hcl_edit::expr::ObjectKey::Expression(e) => match e {
                                Expression::String(s) => s.as_str().to_owned(),
                                _ => continue,
                            },
                        };
                        let text = value
                            .expr()
                            .span()
                            .and_then(|r| text.get(r))
                            .map(fold)
                            .unwrap_or_default();
                        out.push((
                            Site::TgInput {
                                file: path.to_owned(),
                                name,
                            },
                            text,
                        ));
                    }
                } else {
                    rest.push_str(&fold(&text[span]));
                }
            }
            _ => {
                rest.push_str(&fold(text.get(span).unwrap_or_default()));
                rest.push('\n');
            }
        }
    }
    out.push(other(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn a_live_layout_with_includes_and_var_files() {
        let files = tree(&[
            (
                "live/root.hcl",
                r#"
terraform {
  extra_arguments "common" {
    commands           = ["plan", "apply"]
    required_var_files = ["${get_parent_terragrunt_dir()}/common.tfvars"]
  }
}
inputs = { team = "sre" }
"#,
            ),
            (
                "live/prod/app/terragrunt.hcl",
                r#"
include "root" {
  path = find_in_parent_folders("root.hcl")
}
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))
}
terraform {
  source = "../../../modules//app"
  extra_arguments "env" {
    commands           = ["plan"]
    required_var_files = ["${get_terragrunt_dir()}/env.tfvars"]
    optional_var_files = ["${get_terragrunt_dir()}/${get_env("REGION", "eu")}.tfvars"]
    arguments          = ["-var-file=extra.tfvars"]
  }
}
inputs = {
  enable_cache = true
  size         = local.env.locals.size
}
"#,
            ),
            ("live/prod/env.hcl", "locals { size = 3 }\n"),
        ]);
        let text = |p: &str| files.get(p).cloned();
        let s = stack(&text, "live/prod/app").expect("a stack");
        assert_eq!(s.source, Source::Local("modules/app".into()));
        assert_eq!(
            s.files,
            [
                "live/prod/app/terragrunt.hcl",
                "live/root.hcl",
                "live/prod/env.hcl"
            ]
        );
        assert_eq!(
            s.var_files,
            [
                "live/common.tfvars",
                "live/prod/app/env.tfvars",
                "live/prod/app/extra.tfvars"
            ]
        );
        assert_eq!(s.unresolved.len(), 1, "{:?}", s.unresolved);
        assert!(s.unresolved[0].contains("get_env"));
        assert!(stack(&text, "live/prod").is_none());
    }

    #[test]
    fn remote_sources_and_input_sites() {
        let files = tree(&[(
            "live/terragrunt.hcl",
            "terraform {\n  source = \"git::https://example.com/modules.git//app?ref=v1\"\n}\n",
        )]);
        let text = |p: &str| files.get(p).cloned();
        let s = stack(&text, "live").unwrap();
        assert!(matches!(s.source, Source::Remote(_)));

        let found = sites(
            "live/terragrunt.hcl",
            "inputs = {\n  a = 1\n  \"b\" = [2]\n}\nterraform {}\n",
        );
        let names: Vec<String> = found
            .iter()
            .map(|(s, t)| format!("{}={t}", s.describe()))
            .collect();
        assert_eq!(
            names,
            [
                "input `a`=1",
                "input `b`=[2]",
                "its Terragrunt configuration=terraform {}\n"
            ]
        );
        assert_eq!(sites("x.hcl", "inputs = {").len(), 1);
    }
}
