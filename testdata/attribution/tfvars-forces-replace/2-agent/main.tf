variable "db_engine_version" {
  type = string
}

variable "region" {
  type        = string
  description = "Where everything runs"
}

module "db" {
  source         = "./modules/db"
  engine_version = var.db_engine_version
  region         = var.region
}
