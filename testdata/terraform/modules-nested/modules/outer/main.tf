variable "name" {
  type = string
}

variable "inner_count" {
  type = number
}

variable "release" {
  type = string
}

variable "tags" {
  type = map(string)
}

module "b" {
  source  = "../inner"
  count   = var.inner_count
  label   = "${var.name}/${count.index}"
  release = var.release
}

resource "terraform_data" "tag" {
  for_each = var.tags
  input    = each.value
}
