resource "terraform_data" "worker" {
  input = "worker"
}

output "worker_id" {
  value = terraform_data.worker.id
}
