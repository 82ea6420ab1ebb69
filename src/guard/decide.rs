//! The guard's decision over one shell command: every program it would start,
//! each judged by the catalog, the plans it would apply judged by the policy,
//! and the strictest answer wins. Pure: reading a plan is the caller's
//! (`judge_plan`), so is talking to the agent.

use super::commands::{self, ChangeSetRef, EXECUTE_CHANGE_SET, Held, Kind};
use super::shell::{self, Invocation};
use crate::config::{GuardAnswer, GuardSettings};

/// What the guard answers, and why, in words for the agent and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub answer: GuardAnswer,
    /// One line per thing held or not seen through; empty when allowed.
    pub reasons: Vec<String>,
}

impl Decision {
    /// The message for the agent: what it tried, why it is held, what a
    /// person must do.
    pub fn message(&self, command: &str) -> String {
        if self.reasons.is_empty() {
            return String::new();
        }
        let mut out = format!("plangate guard held this command: {}\n", one_line(command));
        for r in &self.reasons {
            out.push_str(&format!("- {r}\n"));
        }
        out.push_str(WHAT_TO_DO);
        out
    }
}

const WHAT_TO_DO: &str = "Do not look for another way to run it (a script, another tool, other \
    credentials). Tell the user what you meant to do and why. A person reviews and runs it; for \
    Terraform, make a saved plan (`terraform plan -out=tfplan`) and open a pull request, where \
    `plangate check` asks the right people to approve.\n";

/// What applying a saved plan would need: one line per destructive change
/// that the policy holds for approval (empty: nothing needs it).
pub type PlanFindings = Vec<String>;

/// What must be read before a command can be judged (the caller reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The saved plan at `path` (joined to the directory it runs in), that
    /// `tool` would apply.
    Plan { path: &'a str, tool: &'a str },
    /// The change set an `execute-change-set` would execute.
    ChangeSet(&'a ChangeSetRef),
}

/// The ids an apply is known by in `guard { commands = […] }`.
const APPLY_PLAN: &str = "terraform-apply-plan";
const APPLY_UNPLANNED: &str = "terraform-apply-unplanned";

/// Decide `command`, run in `cwd` (the directory the agent gave, relative to
/// the repository's root when it is inside it). `judge(target)` reads a
/// saved plan or a change set and returns what of it needs approval, or why
/// it cannot be read (which denies: the guard blocks on its own errors).
pub fn decide(
    command: &str,
    cwd: &str,
    settings: &GuardSettings,
    catalog: &[Held],
    judge: &mut dyn FnMut(Target<'_>) -> Result<PlanFindings, String>,
) -> Decision {
    // A shell reading a pipe drops NUL bytes (`terra\0form` runs terraform);
    // control characters have no place in a command an agent shows its user.
    if command
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Decision {
            answer: GuardAnswer::Deny,
            reasons: vec![
                "the command holds control characters (NUL, escape, …), which a shell \
                may drop or act on: plangate does not judge such a command"
                    .into(),
            ],
        };
    }
    let parsed = shell::parse(command);
    let mut answer = GuardAnswer::Allow;
    let mut reasons = Vec::new();
    let mut hold = |a: GuardAnswer, why: String, answer: &mut GuardAnswer| {
        if a != GuardAnswer::Allow {
            *answer = strictest(*answer, a);
            reasons.push(why);
        }
    };
    for u in &parsed.unresolved {
        hold(
            settings.unresolved,
            format!(
                "`{}` cannot be seen through: {} (plangate cannot tell what it would run)",
                one_line(&u.text),
                u.why
            ),
            &mut answer,
        );
    }
    let mut matched: Vec<&str> = Vec::new();
    // An apply of a saved plan is judged as the file is now: another command
    // on the line could write it first (`plan -out=x && apply x`).
    // So is a change set: `create-change-set … && execute-change-set …`.
    let judged = |i: &Invocation| match commands::kind(i, catalog) {
        Kind::ApplyPlan { .. } => true,
        Kind::Held(h) => h.id == EXECUTE_CHANGE_SET && commands::change_set_of(i).is_ok(),
        _ => false,
    };
    let applies = parsed.invocations.iter().any(judged);
    let companions: Vec<String> = parsed
        .invocations
        .iter()
        .filter(|i| !judged(i))
        .filter(|i| {
            !i.argv.first().is_some_and(|p| {
                matches!(
                    p.as_str(),
                    "cd" | "pushd" | "popd" | "true" | "pwd" | "echo" | "ls"
                )
            })
        })
        .map(shown)
        .collect();
    if applies && !companions.is_empty() {
        hold(
            settings.held,
            format!(
                "an apply of a saved plan (or an execute of a change set) must be a command of \
                 its own (besides `cd`): `{}` on the same line could change what it applies \
                 after plangate read it; make the plan (or the change set) first, then run the \
                 apply alone",
                companions.join("`, `")
            ),
            &mut answer,
        );
    }
    for inv in &parsed.invocations {
        if let Some(why) = evaluates_strings(inv) {
            hold(
                settings.unresolved,
                format!("`{}`: {why}", shown(inv)),
                &mut answer,
            );
        }
        let through = inv
            .via
            .iter()
            .any(|v| v == "xargs" || v.starts_with("find -"));
        if inv
            .argv
            .first()
            .is_some_and(|p| commands::is_catalog_program(p, catalog))
            && (through || inv.argv.iter().any(|a| a.contains("{}")))
        {
            hold(
                settings.unresolved,
                format!(
                    "`{}`: its arguments are filled in when it runs (xargs, find -exec), so what \
                     it does cannot be read",
                    shown(inv)
                ),
                &mut answer,
            );
            continue;
        }
        let dir = directory(cwd, inv);
        // Where an earlier `cd` went is not known: every directory filter
        // counts it in (widen), and no plan path can be read relative to it.
        if inv.cwd_known && !in_directories(settings, &dir) {
            // Judged, and left alone by the policy: explained.
            if let Kind::Held(h) = commands::kind(inv, catalog) {
                matched.push(&h.id);
            }
            continue;
        }
        let shown = shown(inv);
        if commands::dynamic_subcommand(inv, catalog) {
            hold(
                settings.unresolved,
                format!(
                    "`{shown}`: a word known only when it runs stands where plangate must read \
                     what the command does"
                ),
                &mut answer,
            );
            continue;
        }
        match commands::kind(inv, catalog) {
            Kind::Other => {}
            Kind::Held(h) if h.id == EXECUTE_CHANGE_SET && named(settings, &h.id) => {
                matched.push(&h.id);
                match commands::change_set_of(inv) {
                    Ok(target) => {
                        let named = match &target.stack {
                            Some(stack) => format!("{} of stack {stack}", target.change_set),
                            None => target.change_set.clone(),
                        };
                        match judge(Target::ChangeSet(&target)) {
                            Ok(findings) if findings.is_empty() => {}
                            Ok(findings) => hold(
                                settings.held,
                                format!(
                                    "`{shown}` ({}): the change set {named} holds changes that \
                                     need approval: {}",
                                    h.id,
                                    findings.join("; ")
                                ),
                                &mut answer,
                            ),
                            Err(why) => hold(
                                GuardAnswer::Deny,
                                format!(
                                    "`{shown}`: the change set {named} cannot be judged: {why}"
                                ),
                                &mut answer,
                            ),
                        }
                    }
                    Err(why) => hold(
                        settings.held,
                        format!(
                            "`{shown}` ({}): {} {} (plangate cannot describe it: {why})",
                            h.id, h.description, h.why
                        ),
                        &mut answer,
                    ),
                }
            }
            Kind::Held(h) if named(settings, &h.id) => {
                matched.push(&h.id);
                hold(
                    settings.held,
                    format!("`{shown}` ({}): {} {}", h.id, h.description, h.why),
                    &mut answer,
                )
            }
            Kind::Held(h) => matched.push(&h.id),
            Kind::ApplyUnplanned { tool } if named(settings, APPLY_UNPLANNED) => hold(
                settings.held,
                format!(
                    "`{shown}` ({APPLY_UNPLANNED}): an apply without a saved plan does whatever \
                     the plan made at that moment holds, which nobody has seen. Make the plan \
                     first (`{tool} plan -out=tfplan`), so that plangate can judge it, then \
                     `{tool} apply tfplan`."
                ),
                &mut answer,
            ),
            Kind::ApplyUnplanned { .. } => {}
            Kind::ApplyPlan {
                tool,
                plan,
                dir: chdir,
            } => {
                if !named(settings, APPLY_PLAN) {
                    continue;
                }
                if !inv.cwd_known {
                    hold(
                        GuardAnswer::Deny,
                        format!(
                            "`{shown}`: the directory it runs in is not known (a `cd` to a \
                             variable, `cd -` or `popd` before it), so its plan cannot be read"
                        ),
                        &mut answer,
                    );
                    continue;
                }
                let base = match &chdir {
                    Some(d) => join_raw(&dir, d),
                    None => dir.clone(),
                };
                // Joined as written: the edge resolves it on the file system,
                // where `link/..` is not `.`.
                let path = join_raw(&base, &plan);
                match judge(Target::Plan {
                    path: &path,
                    tool: &tool,
                }) {
                    Ok(findings) if findings.is_empty() => {}
                    Ok(findings) => hold(
                        settings.held,
                        format!(
                            "`{shown}` ({APPLY_PLAN}): the plan {path} holds changes that need \
                             approval: {}",
                            findings.join("; ")
                        ),
                        &mut answer,
                    ),
                    // An error of its own never lets a command through.
                    Err(why) => hold(
                        GuardAnswer::Deny,
                        format!("`{shown}`: the plan {path} cannot be judged: {why}"),
                        &mut answer,
                    ),
                }
            }
        }
    }
    // What no invocation explains: a held command's words in the text of
    // something plangate does not follow (`ssh host terraform destroy`,
    // `docker run … terraform destroy`, a git alias, another language).
    for h in catalog {
        if named(settings, &h.id) && !matched.contains(&h.id.as_str()) && mentions(command, h) {
            hold(
                settings.unresolved,
                format!(
                    "the command mentions `{} {}` ({}) where plangate cannot follow what runs it",
                    h.programs[0],
                    h.words.join(" "),
                    h.id
                ),
                &mut answer,
            );
        }
    }
    Decision { answer, reasons }
}

/// Does the text hold one of `h`'s programs followed, later, by its words in
/// order (and a flag it needs, if it needs one)?
fn mentions(command: &str, h: &Held) -> bool {
    let tokens: Vec<String> = command
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '\\')))
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .collect();
    tokens.iter().enumerate().any(|(i, t)| {
        if !h.programs.iter().any(|p| commands::program(t) == *p) {
            return false;
        }
        let mut rest = tokens.iter().skip(i + 1);
        let in_order = h.words.iter().all(|w| rest.any(|t| t == w));
        in_order && (h.flags.is_empty() || h.flags.iter().any(|f| tokens.iter().any(|t| t == f)))
    })
}

/// Builtins and variables through which bash runs a string as commands.
fn evaluates_strings(inv: &Invocation) -> Option<&'static str> {
    const EVALUATED: [&str; 7] = [
        "PS4",
        "PS1",
        "PS0",
        "PROMPT_COMMAND",
        "BASH_ENV",
        "ENV",
        "ZDOTDIR",
    ];
    if inv.env.iter().any(|(k, _)| EVALUATED.contains(&k.as_str())) {
        return Some(
            "a variable the shell runs as commands (PS4, PROMPT_COMMAND, BASH_ENV, …) is set",
        );
    }
    let name = inv.argv.first()?.as_str();
    let args = &inv.argv[1..];
    let any = |f: &str| args.iter().any(|a| a.starts_with('-') && a.contains(f));
    match name {
        "trap" => Some("`trap` runs its string as commands later"),
        "mapfile" | "readarray" if any("C") => Some("`-C` runs its string as a command"),
        "compgen" | "complete" if any("C") => Some("`-C` runs its string as a command"),
        "hash" if any("p") => Some("`hash -p` makes a name run another program"),
        "enable" | "shopt" => Some("it changes what the shell's words mean"),
        _ if inv.argv.iter().any(|a| a.contains("@P}")) => {
            Some("`${…@P}` expands a string as a prompt, running what it holds")
        }
        _ => None,
    }
}

/// `rel` from `dir` as written (`..` kept): for paths the file system resolves.
fn join_raw(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir == "." || dir.is_empty() {
        rel.to_owned()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}

fn strictest(a: GuardAnswer, b: GuardAnswer) -> GuardAnswer {
    let rank = |x: GuardAnswer| match x {
        GuardAnswer::Allow => 0,
        GuardAnswer::Ask => 1,
        GuardAnswer::Deny => 2,
    };
    if rank(a) >= rank(b) { a } else { b }
}

fn named(settings: &GuardSettings, id: &str) -> bool {
    settings.commands.is_empty()
        || settings
            .commands
            .iter()
            .any(|g| globset::Glob::new(g).is_ok_and(|g| g.compile_matcher().is_match(id)))
}

/// Is `dir` (relative to the repository's root) one the policy judges? A
/// directory outside the repository, or not known, is judged (widen).
fn in_directories(settings: &GuardSettings, dir: &str) -> bool {
    if settings.directories.is_empty() || dir.starts_with('/') || dir.starts_with("..") {
        return true;
    }
    settings.directories.iter().any(|g| {
        globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .is_ok_and(|g| {
                let m = g.compile_matcher();
                m.is_match(dir) || m.is_match(format!("{dir}/"))
            })
    })
}

/// Where `inv` runs: the hook's directory, then the command's own `cd`.
fn directory(cwd: &str, inv: &Invocation) -> String {
    match &inv.cwd {
        Some(d) => join(cwd, d),
        None => cwd.to_owned(),
    }
}

/// `rel` from `dir`, with `.` and `..` taken out where they can be.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        vec![""]
    } else {
        dir.split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect()
    };
    let absolute = rel.starts_with('/') || dir.starts_with('/');
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| !l.is_empty() && *l != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn shown(inv: &Invocation) -> String {
    let mut s = inv.argv.join(" ");
    if !inv.via.is_empty() {
        s.push_str(&format!(" (through {})", inv.via.join(", ")));
    }
    one_line(&s)
}

/// At most one line of 200 characters, for messages.
fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str, settings: &GuardSettings) -> (Decision, Vec<String>) {
        let mut asked = Vec::new();
        let d = decide(command, ".", settings, commands::builtin(), &mut |target| {
            let path = match target {
                Target::Plan { path, .. } => path.to_owned(),
                Target::ChangeSet(r) => format!(
                    "change set {} {:?} {:?} {:?}",
                    r.change_set, r.stack, r.globals, r.env
                ),
            };
            asked.push(path.clone());
            match path.as_str() {
                "infra/destroys.tfplan" => {
                    Ok(vec!["delete terraform_data.db (agent-destroy)".into()])
                }
                "infra/broken.tfplan" => Err("not a plan".into()),
                p if p.starts_with("change set destroys ") => Ok(vec![
                    "delete Db AWS::RDS::DBInstance (agent-destroy)".into(),
                ]),
                p if p.starts_with("change set broken ") => Err("AccessDenied".into()),
                _ => Ok(Vec::new()),
            }
        });
        (d, asked)
    }

    fn answer(command: &str) -> GuardAnswer {
        run(command, &GuardSettings::default()).0.answer
    }

    #[test]
    fn a_held_command_is_denied_and_others_are_allowed() {
        assert_eq!(answer("terraform destroy -auto-approve"), GuardAnswer::Deny);
        assert_eq!(answer("terraform plan -out=tfplan"), GuardAnswer::Allow);
        assert_eq!(answer("ls -la"), GuardAnswer::Allow);
        let (d, _) = run("terraform destroy", &GuardSettings::default());
        let message = d.message("terraform destroy");
        assert!(
            message.contains("terraform-destroy")
                && message.contains("Do not look for another way"),
            "{message}"
        );
    }

    #[test]
    fn a_saved_plan_is_judged_where_the_command_runs() {
        let (d, asked) = run(
            "terraform -chdir=infra apply destroys.tfplan",
            &GuardSettings::default(),
        );
        assert_eq!(asked, ["infra/destroys.tfplan"]);
        assert_eq!(d.answer, GuardAnswer::Deny);
        assert!(d.reasons[0].contains("agent-destroy"), "{:?}", d.reasons);
        let (d, _) = run(
            "terraform -chdir=infra apply ok.tfplan",
            &GuardSettings::default(),
        );
        assert_eq!(d.answer, GuardAnswer::Allow);
        // A plan that cannot be read denies, even where held commands are asked about.
        let asking = GuardSettings {
            held: GuardAnswer::Ask,
            ..Default::default()
        };
        let (d, _) = run("terraform -chdir=infra apply broken.tfplan", &asking);
        assert_eq!(d.answer, GuardAnswer::Deny);
        assert_eq!(run("terraform destroy", &asking).0.answer, GuardAnswer::Ask);
    }

    #[test]
    fn the_policy_narrows_what_is_held_but_not_what_is_unseen() {
        let only_destroy = GuardSettings {
            commands: vec!["terraform-destroy".into()],
            ..Default::default()
        };
        assert_eq!(
            run("aws s3 rb s3://x", &only_destroy).0.answer,
            GuardAnswer::Allow
        );
        assert_eq!(
            run("terraform destroy", &only_destroy).0.answer,
            GuardAnswer::Deny
        );
        let infra_only = GuardSettings {
            directories: vec!["infra/**".into()],
            ..Default::default()
        };
        assert_eq!(
            decide(
                "terraform destroy",
                "docs",
                &infra_only,
                commands::builtin(),
                &mut |_| Ok(vec![])
            )
            .answer,
            GuardAnswer::Allow
        );
        assert_eq!(
            decide(
                "terraform destroy",
                "infra/prod",
                &infra_only,
                commands::builtin(),
                &mut |_| Ok(vec![])
            )
            .answer,
            GuardAnswer::Deny
        );
    }

    #[test]
    fn obfuscation_does_not_hide_a_held_command() {
        for command in [
            "bash -c 'terraform destroy -auto-approve'",
            "sh -c \"cd infra && tofu destroy\"",
            "echo $(terragrunt run-all destroy)",
            "t\\erraform destroy",
            "'terraform' \"destroy\"",
            "true && { terraform state rm aws_db_instance.orders; }",
            "(cd infra; terraform destroy)",
            "sudo -u ops env TF_LOG=1 terraform destroy",
            "find . -name '*.tfstate' -exec terraform destroy \\;",
            "nohup aws s3 rm s3://acme-logs --recursive &",
            "AWS_PROFILE=prod aws --region eu-west-1 rds delete-db-instance --db-instance-identifier x",
            "ls; npx -y aws-cdk destroy --force",
        ] {
            assert_eq!(answer(command), GuardAnswer::Deny, "{command}");
        }
    }

    #[test]
    fn what_cannot_be_seen_through_is_denied_unless_the_policy_allows_it() {
        let allowing = GuardSettings {
            unresolved: GuardAnswer::Allow,
            ..Default::default()
        };
        for command in [
            "$TF destroy",
            "eval \"$CMD\"",
            "./deploy.sh",
            "bash scripts/teardown.sh",
            "terraform $ACTION -auto-approve",
            "aws s3 $OP s3://acme-logs",
        ] {
            let (d, _) = run(command, &GuardSettings::default());
            assert_eq!(d.answer, GuardAnswer::Deny, "{command}");
            assert!(!d.reasons.is_empty(), "{command}");
            assert_eq!(
                run(command, &allowing).0.answer,
                GuardAnswer::Allow,
                "{command}"
            );
        }
        // A plan in a directory a variable names cannot be read.
        let (d, asked) = run("cd \"$DIR\" && terraform apply ok.tfplan", &allowing);
        assert_eq!(d.answer, GuardAnswer::Deny, "{:?}", d.reasons);
        assert!(asked.is_empty());
        // An ordinary variable in an argument is not a reason.
        assert_eq!(
            answer("aws s3 cp \"$SRC\" s3://acme-logs/"),
            GuardAnswer::Allow
        );
    }

    #[test]
    fn paths_join_as_a_shell_would() {
        assert_eq!(join(".", "infra"), "infra");
        assert_eq!(
            join("infra/prod", "../staging/tfplan"),
            "infra/staging/tfplan"
        );
        assert_eq!(join("/repo", "/tmp/x"), "/tmp/x");
        assert_eq!(join("/repo/infra", ".."), "/repo");
    }

    #[test]
    fn an_execute_of_a_change_set_is_judged_by_what_it_holds() {
        let (d, asked) = run(
            "aws --region eu-west-1 cloudformation execute-change-set --change-set-name ok \
             --stack-name orders",
            &GuardSettings::default(),
        );
        assert_eq!(d.answer, GuardAnswer::Allow, "{:?}", d.reasons);
        assert_eq!(
            asked,
            [r#"change set ok Some("orders") ["--region", "eu-west-1"] []"#]
        );
        // The account and region it would run in are the ones described.
        let (_, asked) = run(
            "AWS_PROFILE=prod aws cloudformation execute-change-set --profile=prod \
             --change-set-name arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ok/1",
            &GuardSettings::default(),
        );
        assert_eq!(
            asked,
            [
                r#"change set arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ok/1 None ["--profile", "prod"] [("AWS_PROFILE", "prod")]"#
            ]
        );
        let (d, _) = run(
            "aws cloudformation execute-change-set --change-set-name destroys --stack-name orders",
            &GuardSettings::default(),
        );
        assert_eq!(d.answer, GuardAnswer::Deny);
        assert!(
            d.reasons[0].contains("the change set destroys of stack orders holds changes")
                && d.reasons[0].contains("delete Db AWS::RDS::DBInstance"),
            "{:?}",
            d.reasons
        );
        let asking = GuardSettings {
            held: GuardAnswer::Ask,
            ..GuardSettings::default()
        };
        let (d, _) = run(
            "aws cloudformation execute-change-set --change-set-name destroys --stack-name orders",
            &asking,
        );
        assert_eq!(d.answer, GuardAnswer::Ask);
        // What cannot be described is denied, even where held commands are asked about.
        let (d, _) = run(
            "aws cloudformation execute-change-set --change-set-name broken --stack-name orders",
            &asking,
        );
        assert_eq!(d.answer, GuardAnswer::Deny);
        assert!(
            d.reasons[0].contains("cannot be judged: AccessDenied"),
            "{:?}",
            d.reasons
        );
    }

    #[test]
    fn a_change_set_the_command_line_does_not_name_is_held() {
        for command in [
            // Named in a file plangate does not read.
            "aws cloudformation execute-change-set --cli-input-json file://x.json",
            // A name without its stack.
            "aws cloudformation execute-change-set --change-set-name ok",
            "aws cloudformation execute-change-set --change-set-name ok --change-set-name destroys \
             --stack-name orders",
            "aws cloudformation execute-change-set --change-set-name \"$CS\" --stack-name orders",
            // Made on the same line: it could differ from what was described.
            "aws cloudformation create-change-set --stack-name orders --change-set-name ok \
             --template-body file://t.yaml && aws cloudformation execute-change-set \
             --change-set-name ok --stack-name orders",
        ] {
            let (d, asked) = run(command, &GuardSettings::default());
            assert_eq!(d.answer, GuardAnswer::Deny, "{command}");
            assert!(!d.reasons.is_empty(), "{command}");
            if !command.contains("create-change-set") {
                assert!(asked.is_empty(), "{command}: {asked:?}");
            }
        }
    }
}
