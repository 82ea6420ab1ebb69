resource "terraform_data" "db" {
  input            = "orders-db"
  triggers_replace = jsondecode(file("${path.module}/db.json")).version
}
