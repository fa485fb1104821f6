variable "regions" {
  default = {
    west = "westeurope"
    north = "northeurope"
  }
}

resource "azurerm_api_management" "counted" {
  count    = 2
  name     = "apim-${count.index}"
  identity {
    type = count.index == 0 ? "SystemAssigned" : "None"
  }
}

resource "azurerm_api_management" "none" {
  count = 0
  name  = "never"
}

resource "azurerm_api_management" "regional" {
  for_each = var.regions
  name     = "apim-${each.key}"
  location = each.value
}

resource "azurerm_api_management" "set" {
  for_each = toset(["a"])
  name     = "apim-set-${each.value}"
}

resource "azurerm_api_management" "unknown_count" {
  count = length(data.azurerm_subscriptions.all.subscriptions)
  name  = "apim-unknown-${count.index}"
}

resource "azurerm_api_management" "unknown_each" {
  for_each = data.azurerm_resources.all.resources
  name     = each.key
  location = "westeurope"
}
