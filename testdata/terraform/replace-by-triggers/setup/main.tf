resource "terraform_data" "config" {
  input = "config-v1"
}

resource "terraform_data" "app" {
  input = "app"

  lifecycle {
    replace_triggered_by = [terraform_data.config]
  }
}
