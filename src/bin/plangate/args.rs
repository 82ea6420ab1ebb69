//! Command-line arguments (clap derive). Usage errors exit 2, as "could not decide".

use clap::{Args, Parser, Subcommand, ValueEnum};

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

// Parsed once per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
    /// The commits of a range, classified as agent, human or bot, with evidence
    #[command(after_help = "\
The range is, in order of precedence: --base/--head; in GitHub Actions, the event
(pull request base and head, merge group, push before/after); in a pre-commit
pre-push hook, PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF; otherwise the merge base with
the current branch's upstream.

Examples:
  plangate commits --base origin/main
  plangate commits --base v1.2.0 --head HEAD --format json")]
    Commits {
        /// The revision the change starts from (default: see below)
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// The revision the change ends at (default: HEAD)
        #[arg(long, value_name = "REV")]
        head: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = ChangesFormat::Human)]
        format: ChangesFormat,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// The gate: parse, attribute, evaluate, check approvals
    #[command(after_help = "\
Exit codes: 0 every finding is satisfied (approved, or only warnings and info);
1 at least one finding needs approvals it does not have; 2 plangate could not
decide (unreadable plan, bad configuration, missing history, API failure).

Approvals come from the GitHub API in GitHub Actions on a pull request (GITHUB_TOKEN,
GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH), or from --approvals FILE (a
saved GET /repos/OWNER/REPO/pulls/NUMBER/reviews response) with --event FILE.
Without either, every finding that needs approval blocks; --preview shows what
each would need and exits 0.

Examples:
  plangate check --preview --base origin/main plan.json
  plangate check --config-ref origin/main plans/
  plangate check --approvals reviews.json --event event.json --base main plan.json
  plangate check --format sarif plan.json > plangate.sarif
  plangate check --codequality gl-code-quality.json --junit plangate.xml plan.json
  plangate check --from-record     # on pull_request_review, in GitHub Actions
  plangate check --apply plan.json # after the merge, before terraform apply")]
    Check {
        /// Output format (in GitHub Actions, annotations and a step summary are written as well)
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// The revision the change starts from (default: from the event, the hook or the upstream)
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// The revision the change ends at (default: HEAD)
        #[arg(long, value_name = "REV")]
        head: Option<String>,
        #[command(flatten)]
        config: ConfigArgs,
        /// Approvals from a saved reviews response instead of the GitHub API
        #[arg(long, value_name = "FILE", conflicts_with = "preview")]
        approvals: Option<String>,
        /// The pull request event payload for --approvals (default: $GITHUB_EVENT_PATH)
        #[arg(long, value_name = "FILE", requires = "approvals")]
        event: Option<String>,
        /// Report what each finding will need; exit 0 unless something could not be decided
        #[arg(long)]
        preview: bool,
        /// The CloudFormation template (repository path) the change sets were made from, when
        /// no `stack` block of the configuration says; repeat for several
        #[arg(long, value_name = "PATH")]
        template: Vec<String>,
        /// The template CloudFormation kept for a change set (`aws cloudformation get-template
        /// --change-set-name …` output), compared with the head's; `STACK=FILE` with several
        /// change sets; repeat for several
        #[arg(long, value_name = "[STACK=]FILE", conflicts_with = "from_record")]
        change_set_template: Vec<String>,
        /// Show only the blocking findings and the verdict (human format)
        #[arg(long, short)]
        quiet: bool,
        /// Exit 1 on blocked findings (`error`, the default), or on warnings too (`warning`)
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Also write the JSON report to FILE (whatever --format is)
        #[arg(long, value_name = "FILE")]
        report: Option<String>,
        /// Also write the report as SARIF to FILE (for code scanning)
        #[arg(long, value_name = "FILE")]
        sarif: Option<String>,
        /// Also write the report as GitLab's Code Quality report to FILE (`artifacts: reports:
        /// codequality`)
        #[arg(long, value_name = "FILE")]
        codequality: Option<String>,
        /// Also write the report as JUnit XML to FILE (`artifacts: reports: junit`)
        #[arg(long, value_name = "FILE")]
        junit: Option<String>,
        /// In GitHub Actions, keep one pull-request comment with the report, updated in place
        /// (needs `pull-requests: write`); in a GitLab merge request pipeline, one merge request
        /// note (needs the `api` scope)
        #[arg(long)]
        comment: bool,
        /// Judge the pull request's reviews against the destructive set recorded when its head
        /// was checked with its plans (needs `approvals { record = true }`): no plan, no
        /// terraform, no cloud credentials; for the `pull_request_review` event
        #[arg(long, conflicts_with_all = ["paths", "approvals", "template"])]
        from_record: bool,
        /// The apply gate, after the merge: judge the plan's destructive changes against the
        /// approvals of the pull request that merged the head; a change its head's record does
        /// not hold, or one with no pull request (a direct push), blocks
        #[arg(long, conflicts_with_all = ["approvals", "preview", "from_record"])]
        apply: bool,
        /// Plan files or directories; `-` is standard input
        #[arg(required_unless_present = "from_record", value_name = "PATH")]
        paths: Vec<String>,
    },
    /// The agent guard: judge a shell command an AI agent is about to run, as its pre-tool hook
    #[command(after_help = "\
Reads the hook's JSON on standard input and answers as the agent's hook contract
says: Claude Code and Codex `PreToolUse`, Gemini CLI `BeforeTool`, Cursor
`beforeShellExecution`. A command is held (denied, or asked about where the
agent can ask and `guard { held = \"ask\" }`) when any program it would start is
in rules/guard.hcl (`terraform destroy`, `aws s3 rb`, …), is an apply without a
saved plan, or applies a saved plan whose destructive changes need approval by
the policy. What it cannot see through (a script, `eval`, a variable as the
program) is denied unless `guard { unresolved = … }` says otherwise. Every
error of its own is the agent's blocking answer.

Examples:
  echo '{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"terraform destroy\"},\"cwd\":\".\"}' | plangate guard
  plangate guard --agent cursor < payload.json")]
    Guard {
        /// The agent whose hook this is (default: told from the payload)
        #[arg(long, value_enum)]
        agent: Option<GuardAgent>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// The effective rule set (built-in and configured), with where each rule comes from
    #[command(
        after_help = "Examples:\n  plangate rules\n  plangate rules --config-ref origin/main --format json"
    )]
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = ChangesFormat::Human)]
        format: ChangesFormat,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Write a commented .plangate.hcl and an example GitHub workflow
    #[command(
        after_help = "Examples:\n  plangate init\n  plangate init --force   # overwrite existing files\n  plangate init --guard claude-code   # the agent guard in .claude/settings.json"
    )]
    Init {
        /// Overwrite files that exist
        #[arg(long)]
        force: bool,
        /// Instead, add `plangate guard` to that agent's project hooks (merged into the
        /// settings file that is there)
        #[arg(long, value_enum, value_name = "AGENT", conflicts_with = "force")]
        guard: Option<GuardAgent>,
        /// For GitLab CI: write `.gitlab/ci/plangate.yml` (a job to include from
        /// .gitlab-ci.yml) instead of the GitHub workflow
        #[arg(long, conflicts_with = "guard")]
        gitlab: bool,
    },
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  plangate completions bash > /etc/bash_completion.d/plangate\n  plangate completions zsh > \"${fpath[1]}/_plangate\""
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    #[command(after_help = "Examples:\n  plangate man | man -l -")]
    Man,
    /// What a rule checks and why
    #[command(
        after_help = "Examples:\n  plangate explain agent-destroy\n  plangate explain agent-destroy-stateful"
    )]
    Explain {
        /// The rule's id (see `plangate rules`)
        rule: String,
        #[command(flatten)]
        config: ConfigArgs,
    },
}

/// Where the configuration comes from.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// The configuration file (default: .plangate.hcl at the repository's root)
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// Read the configuration from this revision (the base branch), so that a
    /// change cannot weaken the policy that judges it
    #[arg(long, value_name = "REV")]
    pub config_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GuardAgent {
    ClaudeCode,
    Codex,
    GeminiCli,
    Cursor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Warning,
    Error,
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
    /// GitLab's Code Quality report (a JSON array of issues)
    Codequality,
    /// JUnit XML: a test suite per plan, a failing test case per blocked finding
    Junit,
}
