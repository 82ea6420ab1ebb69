resource "terraform_data" "config" {
  input = "log_level=debug"
}

resource "terraform_data" "app" {
  input = "app" # the API server

  lifecycle {
    replace_triggered_by = [terraform_data.config.output]
  }
}
