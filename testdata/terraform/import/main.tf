# terraform_data supports import: the id becomes the object's id.
import {
  to = terraform_data.adopted
  id = "fixture-import-id-adopted"
}

# Imported and unchanged: importing with actions ["no-op"].
resource "terraform_data" "adopted" {
}

import {
  to = terraform_data.adopted_and_updated
  id = "fixture-import-id-updated"
}

# Imported and then updated in place: importing with actions ["update"].
resource "terraform_data" "adopted_and_updated" {
  input = "set after import"
}
