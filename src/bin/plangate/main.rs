//! The `plangate` binary: arguments in, text out, one exit code. Every decision
//! is the library's; this file only does I/O.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod args;

use args::{ChangesFormat, Cli, Command};
use plangate::input::{self, Reading};
use plangate::parse::ReadErrors;
use plangate::report;

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
        Command::Check { paths, .. } => check(&paths),
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
    Read(ReadErrors),
    Other(miette::Report),
    /// Standard output went away (a closed pipe): nothing more to say.
    Output(std::io::Error),
}

impl From<ReadErrors> for Failure {
    fn from(e: ReadErrors) -> Self {
        Failure::Read(e)
    }
}

fn report_failure(failure: Failure) {
    match failure {
        Failure::Read(mut errors) if errors.errors.len() == 1 => {
            let only = errors.errors.remove(0);
            eprintln!("{:?}", miette::Report::new(only));
        }
        Failure::Read(errors) => eprintln!("{:?}", miette::Report::new(errors)),
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

/// The gate. Reading and refusing incomplete plans is built; evaluating policy
/// and approvals is not yet, so `check` cannot decide and says so (exit 2).
fn check(paths: &[String]) -> Result<ExitCode, Failure> {
    let reading: Reading = input::read_plans(paths)?;
    for plan in &reading.plans {
        if let Some(gap) = plan.gaps.first() {
            return Err(Failure::Other(miette::miette!(
                code = "plangate::check::incomplete_plan",
                help =
                    "plangate judges only complete plans; fix what the plan says and make it again",
                "{} cannot be judged: {gap}",
                plan.path
            )));
        }
    }
    Err(Failure::Other(miette::miette!(
        code = "plangate::check::no_policy_engine",
        help = "use `plangate changes` to list what the plans destroy; the gate itself lands with the policy engine",
        "this build of plangate reads plans but cannot evaluate policy or approvals yet, so it cannot decide"
    )))
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Failure::Output)
}
