resource "terraform_data" "config" {
  input = "config-v2"
}

resource "terraform_data" "guarded" {
  input = "guarded"

  lifecycle {
    precondition {
      condition     = terraform_data.config.input == "config-v1"
      error_message = "Fixture precondition fails on purpose."
    }
  }
}
