# A tiny configuration that plans anywhere: terraform_data is built into
# Terraform (1.4+), so it needs no provider download and no credentials.
# Each resource stands in for a real one (an aws_db_instance, an aws_ecs_service):
# replace them with your own configuration.

terraform {
  required_version = ">= 1.6"
}

variable "environment" {
  description = "The environment's name; changing it replaces the database."
  type        = string
  default     = "staging"
}

# The orders database. Its data lives here: deleting or replacing it is the
# kind of change plangate holds for review.
resource "terraform_data" "orders_db" {
  input = {
    engine  = "postgres"
    storage = 100
  }

  # A new environment name means a new database, as a real database's
  # identifier would.
  triggers_replace = [var.environment]
}

# The application, stateless: replacing it is cheap.
resource "terraform_data" "app" {
  input = {
    image    = "ghcr.io/example/orders:1.4.2"
    replicas = 2
  }
}

output "database" {
  value = terraform_data.orders_db.output
}
