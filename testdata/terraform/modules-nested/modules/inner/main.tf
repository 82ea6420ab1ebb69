variable "label" {
  type = string
}

variable "release" {
  type = string
}

resource "terraform_data" "c" {
  input            = var.label
  triggers_replace = var.release
}
