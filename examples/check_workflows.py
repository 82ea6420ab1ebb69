"""Checks that the example workflows keep what their READMEs promise.

Run by examples/ci.sh with the Python of its venv (ruamel.yaml reads YAML 1.2,
where `on:` is a key, not the boolean it is in YAML 1.1):

    python examples/check_workflows.py OUT_DIR WORKFLOW...

Besides the checks, it writes every `run:` block of every workflow to
OUT_DIR/<example>/<job>-<n>.sh (with the shell GitHub uses for it), for
shellcheck and for the step tests in ci.sh.
"""

import pathlib
import re
import sys

from ruamel.yaml import YAML

PLANGATE = "<owner>/plangate@v1"
READ_ONLY = {"contents": "read", "pull-requests": "read"}
# Write scopes a job may add, and why: each must be backed by what the job does.
WRITE_SCOPES = {
    "id-token": "a job that signs in with aws-actions/configure-aws-credentials",
    "pull-requests": "a plangate step with `comment: true`",
    "security-events": "a plangate step with `sarif: true`",
    "checks": "a pull-request gate whose .plangate.hcl records destructive sets (approvals { record = true })",
}
ACTION_INPUTS = {
    "paths", "config", "config-ref", "approvals-file", "token", "format", "version", "sarif",
    "comment", "from-record", "apply",
}
# What an apply job runs after the gate: the saved plan or the judged change set.
APPLIES = re.compile(r"\b(terraform|tofu) apply\b.*\btfplan\b|execute-change-set")
# Each example's gate paths by workflow kind, to hold the apply gate to the
# pull request's plan path (an item names its plan).
GATE_PATHS = {}

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def uses(step, prefix):
    return str(step.get("uses", "")).startswith(prefix)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check(path, out_dir):
    doc = YAML(typ="safe").load(path.read_text())
    example = path.parts[path.parts.index(".github") - 1]
    where = str(path)

    triggers = doc.get("on") or {}
    config = path.parents[2] / ".plangate.hcl"
    records = config.is_file() and re.search(
        r"^\s*(record\s*=\s*true|carry_over\s*=)", config.read_text(), re.M
    )
    gate_steps = [
        s for job in (doc.get("jobs") or {}).values() for s in (job.get("steps") or [])
        if s.get("uses") == PLANGATE
    ]
    applying = any(str((s.get("with") or {}).get("apply")).lower() == "true" for s in gate_steps)
    if applying:
        return check_apply(path, doc, out_dir, example, bool(records))
    for event in ("pull_request", "pull_request_review"):
        if event not in triggers:
            problem(where, f"does not run on `{event}`")
    review = triggers.get("pull_request_review") or {}
    if review and set(review.get("types", [])) != {"submitted", "dismissed"}:
        problem(where, "pull_request_review should run on `submitted` and `dismissed` reviews")

    if doc.get("permissions") != READ_ONLY:
        problem(where, f"workflow permissions must be exactly {READ_ONLY}, are {doc.get('permissions')}")

    gates = 0
    for job_id, job in (doc.get("jobs") or {}).items():
        jw = f"{where}: job `{job_id}`"
        steps = job.get("steps") or []
        gate = [s for s in steps if s.get("uses") == PLANGATE]
        perms = job.get("permissions", doc.get("permissions")) or {}

        # What the job does, to judge its write scopes by.
        signs_in = any(uses(s, "aws-actions/configure-aws-credentials@") for s in steps)
        comments = any(str((s.get("with") or {}).get("comment")).lower() == "true" for s in gate)
        sarif = any(str((s.get("with") or {}).get("sarif")).lower() == "true" for s in gate)
        needed = {
            "id-token": signs_in,
            "pull-requests": comments,
            "security-events": sarif,
            "checks": bool(records and gate),
        }
        for scope, level in perms.items():
            if level == "write" and not needed.get(scope, False):
                problem(jw, f"`{scope}: write` without {WRITE_SCOPES.get(scope, 'a reason')}")
        for scope, need in needed.items():
            if need and perms.get(scope) != "write":
                problem(jw, f"needs `{scope}: write` for {WRITE_SCOPES[scope]}")
        if perms.get("contents") != "read":
            problem(jw, "`contents: read` is needed, and no more")

        for s in steps:
            if uses(s, "actions/checkout@"):
                if (s.get("with") or {}).get("persist-credentials") is not False:
                    problem(jw, "actions/checkout without `persist-credentials: false`")
            if uses(s, "hashicorp/setup-terraform@"):
                if (s.get("with") or {}).get("terraform_wrapper") is not False:
                    problem(jw, "hashicorp/setup-terraform without `terraform_wrapper: false`")
            if uses(s, "opentofu/setup-opentofu@"):
                if (s.get("with") or {}).get("tofu_wrapper") is not False:
                    problem(jw, "opentofu/setup-opentofu without `tofu_wrapper: false`")

        for n, s in enumerate(steps, 1):
            if "run" not in s:
                continue
            script = str(s["run"])
            if "${{" in script:
                problem(jw, f"step {n} interpolates an expression into `run:`; pass it through `env:`")
            out = out_dir / example / f"{job_id}-{n:02d}-{slug(s.get('name') or 'run')}.sh"
            out.parent.mkdir(parents=True, exist_ok=True)
            # GitHub runs `run:` with `bash --noprofile --norc -eo pipefail {0}`.
            out.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + script)

        if not gate:
            continue
        gates += 1
        if "if" in job:
            # A skipped job reports success: as a required check it would let
            # a blocked pull request merge.
            problem(jw, "the gate job has an `if:`; a skipped required check counts as passed")
        if job.get("continue-on-error"):
            problem(jw, "the gate job has `continue-on-error`")
        checkout = [s for s in steps if uses(s, "actions/checkout@v4")]
        if not checkout or (checkout[0].get("with") or {}).get("fetch-depth") != 0:
            problem(jw, "needs actions/checkout@v4 with `fetch-depth: 0` (plangate reads the history)")
        elif steps.index(checkout[0]) != 0:
            problem(jw, "actions/checkout must be the first step")
        for s in gate:
            inputs = s.get("with") or {}
            if not inputs.get("paths"):
                problem(jw, "the plangate step must name its plans in `paths` (the default `.` walks the whole checkout)")
            unknown = set(inputs) - ACTION_INPUTS
            if unknown:
                problem(jw, f"the plangate step has inputs the action does not have: {sorted(unknown)}")
            if s.get("continue-on-error"):
                problem(jw, "the plangate step has `continue-on-error`")
            if steps.index(s) == 0 or not any("run" in p for p in steps[: steps.index(s)]):
                problem(jw, "the plan must be made before the plangate step")
            GATE_PATHS.setdefault(example, {})["pull request"] = inputs.get("paths")
    if gates != 1:
        problem(where, f"has {gates} jobs that run {PLANGATE}; expected 1")
    return example


def check_apply(path, doc, out_dir, example, records):
    """An apply workflow: after the merge, the gate with `apply: true`, then the apply."""
    where = str(path)
    triggers = doc.get("on") or {}
    if "push" not in triggers or any(e in triggers for e in ("pull_request", "pull_request_target")):
        problem(where, "an apply workflow runs on `push` to the default branch, and on no pull request")
    if doc.get("permissions") != READ_ONLY:
        problem(where, f"workflow permissions must be exactly {READ_ONLY}, are {doc.get('permissions')}")
    if (doc.get("concurrency") or {}).get("cancel-in-progress") is not False:
        problem(where, "an apply must never be cancelled half-way: `cancel-in-progress: false`")
    if not records:
        problem(where, "the apply gate reads records: the example's .plangate.hcl must have approvals { record = true }")
    for job_id, job in (doc.get("jobs") or {}).items():
        jw = f"{where}: job `{job_id}`"
        steps = job.get("steps") or []
        perms = job.get("permissions", doc.get("permissions")) or {}
        for scope in ("pull-requests", "checks"):
            if perms.get(scope) != "read":
                problem(jw, f"the apply gate needs `{scope}: read`, and no more")
        for scope, level in perms.items():
            if level == "write" and scope != "id-token":
                problem(jw, f"`{scope}: write` in an apply job")
        gate = [s for s in steps if s.get("uses") == PLANGATE]
        if len(gate) != 1:
            problem(jw, f"has {len(gate)} plangate steps; expected 1")
            continue
        at = steps.index(gate[0])
        inputs = gate[0].get("with") or {}
        if set(inputs) - ACTION_INPUTS:
            problem(jw, f"the plangate step has inputs the action does not have: {sorted(set(inputs) - ACTION_INPUTS)}")
        if gate[0].get("continue-on-error") or job.get("continue-on-error"):
            problem(jw, "the apply gate has `continue-on-error`")
        GATE_PATHS.setdefault(example, {})["apply"] = inputs.get("paths")
        before = [str(s.get("run", "")) for s in steps[:at]]
        after = [s for s in steps[at + 1:] if "run" in s]
        if any(APPLIES.search(r) for r in before):
            problem(jw, "the plan is applied before the apply gate")
        applies = [s for s in after if APPLIES.search(str(s["run"]))]
        if not applies:
            problem(jw, "nothing after the apply gate applies the saved plan or the judged change set")
        elif any(s.get("if") for s in applies):
            problem(jw, "the apply step has an `if:`; it must run only when the gate passed")
        for n, s in enumerate(steps, 1):
            if "run" not in s:
                continue
            script = str(s["run"])
            if "${{" in script:
                problem(jw, f"step {n} interpolates an expression into `run:`; pass it through `env:`")
            out = out_dir / example / f"{job_id}-{n:02d}-{slug(s.get('name') or 'run')}.sh"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
    return example


def main():
    out_dir = pathlib.Path(sys.argv[1])
    paths = [pathlib.Path(p) for p in sys.argv[2:]]
    if not paths:
        sys.exit("check_workflows.py: no workflow given")
    examples = [check(p, out_dir) for p in paths]
    for example, kinds in GATE_PATHS.items():
        if "apply" in kinds and kinds.get("pull request") not in (None, kinds["apply"]):
            problem(
                example,
                f"the apply gate reads {kinds['apply']!r} and the pull request's gate "
                f"{kinds['pull request']!r}: an item names its plan, so they must be the same path",
            )
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(paths)} workflow(s) ({', '.join(examples)}): {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
