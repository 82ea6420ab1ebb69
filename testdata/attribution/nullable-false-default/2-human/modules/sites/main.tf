variable "extra" {
  type     = map(string)
  nullable = false
  default  = {}
}

resource "terraform_data" "site" {
  for_each = merge({ alpha = "a" }, var.extra)
  input    = "site-${each.value}"
}
