variable "size" {
  type    = string
  default = "medium"
}

removed {
  from = terraform_data.logs

  lifecycle {
    destroy = false
  }
}

resource "terraform_data" "queue" {
  input = "queue-${var.size}"
}
