resource "terraform_data" "worker" {
  count = 1
  input = "worker-${count.index}"
}
