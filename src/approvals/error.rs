//! What stops plangate from knowing who approved. Each is exit 2: a gate that
//! could not see every review must not pass.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ApprovalError {
    #[error("cannot read the reviews file {path}: {why}")]
    #[diagnostic(
        code(plangate::approvals::file),
        help(
            "--approvals takes a saved response of GET /repos/{{owner}}/{{repo}}/pulls/{{number}}/reviews (a JSON array)"
        )
    )]
    File { path: String, why: String },

    #[error("cannot read the pull request from the event payload {path}: {why}")]
    #[diagnostic(
        code(plangate::approvals::event),
        help(
            "--event (default $GITHUB_EVENT_PATH) must be a pull_request or pull_request_review event payload"
        )
    )]
    Event { path: String, why: String },

    #[error("--approvals needs the pull request it is for")]
    #[diagnostic(
        code(plangate::approvals::no_event),
        help(
            "pass --event FILE (a pull_request event payload), so that the pull request's author and head are known"
        )
    )]
    NoEvent,

    #[error("{what} is not set: plangate cannot read approvals from GitHub")]
    #[diagnostic(
        code(plangate::approvals::environment),
        help(
            "in GitHub Actions these are set for you; pass the token with `env: GITHUB_TOKEN: ${{{{ github.token }}}}` (the action does this)"
        )
    )]
    Environment { what: String },

    #[error("{service} rejected the token ({status}) for {path}")]
    #[diagnostic(code(plangate::approvals::unauthorized), help("{help}"))]
    Unauthorized {
        service: &'static str,
        status: u16,
        path: String,
        help: String,
    },

    #[error("{service} answered {status} for {path}: {message}")]
    #[diagnostic(code(plangate::approvals::http))]
    Http {
        service: &'static str,
        status: u16,
        path: String,
        message: String,
    },

    #[error("{service} could not be reached for {path} after {attempts} attempt(s): {why}")]
    #[diagnostic(
        code(plangate::approvals::unreachable),
        help(
            "GITHUB_API_URL (or CI_API_V4_URL) must name the API; a rate limit or outage may pass: run the job again"
        )
    )]
    Unreachable {
        service: &'static str,
        path: String,
        attempts: u32,
        why: String,
    },

    #[error("{service}'s answer for {path} is not what its API documents: {why}")]
    #[diagnostic(
        code(plangate::approvals::malformed),
        help(
            "plangate will not guess at reviews it cannot read; run the job again, and report it if it persists"
        )
    )]
    Malformed {
        service: &'static str,
        path: String,
        why: String,
    },

    #[error("{service}'s pagination for {path} {why}")]
    #[diagnostic(
        code(plangate::approvals::pagination),
        help(
            "plangate reads every page before deciding, and will not decide on part of the reviews"
        )
    )]
    Pagination {
        service: &'static str,
        path: String,
        why: String,
    },

    #[error(
        "the pull request in {source_name} has no `{field}`: plangate cannot tell whether an agent made it"
    )]
    #[diagnostic(
        code(plangate::approvals::pull_request_facts),
        help(
            "plangate reads who opened the pull request (`user.login`, `user.id`), its head branch (`head.ref`) and its body to tell whether an agent made it; give the whole `pull_request` event payload, or turn the signal off in .plangate.hcl: `agents {{ pull_request_author = false }}`, `pull_request_branch = false`, `pull_request_links = false`"
        )
    )]
    PullRequestFacts { source_name: String, field: String },

    #[error(
        "a rule requires approval from {team}, and GitHub team membership cannot be read without the API"
    )]
    #[diagnostic(
        code(plangate::approvals::teams_offline),
        help(
            "run in GitHub Actions with a token that may read team membership, or name the team's members in `team` blocks of .plangate.hcl"
        )
    )]
    TeamsOffline { team: String },

    #[error("pull request #{number} has no `{field}`: plangate cannot read who pushed its commits")]
    #[diagnostic(
        code(plangate::approvals::head_branch),
        help(
            "who pushed is read from the activity of the pull request's head branch; a pull request from a fork that was deleted has none, so its approvals cannot be judged"
        )
    )]
    HeadBranch { number: u64, field: String },

    #[error("plangate cannot read approvals from GitLab: {what}")]
    #[diagnostic(
        code(plangate::approvals::gitlab_token),
        help(
            "set PLANGATE_GITLAB_TOKEN, as a masked and protected CI/CD variable, to a project or group access token with the `read_api` scope (`api` to keep a merge request note with --comment); the job's own CI_JOB_TOKEN cannot read approvals or a merge request's versions"
        )
    )]
    GitLabEnvironment { what: String },

    #[error("merge request !{iid}: {why}")]
    #[diagnostic(
        code(plangate::approvals::gitlab_approvals),
        help(
            "plangate counts a GitLab approval only when GitLab shows it was given on the head: the time of each approval (`approved_at`, in GitLab's approvals API since 18.x) after the merge request's last version (`/versions`). Where it cannot show that, plangate does not guess: upgrade GitLab, or run the job again if the merge request was pushed while it ran"
        )
    )]
    GitLabApprovals { iid: u64, why: String },
}
