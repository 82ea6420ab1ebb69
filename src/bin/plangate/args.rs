//! Command-line arguments (clap derive). Usage errors exit 2, as "could not decide".

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "plangate",
    version,
    about = "Hold infrastructure changes that destroy or replace resources until the right people approve",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The normalized change list of each plan, no policy
    #[command(after_help = "\
Examples:
  terraform plan -out=tfplan && terraform show -json tfplan > plan.json
  plangate changes plan.json
  plangate changes --format json plans/          # every plan under plans/
  aws cloudformation describe-change-set --change-set-name NAME --stack-name STACK > cs.json
  plangate changes cs.json
  terraform show -json tfplan | plangate changes -")]
    Changes {
        /// Output format
        #[arg(long, value_enum, default_value_t = ChangesFormat::Human)]
        format: ChangesFormat,
        /// Plan files or directories (walked; plans are recognised by content); `-` is standard input
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
    },
    /// The gate: parse, attribute, evaluate, check approvals
    Check {
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Plan files or directories; `-` is standard input
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChangesFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
}
