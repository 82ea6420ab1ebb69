//! The `plangate` binary: arguments in, text out, one exit code. Every decision
//! is the library's; this file only does I/O.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod args;

use std::io::IsTerminal;

use args::{ChangesFormat, CheckFormat, Cli, Command, ConfigArgs};
use plangate::gate::{
    self,
    run::{ApprovalOption, Options},
};
use plangate::git::{Git, GitError, RangeRequest};
use plangate::{config, history, input, report};

/// The contract's exit codes. plangate differs from linters that use 2 for
/// "findings": here 1 means "blocked, needs approval" and 2 means "could not
/// decide", so that nothing undecided can ever look like a pass (0).
mod exit {
    pub const UNDECIDED: u8 = 2;
}

// See Cargo.toml: attribution and the report allocate heavily.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // What a machine asked for, read from the words themselves: a usage error
    // or a panic happens before (or without) a parsed command line, and still
    // owes it one document on exit 2.
    let asked = asked_format(std::env::args().skip(1));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr()
                && let Some(format) = asked
            {
                // clap's first paragraph is the problem; the usage follows.
                let message = e.to_string();
                let first: Vec<&str> = message
                    .lines()
                    .take_while(|l| !l.trim().is_empty())
                    .map(str::trim)
                    .collect();
                let problem = report::errors::Problem {
                    code: Some("plangate::usage".into()),
                    message: first.join(" ").trim_start_matches("error: ").to_owned(),
                    help: Some("`plangate help COMMAND` lists its arguments".into()),
                };
                let _ = std::io::stdout().write_all(document(&[problem], format).as_bytes());
            }
            e.exit()
        }
    };
    // Errors wrap as the report does: at COLUMNS (else the terminal's width),
    // never cutting a path, rule id or address at a hyphen.
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new()
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        Box::new(
            match columns {
                Some(width) => opts.width(width.max(40)),
                None => opts,
            }
            .build(),
        )
    }));
    // A panic is a bug; it must still end as "could not decide", never as a pass.
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => code,
        Err(_) => {
            if let Some(format) = asked {
                let problem = report::errors::Problem {
                    code: Some("plangate::bug".into()),
                    message: "plangate stopped on an internal error (a bug) and could not decide"
                        .into(),
                    help: Some(
                        "please report it with the input that caused it (stderr has the details)"
                            .into(),
                    ),
                };
                let _ = std::io::stdout().write_all(document(&[problem], format).as_bytes());
            }
            ExitCode::from(exit::UNDECIDED)
        }
    }
}

/// The machine-read `--format` of `check`, `changes` or `commits` among the
/// command line's words, if any (`--format json` or `--format=json`).
fn asked_format(words: impl Iterator<Item = String>) -> Option<CheckFormat> {
    let words: Vec<String> = words.collect();
    let command = words.iter().find(|w| !w.starts_with('-'))?;
    let value = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.strip_prefix("--format=") {
            Some(v) => Some(v.to_owned()),
            None if w == "--format" => words.get(i + 1).cloned(),
            None => None,
        })?;
    match (command.as_str(), value.as_str()) {
        ("check" | "changes" | "commits", "json") => Some(CheckFormat::Json),
        ("check", "junit") => Some(CheckFormat::Junit),
        ("check", "codequality") => Some(CheckFormat::Codequality),
        ("check", "sarif") => Some(CheckFormat::Sarif),
        _ => None,
    }
}

/// The problems as a document of `format`.
fn document(errors: &[report::errors::Problem], format: CheckFormat) -> String {
    match format {
        CheckFormat::Junit => report::errors::junit(errors),
        CheckFormat::Codequality => report::errors::codequality(errors),
        CheckFormat::Sarif => report::errors::sarif(errors),
        _ => report::errors::json(errors),
    }
}

fn run(cli: Cli) -> ExitCode {
    // A machine-read format still gets one document on exit 2 (a pipeline
    // into `jq` has an error to read, too).
    let error_format = match &cli.command {
        Command::Check {
            format: CheckFormat::Json,
            ..
        }
        | Command::Changes {
            format: ChangesFormat::Json,
            ..
        }
        | Command::Commits {
            format: ChangesFormat::Json,
            ..
        } => Some(CheckFormat::Json),
        Command::Check {
            format: f @ (CheckFormat::Junit | CheckFormat::Codequality | CheckFormat::Sarif),
            ..
        } => Some(*f),
        _ => None,
    };
    // So do the report files `check` was asked to write.
    let error_files: Vec<(String, CheckFormat)> = match &cli.command {
        Command::Check {
            report,
            sarif,
            codequality,
            junit,
            ..
        } => [
            (report, CheckFormat::Json),
            (sarif, CheckFormat::Sarif),
            (codequality, CheckFormat::Codequality),
            (junit, CheckFormat::Junit),
        ]
        .into_iter()
        .filter_map(|(path, f)| path.clone().map(|p| (p, f)))
        .collect(),
        _ => Vec::new(),
    };
    let result = match cli.command {
        Command::Changes { format, paths } => changes(format, &paths),
        Command::Commits {
            base,
            head,
            format,
            config,
        } => commits(base.as_deref(), head.as_deref(), format, &config),
        Command::Check {
            format,
            base,
            head,
            config,
            approvals,
            event,
            preview,
            template,
            change_set_template,
            report,
            sarif,
            codequality,
            junit,
            comment,
            from_record,
            apply,
            paths,
            quiet,
            fail_on,
        } => {
            let approvals = match (preview, approvals) {
                _ if apply => ApprovalOption::Apply,
                (true, _) => ApprovalOption::Preview,
                (false, Some(reviews)) => ApprovalOption::File { reviews, event },
                (false, None) => ApprovalOption::Auto,
            };
            let outputs = Outputs {
                preview,
                quiet,
                fail_on,
                report,
                sarif,
                codequality,
                junit,
                comment,
            };
            let inputs = Inputs {
                paths,
                template,
                change_set_template,
                from_record,
            };
            check(format, base, head, &config, approvals, inputs, outputs)
        }
        Command::Init {
            guard: Some(agent), ..
        } => init_guard(guard_agent(agent)),
        Command::Init { force, gitlab, .. } => init(force, gitlab),
        Command::Guard { agent, config } => Ok(guard(agent, &config)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command, "plangate", &mut out);
            write_stdout(&String::from_utf8_lossy(&out)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(Failure::Output)
                .and_then(|()| write_stdout(&String::from_utf8_lossy(&out)))
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Rules { format, config } => rules(format, &config),
        Command::Explain { rule, config } => explain(&rule, &config),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            for (path, format) in &error_files {
                if let Some(doc) = error_document(&failure, *format) {
                    let _ = std::fs::write(path, doc);
                }
            }
            if let Some(format) = error_format
                && let Some(doc) = error_document(&failure, format)
            {
                let _ = std::io::stdout().write_all(doc.as_bytes());
            }
            report_failure(failure);
            ExitCode::from(exit::UNDECIDED)
        }
    }
}

/// Why a command could not finish.
enum Failure {
    Plangate(plangate::Error),
    Other(miette::Report),
    /// Standard output went away (a closed pipe): nothing more to say.
    Output(std::io::Error),
}

impl<E: Into<plangate::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Plangate(e.into())
    }
}

/// With `--format json`, exit 2 still prints one JSON document: `"result":
/// "error"` and each problem's code, message and help (stderr keeps the
/// rendered diagnostics). JUnit and Code Quality get their own kind of
/// document with the same problems, and SARIF a failed invocation with them
/// as notifications, so a report artifact is never empty.
fn error_document(failure: &Failure, format: CheckFormat) -> Option<String> {
    use miette::Diagnostic;
    let one = |d: &dyn Diagnostic| report::errors::Problem {
        code: d.code().map(|c| c.to_string()),
        message: d.to_string(),
        help: d.help().map(|h| h.to_string()),
    };
    let errors: Vec<report::errors::Problem> = match failure {
        Failure::Plangate(plangate::Error::Read(e)) => e.errors.iter().map(|e| one(e)).collect(),
        Failure::Plangate(plangate::Error::Config(e)) => e.errors.iter().map(|e| one(e)).collect(),
        Failure::Plangate(e) => vec![one(e)],
        Failure::Other(report) => vec![one(report.as_ref())],
        // Standard output is what failed: nothing can be written to it.
        Failure::Output(_) => return None,
    };
    Some(document(&errors, format))
}

fn report_failure(failure: Failure) {
    match failure {
        // One unreadable file reads better on its own than wrapped in a list.
        Failure::Plangate(plangate::Error::Read(mut errors)) if errors.errors.len() == 1 => {
            eprintln!("{:?}", miette::Report::new(errors.errors.remove(0)));
        }
        Failure::Plangate(plangate::Error::Config(mut errors)) if errors.errors.len() == 1 => {
            eprintln!("{:?}", miette::Report::new(errors.errors.remove(0)));
        }
        Failure::Plangate(e) => eprintln!("{:?}", miette::Report::new(e)),
        Failure::Other(report) => eprintln!("{report:?}"),
        Failure::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Failure::Output(e) => eprintln!("plangate: cannot write the output: {e}"),
    }
}

fn changes(format: ChangesFormat, paths: &[String]) -> Result<ExitCode, Failure> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let mut spinner = Spinner::new(&env);
    let reading = input::read_plans_with(paths, &mut |p| spinner.update(p))?;
    let text = match format {
        ChangesFormat::Json => report::changes::json(&reading) + "\n",
        ChangesFormat::Human => report::changes::human(&reading),
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn commits(
    base: Option<&str>,
    head: Option<&str>,
    format: ChangesFormat,
    config_args: &ConfigArgs,
) -> Result<ExitCode, Failure> {
    let git = Git::open(&std::env::current_dir().map_err(Failure::Output)?)?;
    let config = load_config(config_args, &git)?;
    let request = range_request(base, head)?;
    let history = history::read(&git, &request, &config.catalog)?;
    let text = match format {
        ChangesFormat::Json => report::commits::json(&history) + "\n",
        ChangesFormat::Human => report::commits::human(&history),
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn load_config(args: &ConfigArgs, git: &Git) -> Result<config::Config, Failure> {
    let location = config::Location {
        path: args.config.clone(),
        rev: args.config_ref.clone(),
    };
    Ok(config::load(&location, Some(git))?)
}

/// The range from flags, the environment and the GitHub event payload.
fn range_request(base: Option<&str>, head: Option<&str>) -> Result<RangeRequest, Failure> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let event = match env.get("GITHUB_EVENT_PATH").filter(|p| !p.is_empty()) {
        Some(path) if env.get("GITHUB_ACTIONS").map(String::as_str) == Some("true") => {
            let event_error = |why: String| GitError::Event {
                path: path.clone(),
                why,
            };
            let text = std::fs::read_to_string(path).map_err(|e| event_error(e.to_string()))?;
            Some(
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| event_error(e.to_string()))?,
            )
        }
        _ => None,
    };
    Ok(RangeRequest::new(base, head, &env, event.as_ref())?)
}

/// `plangate guard`: the hook's payload on stdin, the agent's answer out.
/// Never fails as `run`'s errors do: every failure is the agent's blocking
/// answer, which `guard::run` and `hook::reply` make.
fn guard(agent: Option<args::GuardAgent>, config: &ConfigArgs) -> ExitCode {
    use plangate::guard::hook;
    use std::io::Read;
    let agent = agent.map(guard_agent);
    // A hook that times out lets the command run: answer first, whatever hangs.
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(45);
    std::thread::spawn(move || {
        std::thread::sleep(LIMIT);
        let reply = hook::reply(
            agent,
            plangate::config::GuardAnswer::Deny,
            "plangate guard did not decide within 45 s (a plan it could not finish reading?), \
             so the command is denied",
        );
        let _ = std::io::stdout().write_all(reply.stdout.as_bytes());
        let _ = std::io::stderr().write_all(reply.stderr.as_bytes());
        std::process::exit(i32::from(reply.exit));
    });
    // A payload is a few KB; more is not a hook's.
    const MAX: u64 = 16 << 20;
    let mut payload = String::new();
    let read = std::io::stdin().take(MAX).read_to_string(&mut payload);
    let reply = match (read, std::env::current_dir()) {
        (Ok(_), Ok(dir)) => plangate::guard::run::run(
            &payload,
            &plangate::guard::run::Options {
                agent,
                config: config::Location {
                    path: config.config.clone(),
                    rev: config.config_ref.clone(),
                },
                dir,
                env: std::env::vars().collect(),
            },
        ),
        (Err(e), _) | (_, Err(e)) => hook::reply(
            agent,
            plangate::config::GuardAnswer::Deny,
            &format!("plangate guard cannot read the hook's input: {e}"),
        ),
    };
    let _ = std::io::stdout().write_all(reply.stdout.as_bytes());
    let _ = std::io::stderr().write_all(reply.stderr.as_bytes());
    ExitCode::from(reply.exit)
}

fn guard_agent(a: args::GuardAgent) -> plangate::guard::hook::Agent {
    use plangate::guard::hook::Agent;
    match a {
        args::GuardAgent::ClaudeCode => Agent::ClaudeCode,
        args::GuardAgent::Codex => Agent::Codex,
        args::GuardAgent::GeminiCli => Agent::GeminiCli,
        args::GuardAgent::Cursor => Agent::Cursor,
    }
}

/// `plangate init --guard AGENT`: the hook merged into the agent's project settings.
fn init_guard(agent: plangate::guard::hook::Agent) -> Result<ExitCode, Failure> {
    use plangate::guard::install;
    let root = Git::open(&std::env::current_dir().map_err(Failure::Output)?)
        .map(|g| g.root().to_path_buf())
        .unwrap_or_else(|_| std::path::PathBuf::from("."));
    let path = root.join(install::settings_file(agent));
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::Output(e)),
    };
    let merged = install::merge(agent, existing.as_deref()).map_err(|why| {
        Failure::Other(miette::miette!(
            code = "plangate::init::settings",
            help = "fix the file (or move it aside) and run `plangate init --guard` again; it was not changed",
            "{} cannot take the hook: {why}",
            path.display()
        ))
    })?;
    let said = match merged {
        None => format!(
            "{} already runs `{}`\n",
            path.display(),
            install::command(agent)
        ),
        Some(text) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(Failure::Output)?;
            }
            std::fs::write(&path, text).map_err(Failure::Output)?;
            format!(
                "added `{}` to {}\nnext: make sure `plangate` is on the agent's PATH, and read README's \"The agent guard\" for what it can and cannot see\n",
                install::command(agent),
                path.display()
            )
        }
    };
    write_stdout(&said)?;
    Ok(ExitCode::SUCCESS)
}

/// What `check` writes besides its output.
struct Outputs {
    preview: bool,
    /// `--quiet`: the blocking findings and the verdict only.
    quiet: bool,
    /// `--fail-on`: whether a warning fails the run too.
    fail_on: args::FailOn,
    /// `--report FILE`: the JSON report.
    report: Option<String>,
    /// `--sarif FILE`: the SARIF report.
    sarif: Option<String>,
    /// `--codequality FILE`: GitLab's Code Quality report.
    codequality: Option<String>,
    /// `--junit FILE`: JUnit XML.
    junit: Option<String>,
    /// `--comment`: the sticky pull-request comment.
    comment: bool,
}

/// What `check` reads besides history and configuration.
struct Inputs {
    paths: Vec<String>,
    /// `--template`: the templates the change sets were made from.
    template: Vec<String>,
    /// `--from-record`: no plans, the head's record.
    from_record: bool,
    /// `--change-set-template`: the change sets' templates as CloudFormation kept them.
    change_set_template: Vec<String>,
}

/// The marker that finds plangate's pull-request comment again.
const COMMENT_MARKER: &str = "<!-- plangate:report -->";

/// The gate: the library decides; this writes the report and picks the code.
fn check(
    format: CheckFormat,
    base: Option<String>,
    head: Option<String>,
    config: &ConfigArgs,
    approvals: ApprovalOption,
    inputs: Inputs,
    outputs: Outputs,
) -> Result<ExitCode, Failure> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let options = Options {
        paths: inputs.paths,
        templates: inputs.template,
        base,
        head,
        config: config::Location {
            path: config.config.clone(),
            rev: config.config_ref.clone(),
        },
        approvals,
        dir: std::env::current_dir().map_err(Failure::Output)?,
        env: env.clone(),
        from_record: inputs.from_record,
        change_set_templates: inputs.change_set_template,
    };
    let mut spinner = Spinner::new(&env);
    let checked = gate::run::run(&options, &mut |p| spinner.update(p))?;
    let in_actions = env.get("GITHUB_ACTIONS").map(String::as_str) == Some("true");
    let mut text = match format {
        CheckFormat::Json => report::check::json(&checked.report) + "\n",
        CheckFormat::Sarif => report::sarif::sarif(&checked.report, &checked.policy) + "\n",
        CheckFormat::Codequality => report::codequality::codequality(&checked.report) + "\n",
        CheckFormat::Junit => report::junit::junit(&checked.report),
        CheckFormat::Markdown => report::check::markdown(&checked),
        CheckFormat::Github => report::check::github(&checked),
        CheckFormat::Human => {
            let color =
                std::io::stdout().is_terminal() && env.get("NO_COLOR").is_none_or(|v| v.is_empty());
            let style = report::human::Style {
                color,
                width: width(&env),
                quiet: outputs.quiet,
            };
            report::human::render(&checked, Some(&checked.policy), style)
        }
    };
    if in_actions && matches!(format, CheckFormat::Human) {
        text.push_str(&report::check::github(&checked));
    }
    // The verdict is decided before anything is written: a failure to write
    // an output is exit 2, never a pass.
    let mut code = checked.report.exit_code(outputs.preview);
    // `--fail-on warning`: a warning fails the run as a blocked finding does.
    if outputs.fail_on == args::FailOn::Warning
        && !outputs.preview
        && checked
            .report
            .findings
            .iter()
            .any(|f| f.status == gate::Status::Warning)
    {
        code = 1;
    }
    if let Some(path) = &outputs.report {
        std::fs::write(path, report::check::json(&checked.report) + "\n")
            .map_err(Failure::Output)?;
    }
    if let Some(path) = &outputs.sarif {
        std::fs::write(
            path,
            report::sarif::sarif(&checked.report, &checked.policy) + "\n",
        )
        .map_err(Failure::Output)?;
    }
    if let Some(path) = &outputs.codequality {
        std::fs::write(
            path,
            report::codequality::codequality(&checked.report) + "\n",
        )
        .map_err(Failure::Output)?;
    }
    if let Some(path) = &outputs.junit {
        std::fs::write(path, report::junit::junit(&checked.report)).map_err(Failure::Output)?;
    }
    if in_actions {
        if let Some(summary) = env.get("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            append(summary, &report::check::markdown(&checked))?;
        }
        if let Some(output) = env.get("GITHUB_OUTPUT").filter(|s| !s.is_empty()) {
            append(output, &step_outputs(&checked, outputs.report.as_deref()))?;
        }
    }
    if outputs.comment {
        // The comment reports the verdict; it does not decide it. A comment
        // that cannot be posted is said loudly and leaves the exit code alone.
        if let Err(why) = post_comment(&checked, &env) {
            let message = format!("plangate could not update its report comment: {why}");
            eprintln!("{message}");
            if in_actions {
                text.push_str(&format!(
                    "::warning title=plangate comment::{}\n",
                    message.replace('%', "%25").replace('\n', "%0A")
                ));
            }
        }
    }
    write_stdout(&text)?;
    Ok(ExitCode::from(code))
}

/// The columns the report wraps at: `COLUMNS` when it is a number, else the
/// terminal's width, else 100 (a CI log is wide; an unknown width is not 0).
/// At least 40, so that a report never wraps word by word.
fn width(env: &HashMap<String, String>) -> usize {
    let columns = env
        .get("COLUMNS")
        .and_then(|c| c.trim().parse::<usize>().ok());
    let terminal = || {
        std::io::stdout()
            .is_terminal()
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(w, _)| usize::from(w.0))
    };
    columns.or_else(terminal).unwrap_or(100).max(40)
}

fn append(path: &str, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(Failure::Output)
}

/// `result`, `blocked`, `destructive`, `destructive-set` (the digest) and
/// `report` for `$GITHUB_OUTPUT`.
fn step_outputs(checked: &gate::run::Checked, report: Option<&str>) -> String {
    let r = &checked.report;
    let result = match r.result {
        gate::Verdict::Pass => "pass",
        gate::Verdict::Fail => "fail",
    };
    let destructive: usize = checked
        .reading
        .plans
        .iter()
        .map(|p| p.destructive().count())
        .sum();
    format!(
        "result={result}\nblocked={}\ndestructive={destructive}\ndestructive-set={}\nreport={}\n",
        r.blocked().count(),
        r.destructive_set.digest,
        report.unwrap_or("")
    )
}

fn post_comment(checked: &gate::run::Checked, env: &HashMap<String, String>) -> Result<(), String> {
    let number = match &checked.report.approvals {
        gate::ApprovalSource::GitLab { merge_request } => {
            let gitlab =
                plangate::approvals::gitlab::GitLab::from_env(env).map_err(|e| with_help(&e))?;
            let body = format!("{COMMENT_MARKER}\n{}", report::check::markdown(checked));
            return gitlab
                .upsert_note(*merge_request, COMMENT_MARKER, &body)
                .map(|_| ())
                .map_err(|e| with_help(&e));
        }
        gate::ApprovalSource::GitHub { pull_request }
        | gate::ApprovalSource::File { pull_request, .. } => *pull_request,
        _ => {
            let event = env
                .get("GITHUB_EVENT_PATH")
                .ok_or("not running on a pull request")?;
            let text = std::fs::read_to_string(event).map_err(|e| e.to_string())?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| e.to_string())?;
            value
                .pointer("/pull_request/number")
                .and_then(serde_json::Value::as_u64)
                .ok_or("not running on a pull request")?
        }
    };
    let github = plangate::approvals::github::GitHub::from_env(env).map_err(|e| with_help(&e))?;
    let body = format!("{COMMENT_MARKER}\n{}", report::check::markdown(checked));
    github
        .upsert_comment(number, COMMENT_MARKER, &body)
        .map(|_| ())
        .map_err(|e| with_help(&e))
}

/// A diagnostic's message and its help, on one line.
fn with_help(e: &dyn miette::Diagnostic) -> String {
    match e.help() {
        Some(help) => format!("{e} ({help})"),
        None => e.to_string(),
    }
}

/// `plangate init`: a commented configuration and an example workflow.
fn init(force: bool, gitlab: bool) -> Result<ExitCode, Failure> {
    let root = Git::open(&std::env::current_dir().map_err(Failure::Output)?)
        .map(|g| g.root().to_path_buf())
        .unwrap_or_else(|_| std::path::PathBuf::from("."));
    let files = [
        (root.join(config::FILE_NAME), config::INIT_CONFIG),
        match gitlab {
            true => (root.join(".gitlab/ci/plangate.yml"), config::INIT_GITLAB),
            false => (
                root.join(".github/workflows/plangate.yml"),
                config::INIT_WORKFLOW,
            ),
        },
    ];
    if !force && let Some((existing, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(Failure::Other(miette::miette!(
            code = "plangate::init::exists",
            help = "keep your file, or run `plangate init --force` to overwrite it",
            "{} exists",
            existing.display()
        )));
    }
    let mut said = String::new();
    for (path, text) in &files {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Failure::Output)?;
        }
        std::fs::write(path, text).map_err(Failure::Output)?;
        said.push_str(&format!("wrote {}\n", path.display()));
    }
    said.push_str(match gitlab {
        true => {
            "next: edit .plangate.hcl; in .gitlab/ci/plangate.yml replace OWNER and REV and name \
             your plan job; add `include: [{local: .gitlab/ci/plangate.yml}]` to .gitlab-ci.yml; \
             set PLANGATE_GITLAB_TOKEN (a project access token with read_api) as a masked, \
             protected CI/CD variable; and turn on \"Pipelines must succeed\"\n"
        }
        false => {
            "next: edit .plangate.hcl, replace <owner> in the workflow, and make the job a \
             required check\n"
        }
    });
    write_stdout(&said)?;
    Ok(ExitCode::SUCCESS)
}

/// A spinner on stderr while a big plan is read, on a terminal only (never in
/// CI logs, where it would be noise).
struct Spinner {
    enabled: bool,
    bar: Option<indicatif::ProgressBar>,
}

/// Plans smaller than this read too fast to need a spinner.
const SPINNER_BYTES: u64 = 32 << 20;

impl Spinner {
    fn new(env: &HashMap<String, String>) -> Spinner {
        let ci = env.get("CI").is_some_and(|v| !v.is_empty()) || env.contains_key("GITHUB_ACTIONS");
        Spinner {
            enabled: std::io::stderr().is_terminal() && !ci,
            bar: None,
        }
    }

    fn update(&mut self, progress: input::Progress<'_>) {
        match progress {
            input::Progress::Reading { path, bytes } if self.enabled && bytes >= SPINNER_BYTES => {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_message(format!("reading {path} ({} MB)", bytes / 1_000_000));
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                self.bar = Some(bar);
            }
            input::Progress::Read { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

fn rules(format: ChangesFormat, args: &ConfigArgs) -> Result<ExitCode, Failure> {
    let git = Git::open(&std::env::current_dir().map_err(Failure::Output)?).ok();
    let config = load_config_maybe(args, git.as_ref())?;
    let text = match format {
        ChangesFormat::Json => report::rules::json(&config.policy) + "\n",
        ChangesFormat::Human => report::rules::human(&config.policy),
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str, args: &ConfigArgs) -> Result<ExitCode, Failure> {
    let git = Git::open(&std::env::current_dir().map_err(Failure::Output)?).ok();
    let config = load_config_maybe(args, git.as_ref())?;
    let Some(rule) = config.policy.rule(id) else {
        let held = plangate::guard::commands::builtin();
        if let Some(h) = held.iter().find(|h| h.id == id) {
            write_stdout(&report::rules::explain_held(h))?;
            return Ok(ExitCode::SUCCESS);
        }
        let known: Vec<&str> = config.policy.rules.iter().map(|r| r.id.as_str()).collect();
        return Err(Failure::Other(miette::miette!(
            code = "plangate::explain::unknown_rule",
            help = format!("rules: {}", known.join(", ")),
            "there is no rule `{id}`"
        )));
    };
    write_stdout(&report::rules::explain(rule))?;
    Ok(ExitCode::SUCCESS)
}

/// The configuration, with or without a repository around.
fn load_config_maybe(args: &ConfigArgs, git: Option<&Git>) -> Result<config::Config, Failure> {
    let location = config::Location {
        path: args.config.clone(),
        rev: args.config_ref.clone(),
    };
    Ok(config::load(&location, git)?)
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Failure::Output)
}
