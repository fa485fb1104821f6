module "apim" {
  source        = "./modules/apim"
  name          = "apim-single"
  identity_type = "UserAssigned"
}

module "regional" {
  source   = "./modules/apim"
  for_each = { west = "SystemAssigned", east = "None" }
  name     = "apim-${each.key}"
  identity_type = each.value
}

module "defaulted" {
  source = "./modules/apim"
  name   = "apim-defaulted"
}

resource "azurerm_api_management" "consumer" {
  name = "${module.apim.name}-consumer"
}

module "unknown_count" {
  source = "./modules/apim"
  count  = length(data.azurerm_resources.all.resources)
  name   = "apim-unknown-count"
}

variable "root_name" {
  type    = string
  default = "apim-from-root"
}

module "from_root_default" {
  source = "./modules/apim"
  name   = var.root_name
}
