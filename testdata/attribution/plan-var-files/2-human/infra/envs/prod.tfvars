enable_reports = false
