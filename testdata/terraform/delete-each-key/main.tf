resource "terraform_data" "site" {
  for_each = toset(["alpha", "gamma"])
  input    = each.key
}
