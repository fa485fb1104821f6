package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// treeFile is the file gen_tf_tree.py writes (kept in step with it by hand).
const treeFile = `variable "name_%[1]d" {
  type    = string
  default = "apim-%[1]d"
}
locals {
  tags_%[1]d = { env = "prod", owner = "team-%[1]d" }
}
resource "azurerm_resource_group" "rg_%[1]d" {
  name     = "rg-%[1]d"
  location = "westeurope"
}
resource "azurerm_api_management" "apim_%[1]d" {
  name                = var.name_%[1]d
  location            = azurerm_resource_group.rg_%[1]d.location
  resource_group_name = azurerm_resource_group.rg_%[1]d.name
  publisher_name      = "Example Ops"
  publisher_email     = "ops@example.com"
  sku_name            = "Developer_1"
  tags                = local.tags_%[1]d
%[2]s}
resource "azurerm_storage_account" "sa_%[1]d" {
  name                     = "sa%[1]d"
  resource_group_name      = azurerm_resource_group.rg_%[1]d.name
  location                 = azurerm_resource_group.rg_%[1]d.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  min_tls_version          = "TLS1_2"
}
`

// writeTree writes modules dirs of files .tf files, one in three APIM services without identity.
func writeTree(root string, modules, files int) error {
	for m := 0; m < modules; m++ {
		dir := filepath.Join(root, fmt.Sprintf("mod%d", m))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for f := 0; f < files; f++ {
			i := m*files + f
			identity := ""
			if i%3 != 0 {
				identity = "  identity {\n    type = \"SystemAssigned\"\n  }\n"
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.tf", f)), []byte(fmt.Sprintf(treeFile, i, identity)), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// moduleRoot is the directory holding go.mod, found from the test's working directory.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if parent := filepath.Dir(d); parent == d || strings.TrimSpace(parent) == "" {
			return dir
		}
	}
}
