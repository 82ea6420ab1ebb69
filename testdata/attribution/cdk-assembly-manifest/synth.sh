#!/usr/bin/env bash
# Regenerates this case's trees from app/ with the real AWS CDK:
#
#   synth.sh NODE_MODULES            rewrite 0-base, 1-human, 2-agent
#   synth.sh --check NODE_MODULES    synthesize into a temp dir and compare what
#                                    matters (each manifest's stack → template
#                                    mapping, each template's resources); exit 1
#                                    on a difference
#
# NODE_MODULES holds aws-cdk-lib, aws-cdk, ts-node and typescript (examples/ci.sh
# installs them from examples/cdk/package-lock.json into target/examples-cdk).
# 0-base is the app and its cloud assembly (cdk.out/, committed, as some teams do
# to review synthesized templates). 1-human edits the tags of Green's table;
# 2-agent removes Blue's table. All three stacks declare `OrdersTable`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=write
[[ ${1-} == --check ]] && { mode=check; shift; }
modules=$(cd "${1:?usage: synth.sh [--check] NODE_MODULES}" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plangate-cdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r "$here/app/." "$tmp/app"
ln -s "$modules" "$tmp/app/node_modules"
(
  cd "$tmp/app"
  export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_STACK_TRACE=1
  npx --no-install cdk synth --quiet --no-notices >/dev/null
)
rm -f "$tmp/app/node_modules"
# The metadata records where each construct was created, with the temp dir's
# path: those stack traces are dropped, so that the output is the same each run.
python3 - "$tmp/app/cdk.out" <<'PY'
import glob, json, os, sys
for p in glob.glob(os.path.join(sys.argv[1], "**", "*.metadata.json"), recursive=True):
    m = json.load(open(p))
    for path, entries in m.items():
        m[path] = [e for e in entries if e.get("type") != "aws:cdk:creationStack"]
    open(p, "w").write(json.dumps(m, indent=1) + "\n")
PY

# The steps: the synthesized base, then each person's edit of a template.
build() { # OUT
  local out=$1
  rm -rf "$out" && mkdir -p "$out"
  cp -r "$tmp/app" "$out/0-base"
  cp -r "$out/0-base" "$out/1-human"
  python3 - "$out/1-human/cdk.out/Green.template.json" <<'PY'
import json, sys
p = sys.argv[1]
t = json.load(open(p))
t["Resources"]["OrdersTable"]["Properties"]["Tags"].append({"Key": "owner", "Value": "payments"})
open(p, "w").write(json.dumps(t, indent=1) + "\n")
PY
  cp -r "$out/1-human" "$out/2-agent"
  python3 - "$out/2-agent/cdk.out/Blue.template.json" <<'PY'
import json, sys
p = sys.argv[1]
t = json.load(open(p))
del t["Resources"]["OrdersTable"]
open(p, "w").write(json.dumps(t, indent=1) + "\n")
PY
}

# What matters: which stack each manifest maps to which template, and which
# resources (logical id, type) each template declares.
summary() { # DIR
  python3 - "$1" <<'PY'
import json, os, sys
root = sys.argv[1]
for step in sorted(os.listdir(root)):
    for dirpath, _, files in sorted(os.walk(os.path.join(root, step))):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            if f == "manifest.json":
                for k, v in sorted(json.load(open(p))["artifacts"].items()):
                    if v["type"] in ("aws:cloudformation:stack", "cdk:cloud-assembly"):
                        props = v.get("properties", {})
                        print(rel, k, v["type"], props.get("stackName"), props.get("templateFile"), props.get("directoryName"))
            elif f.endswith(".template.json"):
                for k, v in sorted(json.load(open(p)).get("Resources", {}).items()):
                    print(rel, k, v["Type"])
PY
}

if [[ $mode == write ]]; then
  build "$tmp/out"
  for step in 0-base 1-human 2-agent; do
    rm -rf "${here:?}/$step" && cp -r "$tmp/out/$step" "$here/$step"
  done
  echo "synth.sh: rewrote 0-base, 1-human, 2-agent"
else
  build "$tmp/out"
  mkdir -p "$tmp/committed"
  for step in 0-base 1-human 2-agent; do cp -r "$here/$step" "$tmp/committed/$step"; done
  if ! diff <(summary "$tmp/committed") <(summary "$tmp/out"); then
    echo "synth.sh --check: the committed cloud assembly differs from what the CDK synthesizes (run synth.sh NODE_MODULES)" >&2
    exit 1
  fi
  echo "synth.sh --check: the committed cloud assembly matches a fresh synth"
fi
