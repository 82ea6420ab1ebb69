resource "terraform_data" "app" {
  input            = "app"
  triggers_replace = "release-2"
}
