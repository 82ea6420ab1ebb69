variable "release" {
  type    = string
  default = "2"
}

variable "fail_provisioner" {
  type    = bool
  default = false
}

resource "terraform_data" "server" {
  triggers_replace = var.release
  input            = "server release ${var.release}"

  lifecycle {
    create_before_destroy = true
  }

  provisioner "local-exec" {
    command = var.fail_provisioner ? "exit 1" : "true"
  }
}
