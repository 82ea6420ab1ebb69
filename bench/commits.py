#!/usr/bin/env python3
"""Time `plangate commits` on a 10,000-commit repository with a 100-commit range.

Builds the repository with `git fast-import` under target/bench/commits-repo-N
(reused when present): every commit changes a .tf file; authors rotate through a
human, an agent identity, a co-authored pairing commit and a bot, so the
classifier does real work. Then runs `plangate commits --base HEAD~N --format
json` (median of --runs) and prints wall time and peak RSS.

With --ranges (e.g. `--commits 100000 --ranges 100,1000,10000,all`) it measures
each range in turn, `all` being the whole history (`--base` the root commit, so
every commit but the root), with `plangate commits` and, with --check, also
`plangate check --preview --format json` on a plan of two destructive changes, one of
which no file declares (so it is attributed to every commit of the range). A range over plangate's limit
(10,000 commits) is expected to be refused with exit 2; the figures then show
what refusing costs. Memory is sampled with bench/memory.py: peak RSS counts
git's children too (wait4), peak RssAnon is plangate's own heap.

Usage: python3 bench/commits.py [--commits 10000] [--range 100] [--runs 5]
                                [--ranges 100,1000,all] [--check] [--no-build]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from memory import measure  # noqa: E402
AUTHORS = [
    ("Alice Human", "alice@example.com", ""),
    ("Claude", "noreply@anthropic.com", ""),
    ("Bob Human", "bob@example.com", "\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"),
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", ""),
    ("Carol Human", "carol@example.com", "\n\nSigned-off-by: Carol Human <carol@example.com>"),
]


def build(repo: pathlib.Path, n: int) -> None:
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    lines = []
    for i in range(1, n + 1):
        name, email, trailer = AUTHORS[i % len(AUTHORS)]
        msg = f"Change {i}: adjust module {i % 37}{trailer}\n".encode()
        body = f'resource "terraform_data" "r{i % 50}" {{\n  input = "{i}"\n}}\n'.encode()
        date = 1767225600 + i * 60
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"mark :{i}\n".encode())
        lines.append(f"author {name} <{email}> {date} +0000\n".encode())
        lines.append(f"committer {name} <{email}> {date} +0000\n".encode())
        lines.append(f"data {len(msg)}\n".encode() + msg)
        if i > 1:
            lines.append(f"from :{i - 1}\n".encode())
        path = f"modules/m{i % 37}/main.tf"
        lines.append(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(lines), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)


def run(argv):
    # bench/memory.py's sampler, not this process's wait4: a child forked from
    # this Python inherits its high-water RSS (large after building the
    # repository), which would be reported as the child's.
    r = measure(argv, 0.002)
    if r["code"] != 0:
        sys.exit(f"{' '.join(argv)} failed: {r['stderr'][-2000:]}")
    return r["wall"], r["maxrss"]


def write_plan(repo: pathlib.Path) -> pathlib.Path:
    """A plan deleting a resource of module m1 (declared in the repository) and
    replacing one no file declares (attributed to every commit that changed a .tf
    file: the costly case)."""
    path = repo.parent / f"{repo.name}-plan.json"
    provider = "terraform.io/builtin/terraform"
    changes = [
        {"address": "module.m1.terraform_data.r25", "module_address": "module.m1", "mode": "managed",
         "type": "terraform_data", "name": "r25", "provider_name": provider,
         "change": {"actions": ["delete"]}},
        {"address": "terraform_data.x", "mode": "managed", "type": "terraform_data", "name": "x",
         "provider_name": provider, "change": {"actions": ["delete", "create"]}},
    ]
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.11.4",
                                "resource_changes": changes}))
    return path


def ranges(args, binary, repo) -> int:
    root = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=repo,
                          capture_output=True, text=True, check=True).stdout.split()[0]
    for r in args.ranges.split(","):
        base = root if r.strip() == "all" else f"HEAD~{int(r)}"
        label = f"whole history ({args.commits - 1} commits)" if r.strip() == "all" else f"{int(r)} commits"
        commands = [("commits", [binary, "commits", "--base", base, "--format", "json"])]
        if args.check:
            commands.append(("check --preview", [binary, "check", "--preview", "--format", "json",
                                                 "--base", base, str(write_plan(repo))]))
        for name, argv in commands:
            runs = [measure(argv, 0.002) for _ in range(args.runs)]
            codes = sorted({x["code"] for x in runs})
            med = {k: statistics.median(x[k] for x in runs) for k in ("wall", "maxrss", "anon")}
            said = ""
            if codes != [0]:
                said = " — " + runs[0]["stderr"].strip().splitlines()[0][:120] if runs[0]["stderr"].strip() else ""
            print(f"plangate {name}, range of {label}: exit {codes}, median {med['wall'] * 1000:.1f} ms "
                  f"over {args.runs} runs, peak RSS {med['maxrss']:.1f} MB, "
                  f"peak RssAnon {med['anon']:.1f} MB{said}", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--range", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ranges", help="comma-separated range lengths and/or `all` (see above)")
    ap.add_argument("--check", action="store_true",
                    help="with --ranges: also time check --preview on a two-change plan")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/plangate")
    repo = ROOT / f"target/bench/commits-repo-{args.commits}"
    if not repo.exists():
        t0 = time.perf_counter()
        build(repo, args.commits)
        print(f"built {args.commits} commits in {time.perf_counter() - t0:.1f} s: {repo}")
    if args.ranges:
        os.chdir(repo)
        return ranges(args, binary, repo)
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo,
                           capture_output=True, text=True, check=True).stdout.strip()
    argv = [binary, "commits", "--base", f"HEAD~{args.range}", "--format", "json"]
    os.chdir(repo)
    runs = [run(argv) for _ in range(args.runs)]
    wall = statistics.median(r[0] for r in runs)
    rss = statistics.median(r[1] for r in runs)
    verdict = "PASS" if wall < 1.0 else "FAIL"
    print(f"plangate commits: {count}-commit repository, {args.range}-commit range: "
          f"median {wall * 1000:.1f} ms over {args.runs} runs, peak RSS {rss:.1f} MB "
          f"(target < 1 s: {verdict})")
    return 0 if wall < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
