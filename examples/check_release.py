"""Checks that .github/workflows/release.yml keeps what its header promises.

Run by examples/ci.sh with the Python of its venv (ruamel.yaml):

    python examples/check_release.py OUT_DIR [WORKFLOW]

- it runs on version tags only, read-only at the top;
- it builds the four targets the action's `version` input downloads
  (action/install.sh names them), Linux ones as static musl binaries, each on
  a runner of its own architecture, and checks the Linux binary is static;
- the archive and checksum names are the ones action/install.sh fetches;
- only the release job may write: contents (the release), id-token and
  attestations (the provenance attestation), and nothing else; it checks every
  checksum and attests the archives before it publishes them;
- no step interpolates `${{ }}` into a `run:` script (values come through env).

It also writes every `run:` block to OUT_DIR/release-<job>-<n>.sh for shellcheck.
"""

import pathlib
import re
import sys

from ruamel.yaml import YAML

TARGETS = {
    "x86_64-unknown-linux-musl": "ubuntu-24.04",
    "aarch64-unknown-linux-musl": "ubuntu-24.04-arm",
    "aarch64-apple-darwin": "macos-15",
    "x86_64-apple-darwin": "macos-15",
}
RELEASE_WRITES = {"contents": "write", "id-token": "write", "attestations": "write"}

problems = []


def problem(text):
    problems.append(text)


def main():
    out = pathlib.Path(sys.argv[1])
    path = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else ".github/workflows/release.yml")
    out.mkdir(parents=True, exist_ok=True)
    wf = YAML(typ="safe").load(path.read_text())
    install = pathlib.Path("action/install.sh").read_text()

    on = wf.get("on") or {}
    if set(on) != {"push"} or set(on["push"]) != {"tags"} or on["push"]["tags"] != ["v*"]:
        problem(f"{path}: must run on pushed version tags only (on: push: tags: [v*]), not {on}")
    if wf.get("permissions") != {"contents": "read"}:
        problem(f"{path}: top-level permissions must be contents: read, not {wf.get('permissions')}")

    jobs = wf.get("jobs") or {}
    build, release = jobs.get("build"), jobs.get("release")
    if build is None or release is None or set(jobs) != {"build", "release"}:
        problem(f"{path}: jobs must be build and release, not {list(jobs)}")
        return
    if build.get("permissions") != {"contents": "read"}:
        problem(f"{path}: the build job must be read-only, not {build.get('permissions')}")
    matrix = {m["target"]: m["os"] for m in build["strategy"]["matrix"]["include"]}
    if matrix != TARGETS:
        problem(f"{path}: the build matrix must be {TARGETS}, not {matrix}")
    for target in TARGETS:
        # action/install.sh must download what this workflow publishes.
        if target not in install:
            problem(f"action/install.sh does not name the released target {target}")
    if "plangate-$version-$target.tar.gz" not in install or '"$archive.sha256"' not in install:
        problem("action/install.sh no longer downloads plangate-VERSION-TARGET.tar.gz and its .sha256")
    build_steps = build["steps"]
    scripts = "\n".join(s.get("run", "") for s in build_steps)
    if 'archive="plangate-${TAG#v}-$TARGET.tar.gz"' not in scripts:
        problem(f"{path}: the archive is not named plangate-VERSION-TARGET.tar.gz")
    if '>"$archive.sha256"' not in scripts:
        problem(f"{path}: no checksum file beside the archive")
    if "+crt-static" not in str(build_steps) or "musl-tools" not in scripts:
        problem(f"{path}: the Linux builds are not static musl builds")
    if "statically linked" not in scripts:
        problem(f"{path}: the Linux binary is not checked to be static")
    if "--locked" not in scripts:
        problem(f"{path}: the build must use Cargo.lock (--locked)")
    if "does not match Cargo.toml's version" not in scripts:
        problem(f"{path}: the tag is not checked against Cargo.toml's version")

    if release.get("needs") != "build":
        problem(f"{path}: the release job must need build")
    if release.get("permissions") != RELEASE_WRITES:
        problem(f"{path}: the release job's permissions must be {RELEASE_WRITES}, not {release.get('permissions')}")
    steps = release["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    try:
        check = names.index("Check every checksum")
        attest = uses.index("actions/attest-build-provenance")
        publish = names.index("Create the release")
    except ValueError as e:
        problem(f"{path}: the release job lacks a step: {e}")
    else:
        if not check < attest < publish:
            problem(f"{path}: the release job must check the checksums, then attest, then publish")
        if "sha256sum --check --strict" not in steps[check]["run"]:
            problem(f"{path}: the checksums are not checked with sha256sum --check --strict")
        if "tar.gz" not in steps[attest]["with"]["subject-path"]:
            problem(f"{path}: the attestation's subject is not the archives")

    for name, job in jobs.items():
        for n, step in enumerate(job["steps"]):
            if "uses" in step and "@" not in step["uses"]:
                problem(f"{path}: {name} step {n} uses an action without a ref")
            if "run" in step:
                if "${{" in step["run"]:
                    problem(f"{path}: {name} step {n} interpolates ${{{{ }}}} into its script; pass it through env")
                (out / f"release-{name}-{n}.sh").write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"])
            if step.get("uses", "").startswith("actions/checkout") and step.get("with", {}).get("persist-credentials") is not False:
                problem(f"{path}: {name}: checkout must not persist credentials")


main()
for p in problems:
    print(f"check_release.py: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print("check_release.py: the release workflow keeps its promises")
