resource "terraform_data" "config" {
  input = "workers=4"
}

resource "terraform_data" "app" {
  input = "app"

  lifecycle {
    replace_triggered_by = [terraform_data.config]
  }
}
