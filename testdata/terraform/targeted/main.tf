resource "terraform_data" "app" {
  input = "app-v2"
}

resource "terraform_data" "db" {
  input = "db-v2"
}
