db_engine_version = "15"
region            = "eu-west-1"
