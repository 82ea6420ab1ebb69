module "queue" {
  source = "./modules/queue"
  name   = "orders"
}

resource "terraform_data" "api" {
  input = "api"
}
