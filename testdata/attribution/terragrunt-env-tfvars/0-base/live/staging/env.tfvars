env          = "staging"
enable_cache = true
