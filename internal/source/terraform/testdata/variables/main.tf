variable "identity_type" {
  type    = string
  default = "SystemAssigned"
}

variable "unset_type" {
  type = string
}

variable "unused" {
  default = "not referenced"
}

locals {
  type_upper = upper(local.type_lower)
  type_lower = lower(var.identity_type)
}

resource "azurerm_api_management" "from_default" {
  name = "apim-default"
  identity {
    type = var.identity_type
  }
}

resource "azurerm_api_management" "from_unset" {
  name = "apim-unset"
  identity {
    type = var.unset_type
  }
}

resource "azurerm_api_management" "from_locals" {
  name = "apim-${local.type_upper}"
  identity {
    type = var.identity_type == "SystemAssigned" ? "SystemAssigned" : "None"
  }
}

resource "azurerm_api_management" "from_function" {
  name = "apim-function"
  identity {
    type = cidrhost("10.0.0.0/8", 2)
  }
}

resource "azurerm_api_management" "from_undeclared" {
  name = "${var.identity_type}-${var.nowhere}-${var.elsewhere}"
}
