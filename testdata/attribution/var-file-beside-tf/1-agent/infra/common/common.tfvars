db_version = "15"
