rule "resource-forgotten" {
  description = "A resource is removed from management without being destroyed."
  why = <<-EOT
    A forget takes a resource out of Terraform's state (a removed block with destroy = false)
    or out of a CloudFormation stack (a Remove whose DeletionPolicy is Retain) and leaves the
    real resource alone. Nothing is lost, so this is only information and needs no approval;
    it is also the normal way to move a resource to another state or stack.

    But the resource keeps running and billing, and nothing manages it any more: no plan will
    show its drift, it is not deleted with the rest of its environment, and adding it back
    under the same name can collide with it or needs an import. The report lists every
    forget so that someone decides on purpose who owns the resource now, and when a forget
    was meant as a delete, deletes it.
  EOT
  example = <<-EOT
    removed {
      from = aws_s3_bucket.old_logs
      lifecycle {
        destroy = false
      }
    }

    terraform plan:  # aws_s3_bucket.old_logs will no longer be managed by Terraform, but
                     # will not be destroyed
    CloudFormation:  Remove OldLogs (AWS::S3::Bucket), PolicyAction: Retain
    plangate check: info resource-forgotten, forget aws_s3_bucket.old_logs: listed in the
    report; nothing is blocked.
  EOT
  severity = "info"
  match {
    actions = ["forget"]
  }
}
