terraform {
  source = "../../modules/app"

  extra_arguments "env" {
    commands           = ["plan", "apply"]
    required_var_files = ["${get_terragrunt_dir()}/env.tfvars"]
  }
}
