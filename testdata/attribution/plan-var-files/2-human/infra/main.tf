variable "enable_reports" {
  type    = bool
  default = true
}

resource "terraform_data" "reports" {
  count = var.enable_reports ? 1 : 0
  input = "reports"
}

resource "terraform_data" "api" {
  input = "api"
}
