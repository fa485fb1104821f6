locals {
  a = local.b
  b = local.a
}

resource "azurerm_api_management" "this" {
  name = local.a
}
