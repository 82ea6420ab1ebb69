resource "terraform_data" "db" {
  triggers_replace = trimspace(templatefile("${path.module}/tpl/db.tpl", {}))
}
