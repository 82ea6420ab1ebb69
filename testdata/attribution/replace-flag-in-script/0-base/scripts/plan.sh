#!/bin/sh
terraform init && terraform plan -out=tfplan
