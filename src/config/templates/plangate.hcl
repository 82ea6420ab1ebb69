# plangate's policy for this repository. Without this file plangate uses its
# built-in rules (`plangate rules` lists them, `plangate explain RULE` says why
# each exists). Everything here adds to them; see README.md, "Configuration".
#
# Run the gate with --config-ref set to your base branch, so that a pull
# request is judged by the policy it started from, not by its own edits.

# Who may approve what, by GitHub login.
# team "sre" {
#   members = ["alice", "bob"]
# }

# GitHub logins and the e-mail addresses they commit with, so that plangate can
# tell a reviewer from the author of a commit.
# person "alice" {
#   emails = ["alice@example.com"]
# }

# Identities of agents that are not in the built-in catalog, and how to count
# commits nobody can vouch for.
agents {
  # author_emails = ["*@bots.example.com"]
  # trailers      = ["Agent-Session"]
  # Count commits without a good signature as agent-written:
  # unverified = "agent"
  # Count changes no commit could be tied to as agent-written (the default):
  unknown = "agent"
}

# Tighten a built-in rule: two approvals for any agent-written destroy.
# rule "agent-destroy" {
#   require {
#     approvals = 2
#   }
# }

# A rule of your own: production databases need the SRE team.
# rule "agent-destroy-production-database" {
#   description = "An agent-written change destroys or replaces a production database"
#   match {
#     actions        = ["delete", "replace"]
#     resource_types = ["aws_db_instance", "aws_rds_cluster", "AWS::RDS::*"]
#     plans          = ["plans/prod/**"]
#     authored_by    = "agent"
#   }
#   require {
#     approvals = 2
#     from      = ["team:sre"]
#   }
# }

# How a plan was made, so that only what it reads counts: the var files given with
# -var-file (paths from the repository's root), and the root module.
# plan "plans/prod.json" {
#   root      = "infra"
#   var_files = ["infra/envs/prod.tfvars"]
# }

# Where a CloudFormation stack comes from (the change set's StackName).
# stack "orders" {
#   template   = "stacks/orders/template.yaml"
#   parameters = "stacks/orders/prod-params.json"
# }

# Record the head's destructive set as a check run on each push (the workflow needs
# `checks: write`), so that a review is judged from that record without planning again
# (`from-record` in the workflow; README: "Reviews judged from the record"). With
# carry_over, an approval of an earlier push also counts while that push's record holds
# the head's whole destructive set and nothing a finding comes from changed since
# (README: "Approvals that carry over pushes").
approvals {
  record = true
  # carry_over = "same-destructive-set"
}

# The agent guard (`plangate init --guard claude-code`, README: "The agent guard"): what a
# command it holds gets, and what one it cannot see through (a script, `eval`) gets.
# guard {
#   held       = "deny" # or "ask"
#   unresolved = "deny" # or "ask" or "allow"
#   approvals  = "none" # or "github": an apply a merged pull request approved runs
# }

# Waive one rule for some resources, with the reason and the last day (UTC) it holds;
# after that day every run exits 2 until it is renewed or removed (README: "Exceptions").
# exception "orders-queue-rebuild" {
#   rule      = "agent-destroy"
#   addresses = ["module.orders.aws_sqs_queue.*"] # or resource_types = […]
#   reason    = "drained and recreated by the migration in #1234"
#   expires   = "2027-01-31"
#   agreed_by = ["carol"]
# }
