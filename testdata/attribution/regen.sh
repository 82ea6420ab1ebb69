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
# in the repository ("plan_path") does not matter here. "plans_at": [K, …] also
# plans the tree of each step K, with the same first tree applied, into
# <case>/plan-at-K.json (the plan CI made when step K was the head). Cases with a
# "changeset" are CloudFormation: their change set is synthetic and not made here.
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
  # Plan TREE (a directory of the case) into OUT, keeping the state and
  # terraform's cache: every configuration file and symbolic link is replaced
  # (cp -r copies links as links), and the directories left empty removed.
  plan_tree() {
    find "$work" ! -type d ! -path '*/.terraform/*' ! -name 'terraform.tfstate*' \
      ! -name '.terraform.lock.hcl' ! -name 'plan*.json' -delete
    find "$work" -mindepth 1 -depth -type d -empty ! -path '*/.terraform*' -delete
    cp -r "$case_dir/$1/." "$work/"
    for dir in "${before[@]}"; do
      (cd "$work/$dir" && terraform apply -input=false -auto-approve -no-color >/dev/null) ||
        { echo "regen.sh: applying $case/$1/$dir failed" >&2; exit 1; }
    done
    (cd "$work/$plan_dir" &&
      env "${plan_env[@]}" terraform plan -input=false -no-color -out=tfplan "${args[@]}" >/dev/null &&
      terraform show -json tfplan >"$work/$2" && rm -f tfplan) ||
      { echo "regen.sh: planning $case/$1 failed" >&2; exit 1; }
  }
  outputs=()
  for k in $(jq -r '.plans_at[]?' "$json"); do
    plan_tree "$(jq -r ".steps[$k].tree" "$json")" "plan-at-$k.json"
    outputs+=("plan-at-$k.json")
  done
  plan_tree "$last" plan.json
  outputs+=(plan.json)
  for out in "${outputs[@]}"; do
    if [[ $mode == write ]]; then
      cp "$work/$out" "$case_dir/$out"
      echo "  $case/$out: $(jq -c '[.resource_changes[]? | "\(.address)=\(.change.actions|join("+"))"]' "$case_dir/$out")"
    elif ! diff <(jq -S "$summary" "$case_dir/$out") <(jq -S "$summary" "$work/$out") >/dev/null; then
      echo "  $case/$out: plan differs from the committed one:" >&2
      diff <(jq -S "$summary" "$case_dir/$out") <(jq -S "$summary" "$work/$out") >&2 || true
      failed=1
    else
      echo "  $case/$out: ok"
    fi
  done
done
exit $failed
