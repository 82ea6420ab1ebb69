resource "terraform_data" "app" {
  input = "app"
}

module "cache" {
  source = "./modules/cache"
  name   = "cache"
}
