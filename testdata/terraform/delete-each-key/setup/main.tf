resource "terraform_data" "site" {
  for_each = toset(["alpha", "beta", "gamma"])
  input    = each.key
}
