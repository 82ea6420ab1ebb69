# A plan is only as good as the state it is compared with. On a CI runner the
# local state is empty, so every resource would plan as a create and nothing
# could ever be destroyed: keep the state remote. Uncomment and fill in (any
# backend works the same way); the plan job only reads it (see ../README.md,
# "Read-only credentials for the plan").
#
# terraform {
#   backend "s3" {
#     bucket       = "<state-bucket>"
#     key          = "orders/terraform.tfstate"
#     region       = "<region>"
#     use_lockfile = true
#   }
# }
