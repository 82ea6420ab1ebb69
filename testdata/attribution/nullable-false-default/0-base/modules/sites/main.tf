variable "extra" {
  type     = map(string)
  nullable = false
  default  = { beta = "b" }
}

resource "terraform_data" "site" {
  for_each = merge({ alpha = "a" }, var.extra)
  input    = each.value
}
