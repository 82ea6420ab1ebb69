locals {
  dbs = {
    a = "small"
    b = "large"
    c = "medium"
  }
}

resource "terraform_data" "x" {
  for_each = local.dbs
  input    = each.value
}
