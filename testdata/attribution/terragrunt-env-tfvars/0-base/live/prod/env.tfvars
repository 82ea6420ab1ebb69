env          = "prod"
enable_cache = true
