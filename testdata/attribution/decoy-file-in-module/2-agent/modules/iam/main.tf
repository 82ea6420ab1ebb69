resource "terraform_data" "policy" {
  # Replaced when policy.json changes.
  input            = "app-policy"
  triggers_replace = file("${path.module}/policy.json")
}
