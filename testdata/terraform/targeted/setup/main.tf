resource "terraform_data" "app" {
  input = "app-v1"
}

resource "terraform_data" "db" {
  input = "db-v1"
}
