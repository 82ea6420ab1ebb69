module "sites" {
  source = "./modules/sites"
  extra  = null
}
