rule "agent-edits-gate-workflow" {
  description = "An agent-written change edits a GitHub Actions workflow that runs plangate."
  why = <<-EOT
    The gate holds only while CI runs it as intended. An agent could edit the workflow that
    runs plangate: drop --config-ref so its own policy edits apply, change the plan paths or
    the trigger so its plan is never checked, pin an older plangate, or add
    continue-on-error. Each is a one-line diff that is easy to wave through, so an
    agent-written change to a workflow file that mentions plangate needs a human approval.

    A pull_request workflow runs as the pull request changed it, so an edit that makes the
    plangate step always pass also quiets this rule in that run. Make the plangate job a
    required status check and protect .github/workflows with CODEOWNERS, or run the gate
    from a workflow the pull request cannot change (a ruleset's required workflow).
  EOT
  example = <<-EOT
    A commit by the Copilot coding agent edits .github/workflows/infra.yml:

          - name: plangate
    -       run: plangate check --config-ref origin/main plans/
    +       run: plangate check plans/

    plangate check: agent-edits-gate-workflow, .github/workflows/infra.yml changed by an
    agent-written commit (copilot-coding-agent): blocked until 1 human approves.
  EOT
  severity = "error"
  match {
    files       = [".github/workflows/*.yml", ".github/workflows/*.yaml"]
    containing  = "plangate"
    authored_by = ["agent"]
  }
  require {
    approvals = 1
  }
}
