resource "terraform_data" "network" {
  input = "10.0.0.0/16"
}
