# Prior state for modules-nested: module.a has one instance per awkward key.
module "a" {
  source   = "./modules/outer"
  for_each = {
    "dot.key"                      = { inner_count = 1, release = "r1", tags = {} }
    "space key"                    = { inner_count = 1, release = "r1", tags = {} }
    "quote\"key"                   = { inner_count = 1, release = "r1", tags = { "back\\slash" = "v1" } }
    "ünïcødé-ключ"                 = { inner_count = 2, release = "r1", tags = {} }
    "module.fake.terraform_data.x" = { inner_count = 1, release = "r1", tags = {} }
  }

  name        = each.key
  inner_count = each.value.inner_count
  release     = each.value.release
  tags        = each.value.tags
}

resource "terraform_data" "weird" {
  for_each = {
    "module.fake.terraform_data.x" = "v1"
  }
  input = each.value
}
