resource "terraform_data" "web" {
  input = "web-v1"
}
