resource "terraform_data" "old_name" {
  input = "moved away"
}

resource "terraform_data" "app" {
  input = "app"
}
