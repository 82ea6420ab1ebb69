resource "terraform_data" "app" {
  input = "app"
}

removed {
  from = terraform_data.legacy

  lifecycle {
    destroy = false
  }
}
