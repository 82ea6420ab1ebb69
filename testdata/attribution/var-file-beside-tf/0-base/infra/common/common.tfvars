db_version = "14"
