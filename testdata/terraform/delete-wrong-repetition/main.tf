resource "terraform_data" "node" {
  for_each = toset(["blue", "green"])
  input    = "node-${each.key}"
}
