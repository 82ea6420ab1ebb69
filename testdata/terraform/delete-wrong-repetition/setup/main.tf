resource "terraform_data" "node" {
  count = 2
  input = "node-${count.index}"
}
