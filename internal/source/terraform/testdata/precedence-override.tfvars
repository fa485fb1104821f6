identity_type = "from-var-file"
