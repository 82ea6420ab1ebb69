variable "name" {
  type = string
}

resource "terraform_data" "node" {
  input = var.name
}
