variable "env" {
  type = string
}

variable "enable_cache" {
  type    = bool
  default = true
}

resource "terraform_data" "cache" {
  count = var.enable_cache ? 1 : 0
  input = "${var.env}-cache"
}

resource "terraform_data" "web" {
  input = "${var.env}-web"
}
