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

resource "azurerm_resource_group" "counted" {
  count    = 2
  name     = "rg-counted-${count.index}"
  location = "swedencentral"
}

resource "azurerm_resource_group" "regional" {
  for_each = toset(["west", "east"])
  name     = "rg-${each.key}"
  location = "${each.value}europe"
}

resource "azurerm_api_management" "indexed" {
  name                = azurerm_resource_group.counted[1].name
  location            = azurerm_resource_group.regional["west"].location
  resource_group_name = azurerm_resource_group.counted[0].name
  publisher_name      = length(azurerm_resource_group.counted)
  publisher_email     = azurerm_resource_group.counted[0].id
}
