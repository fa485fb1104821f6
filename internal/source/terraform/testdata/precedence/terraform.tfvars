identity_type = "from-terraform.tfvars"
