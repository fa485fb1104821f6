resource "azurerm_api_management" "system" {
  name                = "apim-system"
  location            = "westeurope"
  resource_group_name = "rg-apim"
  publisher_name      = "Contoso"
  publisher_email     = "ops@contoso.example"
  sku_name            = "Developer_1"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_api_management" "user" {
  name     = "apim-user"
  sku_name = "Premium_2"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"]
  }
}

resource "azurerm_api_management" "both" {
  name = "apim-both"
  identity {
    type = "SystemAssigned, UserAssigned"
    identity_ids = [
      azurerm_user_assigned_identity.uai.id,
    ]
  }
}

resource "azurerm_api_management" "empty" {
  name = "apim-empty"
  identity {
  }
}

resource "azurerm_api_management" "absent" {
  name = "apim-absent"
}

resource "azurerm_user_assigned_identity" "uai" {
  name = "uai"
}
