resource "terraform_data" "app" {
  input = "app-v2"
}
