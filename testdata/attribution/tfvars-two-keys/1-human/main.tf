variable "databases" {
  type    = map(object({ size = number }))
  default = {}
}

resource "terraform_data" "database" {
  for_each = var.databases
  input    = each.value.size
}
