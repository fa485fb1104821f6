module "apim" {
  source  = "Azure/avm-res-apimanagement-service/azurerm"
  version = "0.0.1"
  name    = "apim-remote"
}

module "network" {
  source = "git::https://example.com/network.git"
}

resource "azurerm_api_management" "local" {
  name = module.apim.name
}
