resource "terraform_data" "web" {
  input = "web"
}
