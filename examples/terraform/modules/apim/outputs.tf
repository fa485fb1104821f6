output "id" {
  value = azurerm_api_management.this.id
}

output "principal_id" {
  value = try(azurerm_api_management.this.identity[0].principal_id, null)
}
