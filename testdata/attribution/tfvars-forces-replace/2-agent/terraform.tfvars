db_engine_version = "16"
region            = "eu-west-1"
