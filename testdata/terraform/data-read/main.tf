# The data sources read this configuration's own local state file, which the
# setup apply wrote (path.root is ".").
resource "terraform_data" "seed" {
  input = "seed"
}

output "seed" {
  value = terraform_data.seed.output
}

resource "terraform_data" "state_path" {
  input = "${path.root}/terraform.tfstate"
}

# Config refers to a value known only after apply => read_because_config_unknown.
data "terraform_remote_state" "config_unknown" {
  backend = "local"
  config = {
    path = terraform_data.state_path.output
  }
}

# Config is known but depends_on a resource with pending changes
# => read_because_dependency_pending.
data "terraform_remote_state" "dependency_pending" {
  backend = "local"
  config = {
    path = "${path.root}/terraform.tfstate"
  }
  depends_on = [terraform_data.state_path]
}

# Read at plan time: does not appear in resource_changes at all.
data "terraform_remote_state" "plan_time" {
  backend = "local"
  config = {
    path = "${path.root}/terraform.tfstate"
  }
}

# Nested in a check block => read_because_check_nested.
check "seed_output" {
  data "terraform_remote_state" "check_nested" {
    backend = "local"
    config = {
      path = "${path.root}/terraform.tfstate"
    }
  }

  assert {
    condition     = data.terraform_remote_state.check_nested.outputs.seed == "seed"
    error_message = "The seed output is missing."
  }
}
