resource "terraform_data" "uploads" {
  input = "uploads" # user files
}

resource "terraform_data" "archive" {
  input = "archive"
}
