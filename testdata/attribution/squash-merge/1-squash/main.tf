resource "terraform_data" "bucket" {
  input = "logs"
}
