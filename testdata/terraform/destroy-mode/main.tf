resource "terraform_data" "app" {
  input = "app"
}

resource "terraform_data" "worker" {
  count = 2
  input = "worker-${count.index}"
}

module "cache" {
  source = "./modules/cache"
  name   = "cache"
}
