resource "terraform_data" "b" {
  input = "b-2"
}
