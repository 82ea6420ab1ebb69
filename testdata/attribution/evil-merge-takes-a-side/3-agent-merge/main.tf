resource "terraform_data" "db" {
  input = "db-v2"
}
