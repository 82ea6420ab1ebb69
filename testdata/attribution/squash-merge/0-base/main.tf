resource "terraform_data" "bucket" {
  input = "logs"
}

resource "terraform_data" "archive" {
  input = "archive"
}
