#!/usr/bin/env python3
"""Time `plangate rules` and `plangate check` with a .plangate.hcl of many rules.

  python3 bench/rules.py [--rules 10000] [--runs 3] [--no-build]

Writes target/bench/rules-repo-N/: a git repository of two commits whose
.plangate.hcl holds N rules (plus the built-in ones), and a plan of the real
benchmark's shape with --changes changes (default 2,600, a few of them deletes and
replaces). Rules are varied the way a big organisation's would be: change rules
by action, resource type glob, address glob, plan glob and authorship; file
rules with `containing`; rules that require approvals from teams; a few
resource groups. The rule ids are unique, so the file is valid.

Then runs, median of --runs, with bench/memory.py's sampler (wall time, peak
RSS, peak anonymous RSS):

  plangate rules --format json
  plangate check --preview --format json --base HEAD~1 plan.json

Exit 0 when every command exits 0 (check --preview: 0 or 1).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from memory import measure  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
ACTIONS = ["delete", "replace", "forget", "update", "create"]
TYPES = ["aws_db_instance", "aws_s3_*", "aws_iam_*", "google_sql_*", "AWS::RDS::*",
         "azurerm_*", "aws_instance", "terraform_data", "aws_lambda_function", "kubernetes_*"]
AUTHORS = ["agent", "human", "bot", "unknown"]


def config(n: int) -> str:
    out = ['team "sre" {\n  members = ["alice", "bob", "carol"]\n}\n',
           'team "dba" {\n  members = ["dave", "erin"]\n}\n',
           'person "alice" {\n  emails = ["alice@example.com"]\n}\n',
           'resource_group "payments-data" {\n  description = "payment stores"\n'
           '  types = ["aws_dynamodb_table", "aws_rds_*"]\n}\n']
    for i in range(n):
        kind = i % 10
        if kind == 9:
            body = (f'  match {{\n    files = ["services/s{i % 97}/**/*.tf"]\n'
                    f'    containing = "prevent_destroy"\n  }}\n')
        else:
            acts = json.dumps([ACTIONS[i % 5], ACTIONS[(i + 2) % 5]])
            types = json.dumps([TYPES[i % len(TYPES)], TYPES[(i * 7) % len(TYPES)]])
            lines = [f"    actions = {acts}", f"    resource_types = {types}"]
            if kind % 3 == 0:
                lines.append(f'    addresses = ["module.svc_{i % 211}.*", "*.r{i % 50}"]')
            if kind % 4 == 1:
                lines.append(f'    plans = ["plans/env-{i % 13}/*.json"]')
            if kind % 2 == 0:
                lines.append(f'    authored_by = ["{AUTHORS[i % 4]}"]')
            if kind == 4:
                lines.append('    resource_groups = ["payments-data"]')
            body = "  match {\n" + "\n".join(lines) + "\n  }\n"
        if i % 4 == 3:
            sev = '  severity = "warning"\n'
            req = ""
        else:
            sev = '  severity = "error"\n'
            frm = ', from = ["team:sre"]' if i % 3 == 0 else (', from = ["team:dba", "alice"]' if i % 3 == 1 else "")
            req = f"  require {{\n    approvals = {1 + i % 2}{frm.replace(', from', chr(10) + '    from')}\n  }}\n"
        out.append(f'rule "org-rule-{i:05d}" {{\n  description = "Organisation rule {i}: '
                   f'hold these changes for review"\n{sev}{body}{req}}}\n')
    return "\n".join(out)


def plan(changes: int) -> str:
    rcs = []
    for i in range(changes):
        actions = (["delete"] if i % 97 == 0 else ["delete", "create"] if i % 89 == 0
                   else ["update"] if i % 7 == 0 else ["no-op"])
        mod = f"module.svc_{i % 211}"
        rtype = TYPES[i % 10].replace("*", "x")
        rcs.append({"address": f"{mod}.{rtype}.r{i % 50}[{i}]",
                    "module_address": mod, "mode": "managed",
                    "type": rtype, "name": f"r{i % 50}",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "change": {"actions": actions}})
    return json.dumps({"format_version": "1.2", "terraform_version": "1.11.4",
                       "resource_changes": rcs})


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--changes", type=int, default=2_600)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/plangate")
    repo = ROOT / f"target/bench/rules-repo-{args.rules}"
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
        (repo / "main.tf").write_text('resource "terraform_data" "a" {}\n')
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "start")
        (repo / ".plangate.hcl").write_text(config(args.rules))
        (repo / "main.tf").write_text('resource "terraform_data" "b" {}\n')
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "Many rules\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
    plan_path = repo / f"plan-{args.changes}.json"
    if not plan_path.exists():
        plan_path.write_text(plan(args.changes))
    size = (repo / ".plangate.hcl").stat().st_size
    print(f".plangate.hcl: {args.rules} rules, {size / 1e6:.2f} MB; plan: {args.changes} changes")
    commands = {
        "rules": [binary, "rules", "--format", "json"],
        "check": [binary, "check", "--preview", "--format", "json", "--base", "HEAD~1",
                  str(plan_path)],
    }
    os.chdir(repo)
    ok = True
    for name, argv in commands.items():
        runs = [measure(argv, 0.002) for _ in range(args.runs)]
        codes = {r["code"] for r in runs}
        if not codes <= {0, 1}:
            ok = False
            sys.stderr.write(runs[0]["stderr"][-3000:])
        med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "maxrss", "anon")}
        print(f"plangate {name}: exit {sorted(codes)}, median {med['wall']:.3f} s over {args.runs} "
              f"runs, peak RSS {med['maxrss']:.1f} MB, peak RssAnon {med['anon']:.1f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
