# Runs in the work dir after the setup apply.
terraform taint -no-color terraform_data.app
