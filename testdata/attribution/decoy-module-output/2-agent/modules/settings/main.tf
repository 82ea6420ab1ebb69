locals {
  major = 4
}

output "version" {
  value = "v${local.major}"
}
