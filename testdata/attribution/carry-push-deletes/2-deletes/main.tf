resource "terraform_data" "orders_db" {
  input            = "postgres"
  triggers_replace = ["engine-16"]
}
