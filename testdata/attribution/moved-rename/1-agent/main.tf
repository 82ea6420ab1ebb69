moved {
  from = terraform_data.db
  to   = terraform_data.orders_db
}

resource "terraform_data" "orders_db" {
  input            = "orders"
  triggers_replace = ["v2"]
}
