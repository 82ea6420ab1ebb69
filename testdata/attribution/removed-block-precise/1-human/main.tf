variable "size" {
  type    = string
  default = "medium"
}

resource "terraform_data" "cache" {
  input = "cache-${var.size}"
}

resource "terraform_data" "logs" {
  input = "logs-${var.size}"
}

resource "terraform_data" "queue" {
  input = "queue-${var.size}"
}
