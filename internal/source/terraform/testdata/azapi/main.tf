resource "azapi_resource" "hcl_body" {
  type      = "Microsoft.ApiManagement/service@2024-05-01"
  name      = "apim-hcl"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-azapi"
  location  = "westeurope"
  body = {
    identity = {
      type = "SystemAssigned"
    }
    sku = { name = "Developer", capacity = 1 }
    properties = {
      publisherEmail = "ops@contoso.example"
      publisherName  = "Contoso"
    }
  }
}

resource "azapi_resource" "jsonencode_body" {
  type      = "Microsoft.ApiManagement/service@2021-08-01"
  name      = "apim-jsonencode"
  parent_id = azapi_resource.rg.id
  body = jsonencode({
    identity = {
      type = "UserAssigned"
      userAssignedIdentities = { "/subscriptions/0/id1" = {} }
    }
    properties = {
      publisherEmail = azapi_resource.rg.output.email
    }
  })
}

resource "azapi_resource" "identity_block" {
  type      = "Microsoft.ApiManagement/service@2023-05-01-preview"
  name      = "apim-block"
  parent_id = "/subscriptions/0/resourceGroups/rg-block"
  identity {
    type = "SystemAssigned"
  }
  body = {
    properties = { publisherEmail = "ops@contoso.example" }
  }
}

resource "azapi_resource" "json_string" {
  type = "Microsoft.ApiManagement/service@2021-08-01"
  name = "apim-string"
  body = <<JSON
{"properties": {"publisherEmail": "a@b.example"}, "sku": {"name": "Basic", "capacity": 1}}
JSON
}

resource "azapi_resource" "rg" {
  type = "Microsoft.Resources/resourceGroups@2021-04-01"
  name = "rg-azapi"
}

resource "azapi_resource" "gateway" {
  type      = "Microsoft.ApiManagement/service/gateways@2021-08-01"
  name      = "gw"
  parent_id = azapi_resource.hcl_body.id
}
