resource "terraform_data" "new_name" {
  input = "renamed"
}

moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}

resource "terraform_data" "keyed" {
  for_each = toset(["primary"])
  input    = "now keyed"
}

moved {
  from = terraform_data.single
  to   = terraform_data.keyed["primary"]
}
