locals {
  v = "1"
}
