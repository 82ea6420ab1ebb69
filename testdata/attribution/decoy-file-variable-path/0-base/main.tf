variable "policy_path" {
  type    = string
  default = "policies/app.json"
}

resource "terraform_data" "policy" {
  input            = "app"
  triggers_replace = file(var.policy_path)
}
