# The change set's StackName names its template (the JSON beside it is a twin).
stack "orders" {
  template = "stacks/orders/template.yaml"
}

rule "every-destroy" {
  description = "Every destructive change, so that the tests see its attribution"
  severity    = "info"
  match {
    actions = ["delete", "replace", "forget"]
  }
}
