variable "policy_path" {
  type    = string
  default = "policies/app.json"
}

resource "terraform_data" "policy" {
  input            = "app" # the queue writer
  triggers_replace = file(var.policy_path)
}
