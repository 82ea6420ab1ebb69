resource "terraform_data" "api" {
  input = "api"
}
