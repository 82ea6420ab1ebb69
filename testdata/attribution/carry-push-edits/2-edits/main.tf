resource "terraform_data" "cache" {
  input = "redis-7"
}

resource "terraform_data" "orders_db" {
  input            = "postgres-tuned"
  triggers_replace = ["engine-16"]
}
