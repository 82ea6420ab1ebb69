#!/usr/bin/env python3
"""Time `plangate commits` on a 10,000-commit repository with a 100-commit range.

Builds the repository with `git fast-import` under target/bench/commits-repo
(reused when present): every commit changes a .tf file; authors rotate through a
human, an agent identity, a co-authored pairing commit and a bot, so the
classifier does real work. Then runs `plangate commits --base HEAD~N --format
json` (median of --runs) and prints wall time and peak RSS.

Usage: python3 bench/commits.py [--commits 10000] [--range 100] [--runs 5]
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
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
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--range", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/plangate")
    repo = ROOT / f"target/bench/commits-repo-{args.commits}"
    if not repo.exists():
        t0 = time.perf_counter()
        build(repo, args.commits)
        print(f"built {args.commits} commits in {time.perf_counter() - t0:.1f} s: {repo}")
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
