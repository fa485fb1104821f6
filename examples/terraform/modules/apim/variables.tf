variable "name" {
  type = string
}

variable "location" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "sku_name" {
  type    = string
  default = "Developer_1"
}

variable "identity_type" {
  type        = string
  description = "SystemAssigned, UserAssigned, \"SystemAssigned, UserAssigned\" or None."
  default     = "SystemAssigned"
}

variable "identity_ids" {
  type    = list(string)
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}
