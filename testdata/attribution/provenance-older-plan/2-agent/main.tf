resource "terraform_data" "app" {
  input = "app-2"
}

resource "terraform_data" "cache" {
  input = "cache"
}

resource "terraform_data" "queue" {
  input = "queue"
}
