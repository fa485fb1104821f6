# A small, realistic layout: two API Management services built from one local module, and a
# sandbox service declared directly. lensix judges every one of them.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "api" {
  name     = "rg-${var.environment}-api"
  location = var.location
  tags     = local.tags
}

locals {
  tags = {
    environment = var.environment
    owner       = "platform-team"
  }
}

# Insecure: the partner gateway was created before the team used Key Vault, with no identity.
module "partner_gateway" {
  source = "./modules/apim"

  name                = "apim-${var.environment}-partners"
  resource_group_name = azurerm_resource_group.api.name
  location            = azurerm_resource_group.api.location
  identity_type       = "None"
  tags                = local.tags
}

# Fixed: the internal gateway has a system-assigned identity and reads secrets from Key Vault.
module "internal_gateway" {
  source = "./modules/apim"

  name                = "apim-${var.environment}-internal"
  resource_group_name = azurerm_resource_group.api.name
  location            = azurerm_resource_group.api.location
  identity_type       = "SystemAssigned"
  tags                = local.tags
}

# lensix:ignore[apimgmt_nomanagedidentity] sandbox for load tests, deleted every night; holds no secrets
resource "azurerm_api_management" "sandbox" {
  name                = "apim-${var.environment}-sandbox"
  location            = azurerm_resource_group.api.location
  resource_group_name = azurerm_resource_group.api.name
  publisher_name      = "Platform Team"
  publisher_email     = "platform@example.com"
  sku_name            = "Developer_1"
}
