# Planned configuration for modules-nested. Relative to setup/main.tf:
#   module.a["dot.key"]                      inner_count 1 -> 2       => create module.b[1]
#   module.a["space key"]                    release r1 -> r2         => replace module.b[0] (triggers_replace)
#   module.a["quote\"key"]                   tag value v1 -> v2       => update tag["back\\slash"]
#   module.a["ünïcødé-ключ"]                 inner_count 2 -> 1       => delete module.b[1] (no module)
#   module.a["module.fake.terraform_data.x"] key removed               => delete (no module)
#   module.a["new key"]                      key added                 => create
module "a" {
  source   = "./modules/outer"
  for_each = {
    "dot.key"      = { inner_count = 2, release = "r1", tags = {} }
    "space key"    = { inner_count = 1, release = "r2", tags = {} }
    "quote\"key"   = { inner_count = 1, release = "r1", tags = { "back\\slash" = "v2" } }
    "ünïcødé-ключ" = { inner_count = 1, release = "r1", tags = {} }
    "new key"      = { inner_count = 1, release = "r1", tags = {} }
  }

  name        = each.key
  inner_count = each.value.inner_count
  release     = each.value.release
  tags        = each.value.tags
}

# Root resource whose keys look like an address / like a count index.
#   weird["module.fake.terraform_data.x"]  v1 -> v2  => update
#   weird["0"]                             added     => create (string key "0", not index 0)
resource "terraform_data" "weird" {
  for_each = {
    "module.fake.terraform_data.x" = "v2"
    "0"                            = "zero"
  }
  input = each.value
}
