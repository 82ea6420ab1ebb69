locals {
  major = 3
}

output "version" {
  value = "v${local.major}"
}
