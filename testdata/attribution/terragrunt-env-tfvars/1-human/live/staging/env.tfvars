env          = "staging"
enable_cache = false
