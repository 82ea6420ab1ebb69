rule "agent-destroy-stateful" {
  description = "An agent-written change deletes or replaces a resource that holds data."
  why = <<-EOT
    Re-creating a stateful resource does not bring its data back: a replaced database or
    table comes back empty, a deleted bucket takes its objects with it, and a deleted key
    makes everything encrypted with it unreadable. A replace is such a loss even when the
    diff looks like a small edit, because one attribute that forces replacement is enough.
    Backups and deletion protection help only if they exist and are current, and the same
    change can switch them off (skip_final_snapshot = true, a DeletionPolicy removed).

    An agent does not weigh that loss the way the team does, so two people, neither of them
    the agent's operator, must read the plan and agree: the two-person review whose absence
    turned one agent's "delete and recreate" into a 13-hour outage. agent-destroy fires on
    the same change; two approvals satisfy both. The types are those of the resource group
    "stateful" (databases, buckets, disks, file systems, keys, DNS zones, logs, queues).
  EOT
  example = <<-EOT
    A commit by the Copilot coding agent changes a DynamoDB table's key:

      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema:
    -       - { AttributeName: orderId, KeyType: HASH }
    +       - { AttributeName: customerId, KeyType: HASH }

    change set: Modify Orders (AWS::DynamoDB::Table), Replacement: True
    plangate check: agent-destroy-stateful, replace Orders: blocked until 2 humans approve.
    The new table starts empty; the old one, with every order in it, is deleted in cleanup.
  EOT
  severity = "error"
  match {
    actions         = ["delete", "replace"]
    authored_by     = ["agent"]
    resource_groups = ["stateful"]
  }
  require {
    approvals = 2
  }
}
