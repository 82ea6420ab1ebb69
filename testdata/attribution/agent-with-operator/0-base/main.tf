resource "terraform_data" "api" {
  input = "api"
}

resource "terraform_data" "cache" {
  input = "cache"
}
