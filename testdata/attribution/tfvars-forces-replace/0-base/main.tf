variable "db_engine_version" {
  type = string
}

variable "region" {
  type = string
}

module "db" {
  source         = "./modules/db"
  engine_version = var.db_engine_version
  region         = var.region
}
