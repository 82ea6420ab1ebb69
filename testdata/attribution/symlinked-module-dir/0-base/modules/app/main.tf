resource "terraform_data" "web" {
  input = "web"
}

resource "terraform_data" "queue" {
  input = "queue"
}
