resource "azurerm_resource_group" "rg" {
  name     = "rg-ref"
  location = "northeurope"
}

data "azurerm_client_config" "current" {}

resource "azurerm_api_management" "this" {
  name                = "apim-${azurerm_resource_group.rg.name}"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  publisher_email     = data.azurerm_client_config.current.tenant_id
  publisher_name      = azurerm_resource_group.rg.id
  tags = {
    rg = azurerm_resource_group.rg.name
  }
}
