variable "name" {
  type = string
}

variable "identity_type" {
  type    = string
  default = "SystemAssigned"
}

resource "azurerm_api_management" "this" {
  name = var.name
  identity {
    type = var.identity_type
  }
}

output "name" {
  value = azurerm_api_management.this.name
}
