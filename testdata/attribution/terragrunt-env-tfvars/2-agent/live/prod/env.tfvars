env          = "prod"
enable_cache = false
