variable "name" {
  type = string
}

resource "terraform_data" "instance" {
  input = var.name
}
