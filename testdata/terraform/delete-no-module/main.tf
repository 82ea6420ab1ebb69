module "worker" {
  source = "./modules/worker"
  count  = 1
  name   = "worker-${count.index}"
}
