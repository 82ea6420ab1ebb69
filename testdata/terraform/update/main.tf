resource "terraform_data" "config" {
  input = "config-v2"
}
