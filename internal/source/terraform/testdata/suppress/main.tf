# lensix:ignore[apimgmt_nomanagedidentity] internal test instance, removed weekly
resource "azurerm_api_management" "ignored" {
  name = "apim-ignored"
}
