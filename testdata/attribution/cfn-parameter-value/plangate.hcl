# The change set's StackName names its template and its parameter file.
stack "orders" {
  template   = "stacks/orders/template.yaml"
  parameters = "stacks/orders/prod-params.json"
}

rule "every-destroy" {
  description = "Every destructive change, so that the tests see its attribution"
  severity    = "info"
  match {
    actions = ["delete", "replace", "forget"]
  }
}
