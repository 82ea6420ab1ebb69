# The applied state: every value below is a secret of tests/secrets.rs and must
# never be printed by plangate, whichever key holds it.
resource "terraform_data" "vault" {
  input            = sensitive("pgsec-OldVaultRb7Wd2Kp")
  triggers_replace = "rotation-1"
}

resource "terraform_data" "legacy" {
  input = {
    name     = "pgsec-LegacyNameTz4Qm8"
    password = "pgsec-LegacyPassVx3Hn6"
  }
}

resource "terraform_data" "plain" {
  input = "pgsec-OldPlainJc5Ls1"
}
