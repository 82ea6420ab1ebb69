# The plan infra/plan.json is made with these var files (paths from the repository root).
plan "infra/plan.json" {
  var_files = ["infra/envs/prod.tfvars"]
}

rule "every-destroy" {
  description = "Every destructive change, so that the tests see its attribution"
  severity    = "info"
  match {
    actions = ["delete", "replace", "forget"]
  }
}
