locals {
  countries = yamldecode(file("countries.yaml")).countries
}

resource "terraform_data" "site" {
  for_each = local.countries
  input    = each.key
}
