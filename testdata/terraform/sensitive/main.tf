# The secret below must never be printed by plangate. Terraform does NOT redact it
# in plan JSON: it appears in variables, change.before/after, prior_state and
# output_changes; only the *_sensitive masks mark it.
variable "db_password" {
  type      = string
  sensitive = true
  default   = "plangate-fixture-secret-7f3a"
}

# Updated in place (input.password changes).
resource "terraform_data" "db_config" {
  input = {
    username = "app"
    password = var.db_password
  }
}

# Replaced (triggers_replace is the secret).
resource "terraform_data" "db_password_rotation" {
  triggers_replace = var.db_password
}

output "db_password" {
  value     = var.db_password
  sensitive = true
}
