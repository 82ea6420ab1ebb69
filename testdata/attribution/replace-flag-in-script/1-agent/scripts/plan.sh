#!/bin/sh
terraform init && terraform plan -replace=terraform_data.db -out=tfplan
