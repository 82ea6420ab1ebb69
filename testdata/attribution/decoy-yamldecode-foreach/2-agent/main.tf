resource "terraform_data" "site" {
  for_each = yamldecode(file("${path.module}/sites.yaml"))
  input    = each.value.domain

  # One per entry in sites.yaml.
}
