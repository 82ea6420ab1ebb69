variable "replicas" {
  default = 3
}

resource "terraform_data" "replica" {
  # One replica per availability zone.
  count = var.replicas
  input = "replica-${count.index}"
}
