# Runs in the work dir after the setup apply (release 1).
# Replace the server (create_before_destroy) with a create-time provisioner that fails:
# the new object is kept as tainted and the old object stays in state as a deposed object,
# because its destroy never runs. (A failing destroy-time provisioner does not work here:
# Terraform does not run destroy provisioners for deposed objects.)
if terraform apply -no-color -input=false -auto-approve -var release=2 -var fail_provisioner=true; then
  echo "prepare.sh: expected the release-2 apply to fail" >&2
  exit 1
fi
terraform show -no-color | grep -q 'deposed object' || {
  echo "prepare.sh: no deposed object in state" >&2
  exit 1
}
