//! The library's error: every way plangate can fail to decide, each with its
//! own code and help (see the wrapped types). All of them are exit 2.

use miette::Diagnostic;
use thiserror::Error;

use crate::approvals::ApprovalError;
use crate::git::GitError;
use crate::hcl::ConfigErrors;
use crate::parse::ReadErrors;
use crate::provenance::ProvenanceError;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadErrors),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigErrors),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Approvals(#[from] ApprovalError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Provenance(#[from] ProvenanceError),

    #[error("{path} cannot be judged: {gap}")]
    #[diagnostic(
        code(plangate::check::incomplete_plan),
        help("plangate judges only complete plans; fix what the plan says and make it again")
    )]
    Incomplete { path: String, gap: String },

    #[error("cannot judge from the record: {why}")]
    #[diagnostic(
        code(plangate::check::record),
        help(
            "--from-record judges the destructive set recorded when the head was checked with its \
             plans: run `plangate check` with the plans on this commit first (on the pull_request \
             event, with `approvals {{ record = true }}` and `checks: write`), or check the plans \
             here instead of --from-record"
        )
    )]
    Record { why: String },

    #[error("cannot gate the apply: {why}")]
    #[diagnostic(
        code(plangate::check::apply),
        help(
            "--apply judges the plan of a commit of the default branch against the approvals \
             of the pull request that merged it: run it on the merge commit, in GitHub Actions \
             (GITHUB_TOKEN with `pull-requests: read` and `checks: read`)"
        )
    )]
    Apply { why: String },

    #[error("cannot read the configuration {path}: {source}")]
    #[diagnostic(code(plangate::config::io), help("check the path given to --config"))]
    ConfigIo {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("the configuration {path} is not in revision {rev}")]
    #[diagnostic(
        code(plangate::config::not_at_revision),
        help(
            "--config-ref reads the configuration from a trusted revision; add it there first, or drop --config"
        )
    )]
    ConfigNotAtRevision { path: String, rev: String },

    #[error("the configuration {path} {why}")]
    #[diagnostic(code(plangate::config::path), help("{help}"))]
    ConfigPath {
        path: String,
        why: String,
        help: String,
    },
}
