output "db_version" {
  value = "15"
}
