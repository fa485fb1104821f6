variable "environment" {
  type        = string
  description = "Deployment environment, used in resource names."
}

variable "location" {
  type    = string
  default = "westeurope"
}
