resource "azurerm_api_management" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  publisher_name      = "Platform Team"
  publisher_email     = "platform@example.com"
  sku_name            = var.sku_name
  tags                = var.tags

  # An identity block only when one is wanted: "None" leaves the service without an identity.
  dynamic "identity" {
    for_each = var.identity_type == "None" ? [] : [var.identity_type]
    content {
      type         = identity.value
      identity_ids = var.identity_ids
    }
  }
}
