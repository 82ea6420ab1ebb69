resource "terraform_data" "old_name" {
  input = "renamed"
}

resource "terraform_data" "single" {
  input = "now keyed"
}
