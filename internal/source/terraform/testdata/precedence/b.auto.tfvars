identity_type = "from-b.auto.tfvars"
