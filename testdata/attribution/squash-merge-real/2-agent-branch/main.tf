resource "terraform_data" "uploads" {
  input = "uploads" # user files
}
