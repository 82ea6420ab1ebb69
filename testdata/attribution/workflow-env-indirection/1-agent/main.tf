variable "db_version" {
  type = string
}

resource "terraform_data" "db" {
  triggers_replace = var.db_version
}
