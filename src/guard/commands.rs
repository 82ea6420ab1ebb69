//! Which programs a command line would start are infrastructure commands the
//! guard must hold, judge or leave alone: the catalog (`rules/guard.hcl`, data)
//! matched against each [`Invocation`] the shell parser found.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::shell::Invocation;

/// The built-in catalog of held commands.
pub const BUILTIN: &str = include_str!("../../rules/guard.hcl");

/// One held command of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Held {
    #[serde(skip)]
    pub id: String,
    pub programs: Vec<String>,
    pub words: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
    pub description: String,
    pub why: String,
    pub example: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    command: BTreeMap<String, Held>,
}

/// The catalog: every `command "ID" { … }` block of `text`.
pub fn catalog(text: &str) -> Result<Vec<Held>, String> {
    let file: File = hcl::from_str(text).map_err(|e| e.to_string())?;
    Ok(file
        .command
        .into_iter()
        .map(|(id, mut held)| {
            held.id = id;
            held
        })
        .collect())
}

/// The built-in catalog (read once; a file that does not read is a bug the
/// tests catch).
pub fn builtin() -> &'static [Held] {
    static CATALOG: std::sync::OnceLock<Vec<Held>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| catalog(BUILTIN).unwrap_or_default())
}

/// What one invocation is, to the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind<'a> {
    /// Not a command the guard judges.
    Other,
    /// A catalog entry.
    Held(&'a Held),
    /// `terraform|tofu|terragrunt apply PLANFILE`: the plan is judged. `dir`
    /// is `-chdir=DIR` when given.
    ApplyPlan {
        tool: String,
        plan: String,
        dir: Option<String>,
    },
    /// `apply` with no saved plan: nothing can be judged before it runs.
    ApplyUnplanned { tool: String },
}

const TERRAFORM: [&str; 3] = ["terraform", "tofu", "terragrunt"];

/// Package runners whose next word is the program (`npx cdk deploy`).
const RUNNERS: [&str; 4] = ["npx", "bunx", "pnpx", "dlx"];

/// The program's name: the last path component of argv[0], as a shell runs
/// it, in lower case and without `.exe` (case-insensitive file systems and
/// Windows run `Terraform.exe` as `terraform`).
pub fn program(word: &str) -> String {
    let base = word
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(word)
        .to_lowercase();
    match base.strip_suffix(".exe") {
        Some(stem) => stem.to_owned(),
        None => base,
    }
}

/// The catalog's name for a program (`aws-cdk` is the CDK's package).
fn canonical(word: &str) -> String {
    let name = program(word);
    // `npx aws-cdk@2 …`: a package with its version.
    let name = match name.split_once('@') {
        Some((n, _)) if !n.is_empty() => n.to_owned(),
        _ => name,
    };
    match name.as_str() {
        "aws-cdk" => "cdk".to_owned(),
        _ => name,
    }
}

/// argv with package runners taken off: `npx [-y] cdk`, `npx -p aws-cdk cdk`,
/// `npm exec -- cdk`, `pnpm exec|dlx cdk`, `yarn [dlx|exec] cdk`, `bunx cdk`.
fn unwrapped(argv: &[String]) -> &[String] {
    let mut rest = argv;
    loop {
        let Some(first) = rest.first() else {
            return rest;
        };
        let name = program(first);
        let second = rest.get(1).map(String::as_str);
        let skip = match (name.as_str(), second) {
            (n, _) if RUNNERS.contains(&n) => 1,
            ("npm" | "pnpm" | "yarn", Some("exec" | "dlx" | "x")) => 2,
            // `yarn cdk deploy` runs the package's binary.
            ("yarn", Some(w)) if !w.starts_with('-') && !YARN_COMMANDS.contains(&w) => 1,
            _ => return rest,
        };
        rest = rest.get(skip..).unwrap_or_default();
        while let Some(w) = rest.first().filter(|w| w.starts_with('-')) {
            let takes = matches!(w.as_str(), "-p" | "--package" | "-c" | "--call");
            rest = rest.get(if takes { 2 } else { 1 }..).unwrap_or_default();
            if w == "--" {
                break;
            }
        }
    }
}

/// `yarn`'s own commands (anything else is a package binary it runs).
const YARN_COMMANDS: [&str; 12] = [
    "add", "install", "remove", "run", "test", "build", "init", "upgrade", "info", "why", "cache",
    "config",
];

/// Options of a program that take the next word as their value, so that
/// it is not read as a subcommand word.
fn takes_value(program: &str, option: &str) -> bool {
    match program {
        "aws" => matches!(
            option,
            "--profile"
                | "--region"
                | "--output"
                | "--endpoint-url"
                | "--query"
                | "--cli-read-timeout"
                | "--cli-connect-timeout"
                | "--ca-bundle"
                | "--color"
                | "--cli-binary-format"
        ),
        "pulumi" => matches!(option, "--cwd" | "-C" | "--stack" | "-s"),
        // `-var 'a=b'` as well as `-var='a=b'`.
        "terraform" | "tofu" | "terragrunt" => matches!(
            option,
            "-var"
                | "-var-file"
                | "-target"
                | "-replace"
                | "-parallelism"
                | "-lock-timeout"
                | "-state"
                | "-state-out"
                | "-backup"
        ),
        "cdk" => matches!(option, "--app" | "-a" | "--profile" | "--context" | "-c"),
        _ => false,
    }
}

/// The words of `args` that are not options (or option values).
fn positional<'a>(program: &str, args: &'a [String]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with('-') {
            skip = !a.contains('=') && takes_value(program, a);
            continue;
        }
        out.push(a.as_str());
    }
    out
}

fn has_flag(args: &[String], flags: &[String]) -> bool {
    args.iter().any(|a| {
        flags.iter().any(|f| {
            a == f
                || a.strip_prefix(f.as_str())
                    .and_then(|rest| rest.strip_prefix('='))
                    .is_some_and(|v| v != "false")
        })
    })
}

/// Is a word known only at run time (`terraform $ACTION`, `aws s3 $OP`,
/// `terraform apply $PLAN`) where the subcommand or the plan must be read,
/// for a program of the catalog? Then what runs cannot be told.
pub fn dynamic_subcommand(inv: &Invocation, catalog: &[Held]) -> bool {
    let skipped = inv.argv.len() - unwrapped(&inv.argv).len();
    let argv = &inv.argv[skipped..];
    let Some(first) = argv.first() else {
        return false;
    };
    let name = canonical(first);
    let name = name.as_str();
    if !catalog.iter().any(|h| h.programs.iter().any(|p| p == name)) {
        return false;
    }
    let mut slots = 0;
    let mut skip = false;
    for (i, a) in argv.iter().enumerate().skip(1) {
        let dynamic = inv.dynamic.contains(&(i + skipped));
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with('-') && !dynamic {
            skip = !a.contains('=') && takes_value(name, a);
            continue;
        }
        if dynamic {
            return true;
        }
        slots += 1;
        if slots >= 2 {
            return false;
        }
    }
    false
}

/// What `inv` is, by the catalog.
pub fn kind<'a>(inv: &Invocation, catalog: &'a [Held]) -> Kind<'a> {
    let argv = unwrapped(&inv.argv);
    let Some(first) = argv.first() else {
        return Kind::Other;
    };
    let name = canonical(first);
    let name = name.as_str();
    let args = &argv[1..];
    // An option plangate does not know may take the next word as its value
    // or not: both readings are tried, and the stricter wins.
    for greedy in [false, true] {
        if let Some(k) = matched(name, args, catalog, greedy) {
            return k;
        }
    }
    Kind::Other
}

/// Is `name` a program of the catalog?
pub fn is_catalog_program(word: &str, catalog: &[Held]) -> bool {
    let name = canonical(word);
    catalog.iter().any(|h| h.programs.contains(&name))
}

fn matched<'a>(name: &str, args: &[String], catalog: &'a [Held], greedy: bool) -> Option<Kind<'a>> {
    let words = if greedy {
        positional_greedy(name, args)
    } else {
        positional(name, args)
    };
    // Terragrunt runs one or many stacks: `run-all destroy`, `run --all -- destroy`.
    let words: Vec<&str> = if name == "terragrunt" {
        words
            .into_iter()
            .skip_while(|w| matches!(*w, "run-all" | "run" | "stack"))
            .collect()
    } else {
        words
    };
    for held in catalog {
        if held.programs.iter().any(|p| p == name)
            && words.len() >= held.words.len()
            && held.words.iter().zip(&words).all(|(a, b)| a == b)
            && (held.flags.is_empty() || has_flag(args, &held.flags))
            && !has_flag(args, &held.unless)
        {
            return Some(Kind::Held(held));
        }
    }
    if TERRAFORM.contains(&name) && words.first() == Some(&"apply") {
        let dir = args
            .iter()
            .find_map(|a| a.strip_prefix("-chdir=").map(str::to_owned));
        // `apply PLANFILE`: the one word after `apply` that is not an option.
        return Some(match words.get(1) {
            Some(plan) => Kind::ApplyPlan {
                tool: name.to_owned(),
                plan: (*plan).to_owned(),
                dir,
            },
            None => Kind::ApplyUnplanned {
                tool: name.to_owned(),
            },
        });
    }
    None
}

/// [`positional`], reading every option without `=` as taking the next word.
fn positional_greedy<'a>(program: &str, args: &'a [String]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with('-') {
            skip = !a.contains('=') && a != "--" && !is_switch(program, a);
            continue;
        }
        out.push(a.as_str());
    }
    out
}

/// Options known to take no value (so the greedy reading does not eat a
/// subcommand after them).
fn is_switch(program: &str, option: &str) -> bool {
    matches!(
        option,
        "-auto-approve"
            | "--auto-approve"
            | "-y"
            | "--yes"
            | "-f"
            | "--force"
            | "--all"
            | "--non-interactive"
            | "-no-color"
            | "--no-color"
            | "--debug"
            | "-h"
            | "--help"
    ) || (program == "terraform" && option == "-destroy")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(words: &[&str]) -> Invocation {
        Invocation {
            argv: words.iter().map(|w| (*w).to_owned()).collect(),
            env: Vec::new(),
            cwd: None,
            cwd_known: true,
            dynamic: Vec::new(),
            via: Vec::new(),
        }
    }

    fn held(words: &[&str]) -> Option<String> {
        match kind(&inv(words), builtin()) {
            Kind::Held(h) => Some(h.id.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_catalog_reads_and_each_example_is_held_by_its_own_entry() {
        let catalog = catalog(BUILTIN).unwrap();
        assert!(catalog.len() >= 30, "{}", catalog.len());
        for h in &catalog {
            assert!(!h.description.is_empty() && !h.why.is_empty(), "{}", h.id);
            let words: Vec<&str> = h.example.split_whitespace().collect();
            assert_eq!(
                held(&words).as_deref(),
                Some(h.id.as_str()),
                "{}",
                h.example
            );
        }
    }

    #[test]
    fn options_and_paths_do_not_hide_a_held_command() {
        assert_eq!(
            held(&[
                "/usr/local/bin/aws",
                "--profile",
                "prod",
                "--region=eu-west-1",
                "s3",
                "rb",
                "s3://x"
            ])
            .as_deref(),
            Some("aws-s3-rb")
        );
        assert_eq!(
            held(&["terragrunt", "run-all", "destroy"]).as_deref(),
            Some("terraform-destroy")
        );
        assert_eq!(
            held(&["tofu", "-chdir=infra", "state", "rm", "x.y"]).as_deref(),
            Some("terraform-state-rm")
        );
        assert_eq!(
            held(&["npx", "-y", "aws-cdk", "destroy"]).as_deref(),
            Some("cdk-destroy")
        );
        assert_eq!(
            held(&["terraform", "apply", "-destroy=true"]).as_deref(),
            Some("terraform-apply-destroy")
        );
    }

    #[test]
    fn what_is_not_destructive_is_left_alone() {
        for words in [
            &["aws", "s3", "rm", "s3://x/one-file"][..],
            &["aws", "s3", "ls"],
            &[
                "aws",
                "cloudformation",
                "deploy",
                "--no-execute-changeset",
                "--stack-name",
                "s",
            ],
            &["cdk", "deploy", "--no-execute"],
            &["terraform", "plan", "-destroy"],
            &["terraform", "state", "list"],
            &["terraform", "apply", "-destroy=false", "tfplan"],
            &["pulumi", "preview"],
            &["echo", "terraform", "destroy"],
        ] {
            assert_eq!(held(words), None, "{words:?}");
        }
    }

    #[test]
    fn apply_is_judged_by_its_plan_or_held_without_one() {
        assert_eq!(
            kind(
                &inv(&[
                    "terraform",
                    "-chdir=infra",
                    "apply",
                    "-auto-approve",
                    "tfplan"
                ]),
                builtin()
            ),
            Kind::ApplyPlan {
                tool: "terraform".into(),
                plan: "tfplan".into(),
                dir: Some("infra".into())
            }
        );
        assert_eq!(
            kind(
                &inv(&[
                    "tofu",
                    "apply",
                    "-auto-approve",
                    "-replace=aws_instance.web"
                ]),
                builtin()
            ),
            Kind::ApplyUnplanned {
                tool: "tofu".into()
            }
        );
        // An option's value is not the plan.
        assert_eq!(
            kind(
                &inv(&["terraform", "apply", "-var", "a=b", "-target", "x.y"]),
                builtin()
            ),
            Kind::ApplyUnplanned {
                tool: "terraform".into()
            }
        );
    }
}

/// The catalog id whose change set the guard describes and judges.
pub const EXECUTE_CHANGE_SET: &str = "aws-cloudformation-execute-change-set";

/// What `aws cloudformation describe-change-set` needs to show the change
/// set that `aws … cloudformation execute-change-set …` would execute: the
/// same change set, stack, account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetRef {
    /// `--change-set-name`: a name (with `stack`) or an ARN.
    pub change_set: String,
    pub stack: Option<String>,
    /// The global options that choose the account, region and endpoint
    /// (`--region`, `--profile`, `--endpoint-url`, `--ca-bundle`,
    /// `--no-verify-ssl`), as given.
    pub globals: Vec<String>,
    /// `AWS_*` assignments before the command (`AWS_PROFILE=prod aws …`).
    pub env: Vec<(String, String)>,
}

/// The change set an `execute-change-set` invocation names, or why it cannot
/// be told from the command line (then it is held as the catalog says).
pub fn change_set_of(inv: &Invocation) -> Result<ChangeSetRef, String> {
    let skipped = inv.argv.len() - unwrapped(&inv.argv).len();
    let argv = &inv.argv[skipped..];
    if let Some(&i) = inv.dynamic.iter().find(|&&i| i >= skipped) {
        return Err(format!(
            "`{}` is known only when the command runs",
            inv.argv[i]
        ));
    }
    let mut out = ChangeSetRef {
        change_set: String::new(),
        stack: None,
        globals: Vec::new(),
        env: inv
            .env
            .iter()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .cloned()
            .collect(),
    };
    let mut words = Vec::new();
    let mut names = Vec::new();
    let mut args = argv.iter().skip(1);
    while let Some(a) = args.next() {
        let Some(option) = a.strip_prefix("--") else {
            words.push(a.as_str());
            continue;
        };
        let (key, inline) = match option.split_once('=') {
            Some((k, v)) => (k, Some(v.to_owned())),
            None => (option, None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => args
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("`--{key}` has no value")),
            }
        };
        match key {
            "region" | "profile" | "endpoint-url" | "ca-bundle" => {
                let v = value()?;
                out.globals.extend([format!("--{key}"), v]);
            }
            "no-verify-ssl" => out.globals.push("--no-verify-ssl".to_owned()),
            // Options of how the CLI prints or waits: describe sets its own.
            "output"
            | "query"
            | "color"
            | "cli-read-timeout"
            | "cli-connect-timeout"
            | "cli-binary-format"
            | "client-request-token" => {
                value()?;
            }
            "debug"
            | "no-paginate"
            | "no-cli-pager"
            | "no-sign-request"
            | "disable-rollback"
            | "no-disable-rollback"
            | "retain-except-on-create"
            | "no-retain-except-on-create" => {}
            "change-set-name" => names.push(value()?),
            "stack-name" => {
                let v = value()?;
                if out.stack.replace(v).is_some() {
                    return Err("`--stack-name` is given twice".to_owned());
                }
            }
            // `--cli-input-json file://…` and the like: the change set is
            // named where plangate does not read.
            other => {
                return Err(format!(
                    "`--{other}` is an option plangate does not read on execute-change-set"
                ));
            }
        }
    }
    if words != ["cloudformation", "execute-change-set"] {
        return Err(format!(
            "the words `{}` are not `cloudformation execute-change-set`",
            words.join(" ")
        ));
    }
    match names.as_slice() {
        [one] => out.change_set = one.clone(),
        [] => return Err("no `--change-set-name` is given".to_owned()),
        _ => return Err("`--change-set-name` is given more than once".to_owned()),
    }
    if out.stack.is_none() && !out.change_set.starts_with("arn:") {
        return Err(format!(
            "`{}` is a change set's name, and no `--stack-name` says whose",
            out.change_set
        ));
    }
    Ok(out)
}
