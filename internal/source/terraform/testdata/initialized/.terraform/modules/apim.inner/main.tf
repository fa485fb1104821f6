variable "name" {}

resource "azurerm_api_management" "inner" {
  name = "${var.name}-inner"
}
