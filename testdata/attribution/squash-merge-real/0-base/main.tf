resource "terraform_data" "uploads" {
  input = "uploads"
}

resource "terraform_data" "archive" {
  input = "archive"
}
