//! What stops plangate from reading history. Each is exit 2: attribution that
//! cannot see the commits cannot decide who wrote a change.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    #[error("`git` is not on PATH")]
    #[diagnostic(
        code(plangate::git::not_found),
        help("install git; plangate reads history with it")
    )]
    NotFound,

    #[error("{dir} is not inside a git repository")]
    #[diagnostic(
        code(plangate::git::not_a_repository),
        help(
            "run plangate from inside the repository's checkout (`cd` into it first); in CI, check the repository out before plangate runs"
        )
    )]
    NotARepository { dir: String },

    #[error("`git {args}` failed: {stderr}")]
    #[diagnostic(code(plangate::git::failed))]
    Failed { args: String, stderr: String },

    #[error("the {what} revision `{rev}` is not in this repository")]
    #[diagnostic(code(plangate::git::unknown_revision), help("{help}"))]
    UnknownRevision {
        what: &'static str,
        rev: String,
        help: String,
    },

    #[error("this clone is shallow and lacks the history of the range ({detail})")]
    #[diagnostic(
        code(plangate::git::shallow),
        help(
            "fetch the whole history: with actions/checkout, set `fetch-depth: 0`; in GitLab \
             CI, set the job's `variables: GIT_DEPTH: 0` (GitLab fetches 20 commits by \
             default); elsewhere run `git fetch --unshallow`"
        )
    )]
    Shallow { detail: String },

    #[error("{base} and {head} have no common history")]
    #[diagnostic(
        code(plangate::git::unrelated),
        help("check --base and --head: they must be on related branches")
    )]
    Unrelated { base: String, head: String },

    #[error("no range of commits to read: {why}")]
    #[diagnostic(
        code(plangate::git::no_range),
        help(
            "pass --base REV (and --head REV, default HEAD); in GitHub Actions plangate takes them \
             from the event, in a pre-push hook from PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF, and \
             locally from the branch's upstream"
        )
    )]
    NoRange { why: String },

    #[error("the range {base}..{head} holds more than {limit} commits, the most plangate reads")]
    #[diagnostic(
        code(plangate::git::too_many_commits),
        help(
            "a range that long is almost always a wrong base (a root commit, an old tag, a branch \
             that was rewritten); pass --base the commit the change starts from, such as the pull \
             request's base branch (`--base origin/main`). Reading more would attribute every \
             destructive change to every commit in it"
        )
    )]
    TooManyCommits {
        base: String,
        head: String,
        limit: usize,
    },

    #[error("cannot read the GitHub event payload {path}: {why}")]
    #[diagnostic(
        code(plangate::git::event),
        help("GITHUB_EVENT_PATH must name the event JSON that GitHub Actions wrote")
    )]
    Event { path: String, why: String },

    #[error("git printed something plangate cannot parse: {what}")]
    #[diagnostic(
        code(plangate::git::output),
        help("this is a bug in plangate or an unusual git; please report it with `git --version`")
    )]
    Output { what: String },
}
