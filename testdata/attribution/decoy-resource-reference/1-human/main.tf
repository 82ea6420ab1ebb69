resource "terraform_data" "source" {
  input = "release-41"
}

resource "terraform_data" "app" {
  # Rebuilt on every release.
  input            = "app"
  triggers_replace = terraform_data.source.output
}
