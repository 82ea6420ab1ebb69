rule "stateful-destroy" {
  description = "A change by anyone deletes or replaces a resource that holds data."
  why = <<-EOT
    Losing data is as final when a person wrote the change as when an agent did, and people
    skim past "must be replaced" in a long plan too. This rule does not hold the build: a
    human's change already goes through the team's own review, and plangate does not add a
    second gate on top of it. It makes sure that review sees the loss: every delete or
    replace of a stateful resource is listed in the report, the step summary and the pull
    request's annotations, with the attributes that force a replacement.

    A team that wants approvals for everyone can add a rule of its own in .plangate.hcl with
    severity = "error" and a require block; agent-written changes are already held by
    agent-destroy-stateful.
  EOT
  example = <<-EOT
    A person renames a bucket that Terraform may empty on destroy:

      resource "aws_s3_bucket" "reports" {
    -   bucket        = "acme-reports"
    +   bucket        = "acme-reports-2025"
        force_destroy = true
      }

    terraform plan:  # aws_s3_bucket.reports must be replaced
                     ~ bucket = "acme-reports" -> "acme-reports-2025" # forces replacement
    plangate check: warning stateful-destroy, replace aws_s3_bucket.reports, authored by
    human. Nothing is blocked; the reviewer sees that the bucket's objects go with it.
  EOT
  severity = "warning"
  match {
    actions         = ["delete", "replace"]
    resource_groups = ["stateful"]
  }
}
