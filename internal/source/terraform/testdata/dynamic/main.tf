variable "identities" {
  type    = list(string)
  default = ["SystemAssigned"]
}

variable "no_identities" {
  type    = list(string)
  default = []
}

variable "unset" {
  type = list(string)
}

resource "azurerm_api_management" "known" {
  name = "apim-known"
  dynamic "identity" {
    for_each = var.identities
    content {
      type = identity.value
    }
  }
}

resource "azurerm_api_management" "none" {
  name = "apim-none"
  dynamic "identity" {
    for_each = var.no_identities
    iterator = id
    content {
      type = id.value
    }
  }
}

resource "azurerm_api_management" "unknown" {
  name = "apim-unknown"
  dynamic "identity" {
    for_each = var.unset
    content {
      type = identity.value
    }
  }
}
