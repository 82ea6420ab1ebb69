resource "terraform_data" "app" {
  input            = "app"
  triggers_replace = "release-2"

  lifecycle {
    create_before_destroy = true
  }
}
