variable "name" {
  type = string
}

resource "azurerm_api_management" "this" {
  count = 2
  name  = "${var.name}-${count.index}"
  identity {
    type = "SystemAssigned"
  }
}

module "inner" {
  source = "git::https://example.com/inner.git"
  name   = var.name
}
