resource "terraform_data" "ledger" {
  input = "ledger"
}
