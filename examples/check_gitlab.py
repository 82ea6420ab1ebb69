"""What the GitLab pipelines promise (README: "In GitLab CI"), checked on each
file given: the example pipeline, the include template (its spec header, then
its jobs) and the job `plangate init --gitlab` writes.

Each `plangate` job runs in merge request pipelines only, with the whole
history (GIT_DEPTH "0"), never allowed to fail, builds plangate pinned to a
commit, runs `plangate check` with the Code Quality and JUnit reports, and
keeps them as reports even when it fails. Every job's script lines are also
written out for shellcheck (into DIR, the first argument).

Usage: python3 check_gitlab.py DIR FILE...
"""

import pathlib
import re
import sys

from ruamel.yaml import YAML  # check-jsonschema's, in the same virtual environment


def jobs_of(path):
    docs = list(YAML(typ="safe").load_all(pathlib.Path(path).read_text()))
    body = docs[-1]
    if len(docs) == 2 and "spec" not in docs[0]:
        raise SystemExit(f"{path}: the first of two documents must be the spec header")
    return {k: v for k, v in body.items() if isinstance(v, dict) and ("script" in v)}


def check(index, path, out):
    problems = []
    jobs = jobs_of(path)
    gates = {name: job for name, job in jobs.items() if name == "plangate"}
    if not gates:
        problems.append("no `plangate` job")
    for name, job in gates.items():
        rules = job.get("rules", [])
        if [r.get("if") for r in rules] != ['$CI_PIPELINE_SOURCE == "merge_request_event"']:
            problems.append(f"{name}: must run in merge request pipelines only: {rules}")
        if any("when" in r for r in rules):
            problems.append(f"{name}: a rule's `when` could make the gate manual or skip it")
        if str(job.get("variables", {}).get("GIT_DEPTH")) != "0":
            problems.append(f"{name}: GIT_DEPTH must be \"0\" (plangate reads the history)")
        if job.get("allow_failure"):
            problems.append(f"{name}: allow_failure lets a blocked merge request through")
        lines = job.get("before_script", []) + job.get("script", [])
        install = [l for l in lines if "cargo install" in l]
        if not install or not all("--rev" in l and "--locked" in l for l in install):
            problems.append(f"{name}: plangate must be built --locked from a pinned --rev")
        checks = [l for l in lines if re.search(r"\bplangate check\b", l)]
        if not checks or not all("--codequality" in l and "--junit" in l for l in checks):
            problems.append(f"{name}: `plangate check` must write --codequality and --junit")
        artifacts = job.get("artifacts", {})
        if artifacts.get("when") != "always":
            problems.append(f"{name}: artifacts must be kept `when: always` (a failed gate's reports)")
        reports = artifacts.get("reports", {})
        if not {"codequality", "junit"} <= set(reports):
            problems.append(f"{name}: the reports must be codequality and junit: {reports}")
    for name, job in jobs.items():
        lines = job.get("before_script", []) + job.get("script", [])
        script = out / f"{index}-{pathlib.Path(path).name.lstrip('.')}-{name}.sh"
        # GitLab's $[[ inputs.x ]] interpolation is not shell: a stand-in word.
        text = "\n".join(re.sub(r"\$\[\[ *inputs\.(\w+) *\]\]", r"INPUT_\1", l) for l in lines)
        script.write_text("#!/usr/bin/env bash\n" + text + "\n")
    return problems


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    for index, path in enumerate(sys.argv[2:]):
        for p in check(index, path, out):
            print(f"{path}: {p}", file=sys.stderr)
            failed = True
    if failed:
        sys.exit(1)
    print(f"{len(sys.argv) - 2} GitLab pipeline file(s) keep their promises")


main()
