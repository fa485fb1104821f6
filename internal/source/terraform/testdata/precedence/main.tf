variable "identity_type" {
  type    = string
  default = "from-default"
}

variable "ids" {
  type    = list(string)
  default = []
}

resource "azurerm_api_management" "this" {
  name = "apim"
  identity {
    type         = var.identity_type
    identity_ids = var.ids
  }
}
