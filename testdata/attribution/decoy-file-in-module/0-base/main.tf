module "iam" {
  source = "./modules/iam"
}
