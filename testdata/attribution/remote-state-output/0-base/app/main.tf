data "terraform_remote_state" "net" {
  backend = "local"
  config = {
    path = "../network/terraform.tfstate"
  }
}

resource "terraform_data" "db" {
  triggers_replace = data.terraform_remote_state.net.outputs.db_version
}
