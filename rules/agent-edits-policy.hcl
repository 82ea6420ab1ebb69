rule "agent-edits-policy" {
  description = "An agent-written change edits plangate's configuration file."
  why = <<-EOT
    The policy lives in the repository it guards, so the agent being judged can edit it. A
    change blocked by a rule could, in the same pull request, lower the rule's approvals,
    add override = true or disabled = true, narrow its match, or declare unknown authorship
    human, and without --config-ref the loosened file is the one that judges that very pull
    request. Run check with --config-ref set to the base branch (for example
    --config-ref origin/main): plangate then reads the reviewed policy, and an edit takes
    effect only once it has merged. This rule makes the edit itself need a human either way,
    because the next pull request is judged by whatever this one merges. <config> stands for
    the configuration file in use: .plangate.hcl at the repository root, or --config FILE.
  EOT
  example = <<-EOT
    A commit with "Made-with: Cursor" loosens a rule in .plangate.hcl:

      rule "agent-replace-database" {
        require {
    -     approvals = 2
    +     approvals = 1
        }
      }

    plangate check --config-ref origin/main: agent-edits-policy, .plangate.hcl changed by
    an agent-written commit (cursor): blocked until 1 human approves. The rule is judged
    with approvals = 2 from origin/main until the change merges.
  EOT
  severity = "error"
  match {
    files       = ["<config>"]
    authored_by = ["agent"]
  }
  require {
    approvals = 1
  }
}
