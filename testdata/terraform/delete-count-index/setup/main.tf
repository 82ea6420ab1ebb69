resource "terraform_data" "worker" {
  count = 3
  input = "worker-${count.index}"
}
