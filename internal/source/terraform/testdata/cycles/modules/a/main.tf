module "b" {
  source = "../b"
}

resource "azurerm_api_management" "a" {
  name = "apim-a"
}
