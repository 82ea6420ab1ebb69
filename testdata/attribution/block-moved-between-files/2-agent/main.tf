locals {
  v = "2"
}
