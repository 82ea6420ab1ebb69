module "settings" {
  source = "./modules/settings"
}

resource "terraform_data" "app" {
  input            = "app"
  triggers_replace = module.settings.version
}
