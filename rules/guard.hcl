# The commands `plangate guard` holds before an agent runs them.
#
# An agent's hook hands the guard each shell command before it runs; the guard
# finds every program the command would start (through `&&`, pipes, `bash -c`,
# `$( )`, `sudo`, `env`, `xargs`, …) and holds each that matches a block below.
# What a held command gets (deny, or ask where the agent can ask) is the
# policy's `guard { held = … }`.
#
#   command "ID" {
#     programs    = the program names (argv[0], any directory) it applies to
#     words       = the subcommand words, in order, after the program's global
#                   options (`aws --profile p s3 rb` matches ["s3", "rb"])
#     flags       = optional: held only when one of these is given
#                   (`-destroy`, or `-destroy=true`)
#     unless      = optional: not held when one of these is given
#     description = what the command does
#     why         = why an agent must not run it unreviewed
#     example     = a command it holds
#   }
#
# `terraform|tofu|terragrunt apply` is not here: with a saved plan the guard
# reads the plan and judges what it destroys by the policy, like `check`;
# without one it is held (plan with -out first, so the plan can be judged).

# ---- Terraform, OpenTofu, Terragrunt -------------------------------------

command "terraform-destroy" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["destroy"]
  description = "Destroys every resource the configuration manages (or those -target names)."
  why         = "The incident this guard exists for: an agent deleted and recreated an environment on its own. A destroy is never the agent's call."
  example     = "terraform destroy -auto-approve"
}

command "terraform-apply-destroy" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["apply"]
  flags       = ["-destroy", "--destroy"]
  description = "`apply -destroy` is `destroy` by another name."
  why         = "The same as terraform-destroy."
  example     = "terraform apply -destroy -auto-approve"
}

command "terraform-state-rm" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["state", "rm"]
  description = "Removes resources from the state: Terraform forgets them, the real objects stay unmanaged."
  why         = "Forgotten resources drift and are recreated (duplicated) by the next apply; the change is in no plan anyone reviews."
  example     = "terraform state rm aws_db_instance.orders"
}

command "terraform-state-mv" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["state", "mv"]
  description = "Moves resources within or between states."
  why         = "A wrong move makes the next plan destroy the old address and create the new one; `moved` blocks are the reviewable way."
  example     = "terraform state mv aws_s3_bucket.logs module.logs.aws_s3_bucket.this"
}

command "terraform-state-push" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["state", "push"]
  description = "Overwrites the remote state with a local file."
  why         = "A stale or edited state makes the next apply destroy or duplicate what it no longer lists."
  example     = "terraform state push terraform.tfstate"
}

command "terraform-taint" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["taint"]
  description = "Marks a resource for replacement by the next apply."
  why         = "A replace destroys the real object; `-replace` in a reviewed plan is the way to ask for one."
  example     = "terraform taint aws_instance.web"
}

command "terraform-import" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["import"]
  description = "Writes an existing object into the state, outside any plan."
  why         = "An import into the wrong address makes the next apply replace or destroy a real object; `import` blocks are the reviewable way."
  example     = "terraform import aws_s3_bucket.logs acme-logs"
}

command "terraform-workspace-delete" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["workspace", "delete"]
  description = "Deletes a workspace and its state."
  why         = "With `-force` the resources it tracked stay running with no state to manage them."
  example     = "terraform workspace delete -force staging"
}

command "terraform-force-unlock" {
  programs    = ["terraform", "tofu", "terragrunt"]
  words       = ["force-unlock"]
  description = "Removes another run's lock on the state."
  why         = "Two applies at once corrupt the state; the lock is there because someone else is applying."
  example     = "terraform force-unlock 6f5e6b6c"
}

# ---- CloudFormation -------------------------------------------------------

command "aws-cloudformation-delete-stack" {
  programs    = ["aws"]
  words       = ["cloudformation", "delete-stack"]
  description = "Deletes a stack and every resource it manages."
  why         = "Everything in the stack goes at once, databases included unless their DeletionPolicy retains them."
  example     = "aws cloudformation delete-stack --stack-name orders"
}

command "aws-cloudformation-execute-change-set" {
  programs    = ["aws"]
  words       = ["cloudformation", "execute-change-set"]
  description = "Executes a change set: its deletes and replacements happen."
  why         = "The guard describes the change set (`aws cloudformation describe-change-set`, nested stacks too, in the hook's environment) and judges it by the policy: it runs when nothing in it needs approval. Held when something does, when the command line does not name it (`--change-set-name` with `--stack-name`, or an ARN), or when it cannot be described."
  example     = "aws cloudformation execute-change-set --change-set-name pr-7 --stack-name orders"
}

command "aws-cloudformation-deploy" {
  programs    = ["aws"]
  words       = ["cloudformation", "deploy"]
  unless      = ["--no-execute-changeset"]
  description = "Creates and executes a change set in one step (unless --no-execute-changeset)."
  why         = "Nobody sees the change set before it runs. With --no-execute-changeset it only creates one, which plangate can then judge."
  example     = "aws cloudformation deploy --template-file template.yaml --stack-name orders"
}

command "aws-cloudformation-update-stack" {
  programs    = ["aws"]
  words       = ["cloudformation", "update-stack"]
  description = "Updates a stack directly, with no change set to review."
  why         = "Replacements and deletes happen without anyone seeing them first."
  example     = "aws cloudformation update-stack --stack-name orders --template-body file://template.yaml"
}

# ---- AWS calls that destroy data directly ----------------------------------

command "aws-s3-rb" {
  programs    = ["aws"]
  words       = ["s3", "rb"]
  description = "Removes a bucket (with --force, after deleting every object in it)."
  why         = "Bucket contents are gone for good unless versioning and replication kept them."
  example     = "aws s3 rb s3://acme-logs --force"
}

command "aws-s3-rm-recursive" {
  programs    = ["aws"]
  words       = ["s3", "rm"]
  flags       = ["--recursive"]
  description = "Deletes every object under a prefix."
  why         = "One wrong prefix empties a bucket."
  example     = "aws s3 rm s3://acme-logs/ --recursive"
}

command "aws-s3api-delete-bucket" {
  programs    = ["aws"]
  words       = ["s3api", "delete-bucket"]
  description = "Deletes a bucket."
  why         = "As aws-s3-rb."
  example     = "aws s3api delete-bucket --bucket acme-logs"
}

command "aws-rds-delete-db-instance" {
  programs    = ["aws"]
  words       = ["rds", "delete-db-instance"]
  description = "Deletes a database instance."
  why         = "With --skip-final-snapshot the data is gone; without it, the service is down until someone restores."
  example     = "aws rds delete-db-instance --db-instance-identifier orders --skip-final-snapshot"
}

command "aws-rds-delete-db-cluster" {
  programs    = ["aws"]
  words       = ["rds", "delete-db-cluster"]
  description = "Deletes an Aurora or Multi-AZ database cluster."
  why         = "As aws-rds-delete-db-instance."
  example     = "aws rds delete-db-cluster --db-cluster-identifier orders --skip-final-snapshot"
}

command "aws-dynamodb-delete-table" {
  programs    = ["aws"]
  words       = ["dynamodb", "delete-table"]
  description = "Deletes a table and its items."
  why         = "The items are gone unless point-in-time recovery or a backup kept them."
  example     = "aws dynamodb delete-table --table-name orders"
}

command "aws-ec2-terminate-instances" {
  programs    = ["aws"]
  words       = ["ec2", "terminate-instances"]
  description = "Terminates instances; their instance-store and delete-on-termination volumes go with them."
  why         = "A terminated instance cannot be started again."
  example     = "aws ec2 terminate-instances --instance-ids i-0123456789abcdef0"
}

command "aws-ec2-delete-volume" {
  programs    = ["aws"]
  words       = ["ec2", "delete-volume"]
  description = "Deletes an EBS volume."
  why         = "Its data is gone unless a snapshot kept it."
  example     = "aws ec2 delete-volume --volume-id vol-0123456789abcdef0"
}

command "aws-kms-schedule-key-deletion" {
  programs    = ["aws"]
  words       = ["kms", "schedule-key-deletion"]
  description = "Schedules a KMS key for deletion."
  why         = "Everything encrypted under the key becomes unreadable for good once the waiting period ends."
  example     = "aws kms schedule-key-deletion --key-id alias/orders --pending-window-in-days 7"
}

command "aws-eks-delete-cluster" {
  programs    = ["aws"]
  words       = ["eks", "delete-cluster"]
  description = "Deletes a Kubernetes cluster's control plane."
  why         = "Every workload on it stops."
  example     = "aws eks delete-cluster --name prod"
}

command "aws-efs-delete-file-system" {
  programs    = ["aws"]
  words       = ["efs", "delete-file-system"]
  description = "Deletes a file system and its data."
  why         = "Its data is gone unless a backup kept it."
  example     = "aws efs delete-file-system --file-system-id fs-0123456789abcdef0"
}

command "aws-elasticache-delete-replication-group" {
  programs    = ["aws"]
  words       = ["elasticache", "delete-replication-group"]
  description = "Deletes a Redis or Valkey replication group."
  why         = "Its data is gone unless a final snapshot kept it."
  example     = "aws elasticache delete-replication-group --replication-group-id sessions"
}

command "aws-route53-delete-hosted-zone" {
  programs    = ["aws"]
  words       = ["route53", "delete-hosted-zone"]
  description = "Deletes a DNS zone."
  why         = "Every name in it stops resolving."
  example     = "aws route53 delete-hosted-zone --id Z0123456789"
}

command "aws-secretsmanager-delete-secret" {
  programs    = ["aws"]
  words       = ["secretsmanager", "delete-secret"]
  description = "Deletes a secret (at once, with --force-delete-without-recovery)."
  why         = "Whatever reads the secret fails, and a forced delete cannot be undone."
  example     = "aws secretsmanager delete-secret --secret-id orders/db --force-delete-without-recovery"
}

command "aws-logs-delete-log-group" {
  programs    = ["aws"]
  words       = ["logs", "delete-log-group"]
  description = "Deletes a log group and its events."
  why         = "Logs are evidence; an agent deleting them is the last thing to allow."
  example     = "aws logs delete-log-group --log-group-name /orders/api"
}

command "aws-ecr-delete-repository" {
  programs    = ["aws"]
  words       = ["ecr", "delete-repository"]
  description = "Deletes an image repository (with --force, its images)."
  why         = "Deployments that pull those images fail."
  example     = "aws ecr delete-repository --repository-name orders --force"
}

command "aws-lambda-delete-function" {
  programs    = ["aws"]
  words       = ["lambda", "delete-function"]
  description = "Deletes a function."
  why         = "What invokes it fails until it is deployed again."
  example     = "aws lambda delete-function --function-name orders-api"
}

command "aws-iam-delete-role" {
  programs    = ["aws"]
  words       = ["iam", "delete-role"]
  description = "Deletes an IAM role."
  why         = "Whatever assumes the role loses its access at once."
  example     = "aws iam delete-role --role-name orders-api"
}

# ---- CDK and Pulumi ---------------------------------------------------------

command "cdk-deploy" {
  programs    = ["cdk"]
  words       = ["deploy"]
  unless      = ["--no-execute"]
  description = "Synthesizes and deploys stacks, executing their change sets."
  why         = "Nobody sees the change set first. `cdk deploy --no-execute` only creates it; judge it with `plangate check`."
  example     = "npx cdk deploy --all --require-approval never"
}

command "cdk-destroy" {
  programs    = ["cdk"]
  words       = ["destroy"]
  description = "Deletes stacks and their resources."
  why         = "As aws-cloudformation-delete-stack."
  example     = "npx cdk destroy --force"
}

command "pulumi-up" {
  programs    = ["pulumi"]
  words       = ["up"]
  description = "Previews and applies a stack's changes (at once with --yes)."
  why         = "Its deletes and replacements are nobody's review; `pulumi preview` shows them."
  example     = "pulumi up --yes"
}

command "pulumi-update" {
  programs    = ["pulumi"]
  words       = ["update"]
  description = "`pulumi update` is `pulumi up`."
  why         = "As pulumi-up."
  example     = "pulumi update --yes"
}

command "pulumi-destroy" {
  programs    = ["pulumi"]
  words       = ["destroy"]
  description = "Deletes every resource of a stack."
  why         = "As terraform-destroy."
  example     = "pulumi destroy --yes"
}

# ---- More that deletes in bulk ----------------------------------------------

command "aws-s3-sync-delete" {
  programs    = ["aws"]
  words       = ["s3", "sync"]
  flags       = ["--delete"]
  description = "Syncs a prefix and deletes every object the source does not have."
  why         = "Synced from the wrong (or an empty) directory, it empties the bucket."
  example     = "aws s3 sync ./site s3://acme-site --delete"
}

command "aws-s3api-delete-objects" {
  programs    = ["aws"]
  words       = ["s3api", "delete-objects"]
  description = "Deletes up to 1,000 objects in one call."
  why         = "As aws-s3-rm-recursive, a thousand at a time."
  example     = "aws s3api delete-objects --bucket acme-logs --delete file://keys.json"
}

command "aws-cloudformation-delete-stack-set" {
  programs    = ["aws"]
  words       = ["cloudformation", "delete-stack-set"]
  description = "Deletes a stack set (its instances first, with delete-stack-instances)."
  why         = "One call removes a stack from every account and region it was deployed to."
  example     = "aws cloudformation delete-stack-set --stack-set-name baseline"
}

command "aws-cloudformation-delete-stack-instances" {
  programs    = ["aws"]
  words       = ["cloudformation", "delete-stack-instances"]
  description = "Deletes a stack set's stacks in the accounts and regions named."
  why         = "As aws-cloudformation-delete-stack, across accounts at once."
  example     = "aws cloudformation delete-stack-instances --stack-set-name baseline --accounts 111111111111 --regions eu-west-1 --no-retain-stacks"
}

command "pulumi-stack-rm" {
  programs    = ["pulumi"]
  words       = ["stack", "rm"]
  description = "Removes a stack and its state (with --force, while it still has resources)."
  why         = "The resources stay running with no state to manage them, as terraform-state-rm."
  example     = "pulumi stack rm prod --force"
}
