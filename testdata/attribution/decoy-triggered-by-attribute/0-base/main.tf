resource "terraform_data" "config" {
  input = "log_level=info"
}

resource "terraform_data" "app" {
  input = "app"

  lifecycle {
    replace_triggered_by = [terraform_data.config.output]
  }
}
