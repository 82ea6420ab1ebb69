resource "terraform_data" "app" {
  input = "app"
}

resource "terraform_data" "legacy" {
  input = "legacy"
}
