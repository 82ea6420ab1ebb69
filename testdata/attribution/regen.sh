#!/usr/bin/env bash
# Regenerates plan.json of each Terraform attribution case with the real terraform.
#
#   regen.sh           rewrite <case>/plan.json
#   regen.sh --check   regenerate into a temp dir and compare what matters
#                      (addresses, actions, reasons, previous addresses); exit 1 on a difference
#
# Each case is a sequence of trees (<case>/0-base, <case>/1-…, …) described by
# <case>/case.json; the tests rebuild that history with git at test time. The plan
# is what terraform plans for the LAST tree with the FIRST tree applied, run in the
# case's "plan_dir" (default: the tree's root) with its "plan_args". Cases with a
# "changeset" are CloudFormation: their change set is synthetic and not made here.
# Needs terraform 1.11.x and jq; works offline (built-in terraform_data only).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=write
[[ ${1-} == --check ]] && mode=check

command -v terraform >/dev/null || { echo "regen.sh: terraform 1.11 is needed" >&2; exit 1; }
command -v jq >/dev/null || { echo "regen.sh: jq is needed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plangate-attr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/terraformrc"
export TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

version=$(terraform version -json | jq -r .terraform_version)
[[ $version == 1.11.* ]] || { echo "regen.sh: terraform $version found, 1.11.x needed" >&2; exit 1; }

summary='{errored, changes: [.resource_changes[]? | {address, actions: .change.actions,
  action_reason, previous_address}]}'

failed=0
for case_dir in "$here"/*/; do
  case=$(basename "$case_dir")
  json="$case_dir/case.json"
  [[ -f $json ]] || continue
  if jq -e 'has("changeset")' "$json" >/dev/null; then
    echo "  $case: CloudFormation (synthetic change set), skipped"
    continue
  fi
  first=$(jq -r '.steps[0].tree' "$json")
  last=$(jq -r '.steps[-1].tree' "$json")
  plan_dir=$(jq -r '.plan_dir // "."' "$json")
  mapfile -t args < <(jq -r '.plan_args[]?' "$json")
  work="$tmp/$case"
  mkdir -p "$work"
  cp -r "$case_dir/$first/." "$work/"
  (cd "$work/$plan_dir" && terraform init -input=false -no-color >/dev/null &&
    terraform apply -input=false -auto-approve -no-color >/dev/null) ||
    { echo "regen.sh: applying $case/$first failed" >&2; exit 1; }
  # Keep the state and terraform's cache; replace every configuration file.
  find "$work" -type f ! -path '*/.terraform/*' ! -name 'terraform.tfstate*' \
    ! -name '.terraform.lock.hcl' -delete
  cp -r "$case_dir/$last/." "$work/"
  (cd "$work/$plan_dir" && terraform plan -input=false -no-color -out=tfplan "${args[@]}" >/dev/null &&
    terraform show -json tfplan >"$work/plan.json") ||
    { echo "regen.sh: planning $case/$last failed" >&2; exit 1; }
  if [[ $mode == write ]]; then
    cp "$work/plan.json" "$case_dir/plan.json"
    echo "  $case: $(jq -c '[.resource_changes[]? | "\(.address)=\(.change.actions|join("+"))"]' "$case_dir/plan.json")"
  elif ! diff <(jq -S "$summary" "$case_dir/plan.json") <(jq -S "$summary" "$work/plan.json") >/dev/null; then
    echo "  $case: plan differs from the committed one:" >&2
    diff <(jq -S "$summary" "$case_dir/plan.json") <(jq -S "$summary" "$work/plan.json") >&2 || true
    failed=1
  else
    echo "  $case: ok"
  fi
done
exit $failed
