variable "replicas" {
  default = 3
}

resource "terraform_data" "replica" {
  count = var.replicas
  input = "replica-${count.index}"
}
