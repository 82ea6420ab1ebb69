resource "terraform_data" "app" {
  input = "app-v1"
}

# The orders database: its data lives here.
resource "terraform_data" "orders_db" {
  input = {
    engine  = "postgres"
    storage = 100
  }
}
