resource "terraform_data" "db" {
  triggers_replace = local.v
}
