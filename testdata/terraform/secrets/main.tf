# Secrets for tests/secrets.rs: plangate promises to keep no value at all, so
# none of these strings may reach any output, whether Terraform marks them
# sensitive or not, and whether or not their key looks structural (`name`,
# `type`, `address`, `actions` are also keys of the plan's own structure).

# Replaced (triggers_replace changed); its input is sensitive.
resource "terraform_data" "vault" {
  input            = sensitive("pgsec-VaultSensitiveYq8Nf3")
  triggers_replace = "rotation-2"
}

# `legacy` is gone from the configuration: deleted; its old values are in
# `before` and `prior_state`.

# Updated in place with values in keys that look structural, none sensitive.
resource "terraform_data" "plain" {
  input = {
    name    = "pgsec-PlainNameKw2Zx7"
    type    = "pgsec-PlainTypeMd6Gu9"
    address = "pgsec-PlainAddressBs3Ye5"
    actions = ["pgsec-PlainActionHn8Tc4"]
    value   = "pgsec-PlainValueQp1Rv6"
  }
}
