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

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a bug; it must still end as "could not decide", never as a pass.
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => code,
        Err(_) => ExitCode::from(exit::UNDECIDED),
    }
}

fn run(cli: Cli) -> ExitCode {
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
            paths,
        } => {
            let approvals = match (preview, approvals) {
                (true, _) => ApprovalOption::Preview,
                (false, Some(reviews)) => ApprovalOption::File { reviews, event },
                (false, None) => ApprovalOption::Auto,
            };
            check(format, base, head, &config, approvals, paths, preview)
        }
        Command::Rules { format, config } => rules(format, &config),
        Command::Explain { rule, config } => explain(&rule, &config),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
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

fn report_failure(failure: Failure) {
    match failure {
        // One unreadable file reads better on its own than wrapped in a list.
        Failure::Plangate(plangate::Error::Read(mut errors)) if errors.errors.len() == 1 => {
            eprintln!("{:?}", miette::Report::new(errors.errors.remove(0)));
        }
        Failure::Plangate(e) => eprintln!("{:?}", miette::Report::new(e)),
        Failure::Other(report) => eprintln!("{report:?}"),
        Failure::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Failure::Output(e) => eprintln!("plangate: cannot write the output: {e}"),
    }
}

fn changes(format: ChangesFormat, paths: &[String]) -> Result<ExitCode, Failure> {
    let reading = input::read_plans(paths)?;
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

/// The gate: the library decides; this writes the report and picks the code.
fn check(
    format: CheckFormat,
    base: Option<String>,
    head: Option<String>,
    config: &ConfigArgs,
    approvals: ApprovalOption,
    paths: Vec<String>,
    preview: bool,
) -> Result<ExitCode, Failure> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let options = Options {
        paths,
        base,
        head,
        config: config::Location {
            path: config.config.clone(),
            rev: config.config_ref.clone(),
        },
        approvals,
        dir: std::env::current_dir().map_err(Failure::Output)?,
        env: env.clone(),
    };
    let checked = gate::run::run(&options)?;
    let in_actions = env.get("GITHUB_ACTIONS").map(String::as_str) == Some("true");
    let mut text = match format {
        CheckFormat::Json => report::check::json(&checked.report) + "\n",
        CheckFormat::Sarif => report::sarif::sarif(&checked.report, &checked.policy) + "\n",
        CheckFormat::Markdown => report::check::markdown(&checked),
        CheckFormat::Github => report::check::github(&checked),
        CheckFormat::Human => {
            let color =
                std::io::stdout().is_terminal() && env.get("NO_COLOR").is_none_or(|v| v.is_empty());
            report::human::render(&checked, Some(&checked.policy), color, 100)
        }
    };
    if in_actions && matches!(format, CheckFormat::Human) {
        text.push_str(&report::check::github(&checked));
    }
    // The verdict is decided before anything is written: a failure to write
    // the output or the summary is exit 2, never a pass.
    let code = checked.report.exit_code(preview);
    if in_actions && let Some(summary) = env.get("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(summary)
            .and_then(|mut f| f.write_all(report::check::markdown(&checked).as_bytes()))
            .map_err(Failure::Output)?;
    }
    write_stdout(&text)?;
    Ok(ExitCode::from(code))
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
