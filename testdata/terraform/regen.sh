#!/usr/bin/env bash
# Regenerates the real Terraform plan fixtures in this directory.
#
#   regen.sh           rebuild every case and rewrite <case>/plan.json in place
#   regen.sh --check   rebuild every case into a temp dir and compare a normalized
#                      summary with the committed plan.json files (exit 1 on any difference)
#   regen.sh CASE...   (either mode) only these cases
#
# Needs terraform 1.11.x and jq. Works offline: only the built-in provider
# (terraform_data, terraform_remote_state) is used. See README.md for the layout.
# KEEP_WORK=1 keeps the temporary work dirs (state, tfplan, terraform logs).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
required_minor=1.11

die() {
  echo "regen.sh: error: $*" >&2
  exit 1
}

mode=write
if [[ ${1-} == --check ]]; then
  mode=check
  shift
elif [[ ${1-} == -h || ${1-} == --help ]]; then
  sed -n '2,11p' "$0"
  exit 0
fi

# ---------------------------------------------------------------------------
# Environment
# ---------------------------------------------------------------------------
command -v terraform >/dev/null 2>&1 || die "terraform not found on PATH (need $required_minor.x)"
command -v jq >/dev/null 2>&1 || die "jq not found on PATH"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plangate-regen.XXXXXX")
if [[ ${KEEP_WORK:-} == 1 ]]; then
  trap 'echo "regen.sh: work dir kept: $tmp" >&2' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

: >"$tmp/terraformrc" # empty CLI config: no warnings, no plugin cache, no credentials
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
unset TF_WORKSPACE TF_DATA_DIR TF_LOG TF_PLUGIN_CACHE_DIR
for v in $(compgen -e | grep -E '^TF_(VAR_|CLI_ARGS)' || true); do unset "$v"; done

tf_version=$(terraform version -json | jq -r .terraform_version) ||
  die "could not run 'terraform version -json'"
[[ $tf_version == "$required_minor".* ]] ||
  die "terraform $tf_version found, need $required_minor.x (plan files and JSON output are version specific)"

# ---------------------------------------------------------------------------
# Cases: name | expected `terraform plan` exit status | assertion on plan.json
#
# The assertion is a jq expression that must evaluate to true. Helpers:
#   has(addr; actions; reason)  a resource_change with that address, actions
#                               (comma-joined) and action_reason ("" = none)
#   rc(addr)                    the (non-deposed) resource_change for addr
#   nchanges                    number of resource_changes
#   ok                          errored == false
# ---------------------------------------------------------------------------
jq_prelude='
def acts: .change.actions | join(",");
def why: .action_reason // "";
def has($a; $act; $why):
  any(.resource_changes[]?; .address == $a and .deposed == null and acts == $act and why == $why);
def rc($a): [.resource_changes[]? | select(.address == $a and .deposed == null)] | .[0];
def nchanges: (.resource_changes // []) | length;
def ok: .errored == false;
'

cases=()
declare -A plan_status=() assertion=()
defcase() {
  cases+=("$1")
  plan_status[$1]=$2
  assertion[$1]=$3
}

defcase create 0 '
  ok and .applyable and .complete and nchanges == 1
  and has("terraform_data.web"; "create"; "")'

defcase update 0 '
  ok and nchanges == 1
  and has("terraform_data.config"; "update"; "")'

defcase replace-cannot-update 0 '
  ok and nchanges == 1
  and has("terraform_data.app"; "delete,create"; "replace_because_cannot_update")
  and rc("terraform_data.app").change.replace_paths == [["triggers_replace"]]'

defcase replace-create-before-destroy 0 '
  ok and nchanges == 1
  and has("terraform_data.app"; "create,delete"; "replace_because_cannot_update")
  and rc("terraform_data.app").change.replace_paths == [["triggers_replace"]]'

defcase replace-by-request 0 '
  ok and nchanges == 2
  and has("terraform_data.app"; "delete,create"; "replace_by_request")
  and (rc("terraform_data.app").change | has("replace_paths") | not)
  and has("terraform_data.db"; "no-op"; "")'

defcase replace-by-triggers 0 '
  ok and nchanges == 2
  and has("terraform_data.app"; "delete,create"; "replace_by_triggers")
  and has("terraform_data.config"; "update"; "")'

defcase replace-tainted 0 '
  ok and nchanges == 2
  and has("terraform_data.app"; "delete,create"; "replace_because_tainted")
  and has("terraform_data.db"; "no-op"; "")'

defcase delete-no-resource-config 0 '
  ok and nchanges == 2
  and has("terraform_data.legacy"; "delete"; "delete_because_no_resource_config")
  and has("terraform_data.app"; "no-op"; "")'

defcase delete-count-index 0 '
  ok and nchanges == 3
  and has("terraform_data.worker[0]"; "no-op"; "")
  and has("terraform_data.worker[1]"; "delete"; "delete_because_count_index")
  and has("terraform_data.worker[2]"; "delete"; "delete_because_count_index")'

defcase delete-each-key 0 '
  ok and nchanges == 3
  and has("terraform_data.site[\"beta\"]"; "delete"; "delete_because_each_key")
  and has("terraform_data.site[\"alpha\"]"; "no-op"; "")
  and has("terraform_data.site[\"gamma\"]"; "no-op"; "")'

defcase delete-wrong-repetition 0 '
  ok and nchanges == 4
  and has("terraform_data.node[0]"; "delete"; "delete_because_wrong_repetition")
  and has("terraform_data.node[1]"; "delete"; "delete_because_wrong_repetition")
  and has("terraform_data.node[\"blue\"]"; "create"; "")
  and has("terraform_data.node[\"green\"]"; "create"; "")'

defcase delete-no-module 0 '
  ok and nchanges == 2
  and has("module.worker[0].terraform_data.instance"; "no-op"; "")
  and has("module.worker[1].terraform_data.instance"; "delete"; "delete_because_no_module")'

defcase module-removed 0 '
  ok and nchanges == 2
  and has("module.cache.terraform_data.node"; "delete"; "delete_because_no_resource_config")
  and rc("module.cache.terraform_data.node").module_address == "module.cache"
  and has("terraform_data.app"; "no-op"; "")'

defcase modules-nested 0 '
  ok and nchanges == 11
  and has("module.a[\"dot.key\"].module.b[0].terraform_data.c"; "no-op"; "")
  and has("module.a[\"dot.key\"].module.b[1].terraform_data.c"; "create"; "")
  and has("module.a[\"space key\"].module.b[0].terraform_data.c"; "delete,create"; "replace_because_cannot_update")
  and has("module.a[\"quote\\\"key\"].terraform_data.tag[\"back\\\\slash\"]"; "update"; "")
  and rc("module.a[\"quote\\\"key\"].terraform_data.tag[\"back\\\\slash\"]").index == "back\\slash"
  and has("module.a[\"quote\\\"key\"].module.b[0].terraform_data.c"; "no-op"; "")
  and has("module.a[\"ünïcødé-ключ\"].module.b[0].terraform_data.c"; "no-op"; "")
  and has("module.a[\"ünïcødé-ключ\"].module.b[1].terraform_data.c"; "delete"; "delete_because_no_module")
  and has("module.a[\"module.fake.terraform_data.x\"].module.b[0].terraform_data.c"; "delete"; "delete_because_no_module")
  and has("module.a[\"new key\"].module.b[0].terraform_data.c"; "create"; "")
  and has("terraform_data.weird[\"module.fake.terraform_data.x\"]"; "update"; "")
  and has("terraform_data.weird[\"0\"]"; "create"; "")
  and rc("terraform_data.weird[\"0\"]").index == "0"'

defcase moved 0 '
  ok and nchanges == 2
  and has("terraform_data.new_name"; "no-op"; "")
  and rc("terraform_data.new_name").previous_address == "terraform_data.old_name"
  and has("terraform_data.keyed[\"primary\"]"; "no-op"; "")
  and rc("terraform_data.keyed[\"primary\"]").previous_address == "terraform_data.single"'

defcase moved-no-target 0 '
  ok and nchanges == 2
  and has("terraform_data.new_name"; "delete"; "delete_because_no_move_target")
  and rc("terraform_data.new_name").previous_address == "terraform_data.old_name"
  and has("terraform_data.app"; "no-op"; "")'

defcase import 0 '
  ok and nchanges == 2
  and has("terraform_data.adopted"; "no-op"; "")
  and rc("terraform_data.adopted").change.importing == {"id": "fixture-import-id-adopted"}
  and has("terraform_data.adopted_and_updated"; "update"; "")
  and rc("terraform_data.adopted_and_updated").change.importing == {"id": "fixture-import-id-updated"}'

defcase forget 0 '
  ok and nchanges == 2
  and has("terraform_data.legacy"; "forget"; "delete_because_no_resource_config")
  and has("terraform_data.app"; "no-op"; "")'

defcase deposed 0 '
  ok and nchanges == 2
  and has("terraform_data.server"; "create,delete"; "replace_because_tainted")
  and ([.resource_changes[] | select(.address == "terraform_data.server" and .deposed != null)]
       | length == 1 and (.[0].deposed | test("^[0-9a-f]{8}$"))
         and (.[0].change.actions == ["delete"]) and (.[0] | has("action_reason") | not))'

# `terraform plan` exits 1 here, but still writes the plan file.
defcase errored 1 '
  .errored == true and .applyable == false and .complete == false
  and has("terraform_data.config"; "update"; "")
  and (rc("terraform_data.guarded") == null)
  and any(.checks[]?; .address.to_display == "terraform_data.guarded" and .status == "fail")'

defcase refresh-only 0 '
  ok and .applyable and (has("resource_changes") | not)
  and ([.resource_drift[]? | {address, previous_address, a: acts}]
       == [{"address": "terraform_data.new_name", "previous_address": "terraform_data.old_name", "a": "no-op"}])
  and .output_changes.stable_id.actions == ["create"]'

defcase destroy-mode 0 '
  ok and nchanges == 4
  and all(.resource_changes[]; acts == "delete" and (has("action_reason") | not))
  and ([.resource_changes[].address] == ["terraform_data.app", "terraform_data.worker[0]", "terraform_data.worker[1]", "module.cache.terraform_data.node"])'

defcase data-read 0 '
  ok and nchanges == 5
  and has("data.terraform_remote_state.config_unknown"; "read"; "read_because_config_unknown")
  and has("data.terraform_remote_state.dependency_pending"; "read"; "read_because_dependency_pending")
  and has("data.terraform_remote_state.check_nested"; "read"; "read_because_check_nested")
  and rc("data.terraform_remote_state.check_nested").mode == "data"
  and (rc("data.terraform_remote_state.plan_time") == null)
  and has("terraform_data.state_path"; "create"; "")
  and has("terraform_data.seed"; "no-op"; "")'

defcase no-changes 0 '
  ok and .applyable == false and .complete and nchanges == 2
  and all(.resource_changes[]; acts == "no-op" and (has("action_reason") | not))'

defcase sensitive 0 '
  ok and nchanges == 2
  and has("terraform_data.db_config"; "update"; "")
  and rc("terraform_data.db_config").change.after_sensitive.input.password == true
  and has("terraform_data.db_password_rotation"; "delete,create"; "replace_because_cannot_update")
  and .output_changes.db_password.after_sensitive == true
  and .variables.db_password.value == "plangate-fixture-secret-7f3a"
  and (tostring | contains("plangate-fixture-secret-7f3a"))'

defcase secrets 0 '
  ok and nchanges == 3
  and has("terraform_data.vault"; "delete,create"; "replace_because_cannot_update")
  and rc("terraform_data.vault").change.after_sensitive.input == true
  and has("terraform_data.legacy"; "delete"; "delete_because_no_resource_config")
  and has("terraform_data.plain"; "update"; "")
  and (tostring | contains("pgsec-VaultSensitiveYq8Nf3") and contains("pgsec-PlainNameKw2Zx7")
       and contains("pgsec-LegacyPassVx3Hn6"))'

defcase targeted 0 '
  ok and .complete == false and .applyable and nchanges == 1
  and has("terraform_data.app"; "update"; "")'

# Cases whose binary plan file is kept next to plan.json (readable only by the same
# terraform version; never compared by --check).
keep_tfplan=(replace-cannot-update)

# ---------------------------------------------------------------------------
# What --check compares: everything that describes the plan, nothing random
# (terraform_data ids are random UUIDs, deposed keys and timestamps change every run).
# ---------------------------------------------------------------------------
summary_filter='{
  format_version, errored, complete, applyable,
  changes: [.resource_changes[]? | {address, mode, type, actions: .change.actions, action_reason,
            replace_paths: .change.replace_paths, previous_address,
            deposed: (.deposed != null), importing: (.change.importing != null)}],
  drift_count: (.resource_drift // [] | length),
  drift: [.resource_drift[]? | {address, actions: .change.actions, previous_address}],
  outputs: (.output_changes // {} | map_values(.actions)),
  checks: [.checks[]? | {address: .address.to_display, status}]
}'

# ---------------------------------------------------------------------------
run_case() { # run_case NAME OUTDIR
  local name=$1 out=$2 src="$here/$1" work="$tmp/work/$1" log="$tmp/work/$1.log" rc
  local -a plan_args=()

  [[ -f $src/main.tf ]] || die "[$name] $src/main.tf missing"
  mkdir -p "$work" "$out/$name"
  : >"$log"

  fail() {
    echo "regen.sh: FAILED case '$name': $*" >&2
    echo "----- last lines of the terraform log ($log) -----" >&2
    tail -n 40 "$log" >&2
    echo "(re-run with KEEP_WORK=1 to keep the work dir)" >&2
    exit 1
  }

  # Local modules (and any other sub dirs except setup/) are available to both configs.
  local d
  for d in "$src"/*/; do
    if [[ -d $d && $(basename "$d") != setup ]]; then
      cp -R "$d" "$work/"
    fi
  done

  if [[ -d $src/setup ]]; then
    cp "$src"/setup/*.tf "$work/"
    (cd "$work" && terraform init -no-color -input=false) >>"$log" 2>&1 || fail "setup: terraform init"
    (cd "$work" && terraform apply -no-color -input=false -auto-approve) >>"$log" 2>&1 || fail "setup: terraform apply"
  fi

  if [[ -f $src/prepare.sh ]]; then
    (cd "$work" && bash -euo pipefail "$src/prepare.sh") >>"$log" 2>&1 || fail "prepare.sh"
  fi

  rm -f "$work"/*.tf
  cp "$src"/*.tf "$work/"
  if [[ -f $src/plan-args ]]; then
    read -r -a plan_args <"$src/plan-args"
  fi

  (cd "$work" && terraform init -no-color -input=false) >>"$log" 2>&1 || fail "terraform init"
  set +e
  (cd "$work" && terraform plan -no-color -input=false -out=tfplan "${plan_args[@]}") >>"$log" 2>&1
  rc=$?
  set -e
  [[ $rc == "${plan_status[$name]}" ]] ||
    fail "terraform plan ${plan_args[*]} exited $rc, expected ${plan_status[$name]}"
  [[ -f $work/tfplan ]] || fail "terraform plan wrote no plan file"

  (cd "$work" && terraform show -no-color -json tfplan) >"$work/plan.json" 2>>"$log" || fail "terraform show -json"

  if ! jq -e "$jq_prelude (${assertion[$name]})" "$work/plan.json" >/dev/null 2>>"$log"; then
    echo "----- resource_changes of the generated plan -----" >&2
    jq -c '.resource_changes[]? | {address, deposed, actions: .change.actions, action_reason, previous_address}' \
      "$work/plan.json" >&2 || true
    fail "plan.json does not satisfy the assertion:${assertion[$name]}"
  fi

  cp "$work/plan.json" "$out/$name/plan.json"
  local k
  for k in "${keep_tfplan[@]}"; do
    if [[ $k == "$name" ]]; then
      cp "$work/tfplan" "$out/$name/tfplan"
    fi
  done
  printf '  %-32s ok  (%s)\n' "$name" \
    "$(jq -r '[.resource_changes[]? | .change.actions | join(",")] | group_by(.) | map("\(.[0])×\(length)") | join(" ") | if . == "" then "no resource_changes" else . end' "$out/$name/plan.json")"
}

# ---------------------------------------------------------------------------
# Every case dir must be in the table and vice versa.
for d in "$here"/*/; do
  n=$(basename "$d")
  [[ -v "plan_status[$n]" ]] || die "directory $n/ is not a case in regen.sh (add a defcase)"
done

selected=("$@")
((${#selected[@]})) || selected=("${cases[@]}")
for n in "${selected[@]}"; do
  [[ -v "plan_status[$n]" ]] || die "unknown case: $n"
done

if [[ $mode == write ]]; then
  out=$here
else
  out=$tmp/out
fi

start=$SECONDS
echo "regen.sh: terraform $tf_version, mode $mode, ${#selected[@]} cases"
for n in "${selected[@]}"; do
  run_case "$n" "$out"
done

if [[ $mode == check ]]; then
  differ=()
  for n in "${selected[@]}"; do
    committed="$here/$n/plan.json"
    if [[ ! -f $committed ]]; then
      echo "  $n: no committed plan.json" >&2
      differ+=("$n")
      continue
    fi
    if ! diff -u --label "committed $n/plan.json" --label "regenerated $n/plan.json" \
      <(jq -S "$summary_filter" "$committed") <(jq -S "$summary_filter" "$out/$n/plan.json") >"$tmp/$n.diff"; then
      echo "  $n: summary differs:" >&2
      sed 's/^/    /' "$tmp/$n.diff" >&2
      differ+=("$n")
    fi
  done
  if ((${#differ[@]})); then
    echo "regen.sh --check: FAILED, ${#differ[@]} case(s) differ from the committed plan.json: ${differ[*]}" >&2
    echo "  (run testdata/terraform/regen.sh to regenerate them)" >&2
    exit 1
  fi
  echo "regen.sh --check: all ${#selected[@]} cases match ($((SECONDS - start))s)"
else
  echo "regen.sh: wrote ${#selected[@]} plan.json files ($((SECONDS - start))s)"
fi
