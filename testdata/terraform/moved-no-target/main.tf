resource "terraform_data" "app" {
  input = "app"
}

# The target has no resource block.
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
