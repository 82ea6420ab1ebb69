enable_reports = true
