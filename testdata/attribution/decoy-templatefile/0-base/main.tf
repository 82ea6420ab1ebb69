resource "terraform_data" "web" {
  input = "web"
  triggers_replace = templatefile("${path.module}/init.tftpl", {
    name = "web"
    port = 8080
  })
}
