resource "terraform_data" "db" {
  input            = "orders"
  triggers_replace = ["v1"]
}
