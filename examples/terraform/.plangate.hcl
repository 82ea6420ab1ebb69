# plangate's configuration for this example: the built-in rules, and the
# records that bind approvals to what they approved.
#
# Each pull-request run records its head's destructive set as a check run
# (the job has `checks: write`); the apply job after the merge
# (.github/workflows/apply.yml, `apply: true`) then lets through only the
# destroys and replaces that set held and the pull request's reviewers approved.
approvals {
  record = true
}
