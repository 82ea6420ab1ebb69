resource "terraform_data" "app" {
  input            = "app"
  triggers_replace = "release-1"

  lifecycle {
    create_before_destroy = true
  }
}
