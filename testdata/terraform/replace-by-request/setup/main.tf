resource "terraform_data" "app" {
  input = "app"
}

resource "terraform_data" "db" {
  input = "db"
}
