resource "terraform_data" "a" {
  input = "a"
}

resource "terraform_data" "b" {
  input = "b-2"
}

resource "terraform_data" "c" {
  input = "c"
}
