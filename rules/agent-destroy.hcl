rule "agent-destroy" {
  description = "An agent-written change deletes or replaces a resource."
  why = <<-EOT
    An AI coding agent with its operator's broad permissions once decided to "delete and
    recreate the environment" it was working on, and a cloud service was down for 13 hours.
    The two-person review that would have caught the plan was skipped. This rule makes that
    review part of the build: a delete or replace that plangate ties to an agent-written
    commit (or to no commit, while unknown authorship counts as agent) needs a human approval
    from someone other than the pull request's author, the commits' authors and the people
    who ran the agent.

    A replace counts like a delete: the old object is destroyed and a new one, with a new id,
    takes its place. Terraform destroys first unless create_before_destroy is set;
    CloudFormation creates the replacement first and deletes the old object in cleanup, after
    the update has succeeded. Either way, what the old object held or served is gone.
  EOT
  example = <<-EOT
    A commit with "Co-Authored-By: Claude <noreply@anthropic.com>" moves an instance:

      resource "aws_instance" "api" {
    -   subnet_id = aws_subnet.a.id
    +   subnet_id = aws_subnet.b.id
      }

    terraform plan:  # aws_instance.api must be replaced
    CloudFormation:  Modify Api (AWS::EC2::Instance), Replacement: True

    plangate check: agent-destroy, replace aws_instance.api, authored by agent
    (claude-code): blocked until 1 human approves the pull request's head commit.
  EOT
  severity = "error"
  match {
    actions     = ["delete", "replace"]
    authored_by = ["agent"]
  }
  require {
    approvals = 1
  }
}
