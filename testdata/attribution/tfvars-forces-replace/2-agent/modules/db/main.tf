variable "engine_version" {}
variable "region" {}

locals {
  identity = "orders-${var.engine_version}"
}

resource "terraform_data" "instance" {
  input            = var.region
  triggers_replace = [local.identity]
}
