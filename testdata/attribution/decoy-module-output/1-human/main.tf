module "settings" {
  source = "./modules/settings"
}

resource "terraform_data" "app" {
  input            = "app" # rebuilt when the settings' version moves
  triggers_replace = module.settings.version
}
