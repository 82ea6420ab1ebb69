# Planned with -refresh-only: the rename is recorded as drift (["no-op"] with
# previous_address), the new output appears in output_changes, and the new
# resource and the changed input are NOT planned (no resource_changes).
resource "terraform_data" "new_name" {
  input = "renamed"
}

moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}

resource "terraform_data" "stable" {
  input = "changed but not planned"
}

resource "terraform_data" "not_created" {
  input = "not planned in refresh-only mode"
}

output "stable_id" {
  value = terraform_data.stable.id
}
