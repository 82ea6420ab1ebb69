#!/usr/bin/env bash
# Regenerates plan.json of each Terraform attribution case with the real terraform.
#
#   regen.sh [CASE…]           rewrite <case>/plan.json (of every case, or those named)
#   regen.sh --check [CASE…]   regenerate into a temp dir and compare what matters
#                      (addresses, actions, reasons, previous addresses); exit 1 on a difference
#
# Each case is a sequence of trees (<case>/0-base, <case>/1-…, …) described by
# <case>/case.json; the tests rebuild that history with git at test time. The plan
# is what terraform plans for the LAST tree with the FIRST tree applied (the tree
# of step "base", default 0), run in the case's "plan_dir" (default: the tree's
# root) with its "plan_args" (the first tree is applied with the -var/-var-file
# ones among them) and the environment "plan_env" (the first tree is applied
# with "apply_env", default "plan_env"; e.g. {"TF_VAR_x": "1"}). The directories
# of "apply_before" (e.g. one whose state a terraform_remote_state reads) are
# applied before "plan_dir", in the first tree and again in the last, as CI
# applies them first. A last step that is a
# "squash" is planned from its branch's last tree. Where the test puts the plan
# in the repository ("plan_path") does not matter here. Cases with a
# "changeset" are CloudFormation: their change set is synthetic and not made here.
# "older_plans": [N, …] also plans the tree of step N (the same first tree
# applied) into plan-at-N.json: a plan made at an older commit of the range, for
# the provenance tests. "binary": true keeps the binary plans too (tfplan, and
# tfplan-at-N), whose tfconfig/ holds the configuration each was made from.
# Needs terraform 1.11.x and jq; works offline (built-in terraform_data only).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=write
[[ ${1-} == --check ]] && { mode=check; shift; }
only=("$@") # case names; none: every case

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
  if ((${#only[@]})) && [[ " ${only[*]} " != *" $case "* ]]; then continue; fi
  json="$case_dir/case.json"
  [[ -f $json ]] || continue
  if jq -e 'has("changeset")' "$json" >/dev/null; then
    # Not made here; but each resource it changes must be declared in the first tree.
    cs="$case_dir/$(jq -r .changeset "$json")"
    first=$(jq -r '.steps[.base // 0].tree' "$json")
    for id in $(jq -r '.Changes[].ResourceChange.LogicalResourceId' "$cs"); do
      # A template's key, or a CDK app's overrideLogicalId('…').
      grep -rqE "^ *\"?$id\"?:|overrideLogicalId\(['\"]$id['\"]\)" "$case_dir/$first" ||
        { echo "  $case: $id is in the change set but not in $first" >&2; failed=1; }
    done
    echo "  $case: CloudFormation (synthetic change set), not regenerated"
    continue
  fi
  first=$(jq -r '.steps[.base // 0].tree' "$json")
  # A squash step has no tree: git makes it, and it is the squashed branch's
  # last tree (main has not moved since the branch started).
  last=$(jq -r '.steps[-1] as $s | if $s.squash then
    [.steps[] | select(.branch == $s.squash)][-1].tree else $s.tree end' "$json")
  plan_dir=$(jq -r '.plan_dir // "."' "$json")
  mapfile -t args < <(jq -r '.plan_args[]?' "$json")
  # The first tree is applied with the plan's variables (-var, -var-file), not
  # its other arguments (-replace=…).
  mapfile -t apply_args < <(jq -r '.plan_args[]? | select(test("^-var(-file)?="))' "$json")
  mapfile -t plan_env < <(jq -r '.plan_env // {} | to_entries[] | "\(.key)=\(.value)"' "$json")
  mapfile -t apply_env < <(jq -r '.apply_env // .plan_env // {} | to_entries[] |
    "\(.key)=\(.value)"' "$json")
  mapfile -t before < <(jq -r '.apply_before[]?' "$json")
  work="$tmp/$case"
  mkdir -p "$work"
  cp -r "$case_dir/$first/." "$work/"
  for dir in "${before[@]}"; do
    (cd "$work/$dir" && terraform init -input=false -no-color >/dev/null &&
      terraform apply -input=false -auto-approve -no-color >/dev/null) ||
      { echo "regen.sh: applying $case/$first/$dir failed" >&2; exit 1; }
  done
  (cd "$work/$plan_dir" && terraform init -input=false -no-color >/dev/null &&
    env "${apply_env[@]}" terraform apply -input=false -auto-approve -no-color "${apply_args[@]}" >/dev/null) ||
    { echo "regen.sh: applying $case/$first failed" >&2; exit 1; }
  # Keep the state and terraform's cache; replace every configuration file and
  # symbolic link (cp -r copies links as links), and the directories left empty.
  find "$work" ! -type d ! -path '*/.terraform/*' ! -name 'terraform.tfstate*' \
    ! -name '.terraform.lock.hcl' -delete
  find "$work" -mindepth 1 -depth -type d -empty ! -path '*/.terraform*' -delete
  cp -r "$case_dir/$last/." "$work/"
  for dir in "${before[@]}"; do
    (cd "$work/$dir" && terraform apply -input=false -auto-approve -no-color >/dev/null) ||
      { echo "regen.sh: applying $case/$last/$dir failed" >&2; exit 1; }
  done
  (cd "$work/$plan_dir" &&
    env "${plan_env[@]}" terraform plan -input=false -no-color -out=tfplan "${args[@]}" >/dev/null &&
    terraform show -json tfplan >"$work/plan.json") ||
    { echo "regen.sh: planning $case/$last failed" >&2; exit 1; }
  binary=$(jq -r '.binary // false' "$json")
  outputs=(plan.json)
  [[ $binary == true ]] && cp "$work/$plan_dir/tfplan" "$work/tfplan.out" && outputs+=(tfplan)
  for step in $(jq -r '.older_plans[]?' "$json"); do
    older=$(jq -r --argjson n "$step" '.steps[$n].tree' "$json")
    find "$work" ! -type d ! -path '*/.terraform/*' ! -name 'terraform.tfstate*' \
      ! -name '.terraform.lock.hcl' ! -name 'plan*.json' ! -name '*.out' -delete
    find "$work" -mindepth 1 -depth -type d -empty ! -path '*/.terraform*' -delete
    cp -r "$case_dir/$older/." "$work/"
    (cd "$work/$plan_dir" &&
      env "${plan_env[@]}" terraform plan -input=false -no-color -out=tfplan "${args[@]}" >/dev/null &&
      terraform show -json tfplan >"$work/plan-at-$step.json") ||
      { echo "regen.sh: planning $case/$older failed" >&2; exit 1; }
    outputs+=("plan-at-$step.json")
    [[ $binary == true ]] && cp "$work/$plan_dir/tfplan" "$work/tfplan-at-$step.out" &&
      outputs+=("tfplan-at-$step")
  done
  for out in "${outputs[@]}"; do
    made="$work/$out"
    [[ $out == tfplan* ]] && made="$work/$out.out"
    if [[ $mode == write ]]; then
      cp "$made" "$case_dir/$out"
      [[ $out == *.json ]] &&
        echo "  $case/$out: $(jq -c '[.resource_changes[]? | "\(.address)=\(.change.actions|join("+"))"]' "$case_dir/$out")"
    elif [[ $out != *.json ]]; then
      : # a binary plan holds random ids and times; its JSON is compared
    elif ! diff <(jq -S "$summary" "$case_dir/$out") <(jq -S "$summary" "$made") >/dev/null; then
      echo "  $case: $out differs from the committed one:" >&2
      diff <(jq -S "$summary" "$case_dir/$out") <(jq -S "$summary" "$made") >&2 || true
      failed=1
    else
      echo "  $case/$out: ok"
    fi
  done
done
exit $failed
