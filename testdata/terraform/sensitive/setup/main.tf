variable "db_password" {
  type      = string
  sensitive = true
  default   = "plangate-fixture-old-secret-0c1d"
}

resource "terraform_data" "db_config" {
  input = {
    username = "app"
    password = var.db_password
  }
}

resource "terraform_data" "db_password_rotation" {
  triggers_replace = var.db_password
}

output "db_password" {
  value     = var.db_password
  sensitive = true
}
