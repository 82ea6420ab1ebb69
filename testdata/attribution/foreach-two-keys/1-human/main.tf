locals {
  dbs = {
    b = "large"
    c = "medium"
  }
}

resource "terraform_data" "x" {
  for_each = local.dbs
  input    = each.value
}
