output "db_version" {
  value = "14"
}
