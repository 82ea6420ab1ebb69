variable "db_version" {
  type        = string
  description = "Major version of the database"
}

resource "terraform_data" "db" {
  triggers_replace = var.db_version
}
