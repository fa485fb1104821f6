# lensix:ignore[apimgmt_nomanagedidentity] internal test instance, removed weekly
resource "azurerm_api_management" "ignored" {
  name = "apim-ignored"
}

resource "azurerm_resource_group" "rg" {
  name = "rg"
}

# Owned by the platform team.
// lensix:ignore[apimgmt_nomanagedidentity,other_check] identity is added by policy
resource "azurerm_api_management" "two_comments" {
  name = "apim-two"
}

resource "azurerm_api_management" "same_line" { # lensix:ignore[apimgmt_nomanagedidentity] legacy
  name = "apim-same-line"
}

resource "azurerm_api_management" "none" {
  name = "apim-none"
}
