resource "terraform_data" "db" {
  input            = "orders"
  triggers_replace = jsondecode(file("${path.module}/db.json")).version
}
