resource "terraform_data" "worker" {
  input            = "worker" # batch jobs
  triggers_replace = [for f in fileset(path.module, "scripts/*.sh") : filesha256("${path.module}/${f}")]
}
