variable "name" {}

resource "terraform_data" "queue" {
  input = "queue-${var.name}"
}

resource "terraform_data" "dead_letters" {
  input = "dlq-${var.name}"
}
