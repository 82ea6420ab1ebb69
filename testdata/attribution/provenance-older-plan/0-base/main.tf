resource "terraform_data" "app" {
  input = "app-1"
}

resource "terraform_data" "db" {
  input = "db"
}

resource "terraform_data" "cache" {
  input = "cache"
}
