# OpenTofu can encrypt state and plan files (1.7+; a variable in the
# encryption block, as below, needs 1.8+). With plan encryption on,
# `tofu plan -out=tfplan` writes an encrypted plan: plangate refuses it (it
# cannot read it, and will not guess), so the workflow turns it into JSON with
# `tofu show -json`, which decrypts with the same key.
#
# The example keeps encryption off so that it plans anywhere. To turn it on,
# uncomment this and give the passphrase to the workflow as the secret
# TOFU_PASSPHRASE (see ../.github/workflows/plangate.yml and ../README.md).
#
# variable "passphrase" {
#   type      = string
#   sensitive = true
# }
#
# terraform {
#   encryption {
#     key_provider "pbkdf2" "main" {
#       passphrase = var.passphrase
#     }
#     method "aes_gcm" "main" {
#       keys = key_provider.pbkdf2.main
#     }
#     state {
#       method = method.aes_gcm.main
#     }
#     plan {
#       method = method.aes_gcm.main
#     }
#   }
# }
