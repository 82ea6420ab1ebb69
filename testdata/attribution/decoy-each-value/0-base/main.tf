locals {
  sites = jsondecode(file("${path.module}/sites.json"))
}

resource "terraform_data" "site" {
  for_each         = local.sites
  input            = each.key
  triggers_replace = each.value.revision
}
