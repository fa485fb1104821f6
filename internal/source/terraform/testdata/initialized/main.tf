module "apim" {
  source  = "contoso/apim/azurerm"
  version = "1.0.0"
  name    = "apim-registry"
}
