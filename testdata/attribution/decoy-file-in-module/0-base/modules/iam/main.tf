resource "terraform_data" "policy" {
  input            = "app-policy"
  triggers_replace = file("${path.module}/policy.json")
}
