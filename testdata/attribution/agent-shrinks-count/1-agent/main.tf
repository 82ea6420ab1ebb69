variable "replicas" {
  default = 1
}

resource "terraform_data" "replica" {
  count = var.replicas
  input = "replica-${count.index}"
}
