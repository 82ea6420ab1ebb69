#!/usr/bin/env python3
"""Measure plangate against jq and a serde_json baseline on big plan JSON files.

  python3 bench/run.py [--runs 5] [--files target/bench/plan-*.json] [--startup-runs 50]

For each file, interleaving the tools in every run (median of --runs, warm page cache):
  plangate   target/release/plangate changes --format json FILE > /dev/null
  jq         jq -c '.resource_changes[] | select(.change.actions | index("delete"))' FILE > /dev/null
  skip_pass  target/release/examples/skip_pass FILE > /dev/null   (bench/skip_pass.rs)
Wall time is time.perf_counter() around each child; peak RSS is that child's own ru_maxrss
(os.wait4). MB = 10^6 bytes throughout. Prints a Markdown table (also written to
target/bench/results.md), the ratios, and PASS/FAIL per target; exits 1 if any target or
check fails, after printing everything. Python 3.11 stdlib only.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLANGATE = REPO / "target" / "release" / "plangate"
SKIP_PASS = REPO / "target" / "release" / "examples" / "skip_pass"
TINY_PLAN = REPO / "testdata" / "terraform" / "create" / "plan.json"
JQ_FILTER = '.resource_changes[] | select(.change.actions | index("delete"))'
MB = 1e6

# Targets
JQ_RATIO_MIN, JQ_RATIO_FROM_MB = 20.0, 150  # jq / plangate wall time, files >= 150 MB
SKIP_RATIO_MAX = 1.5  # plangate / skip_pass wall time, every file
RSS_OVER_FILE_MAX_MB = 64  # plangate peak RSS - file size, every file
STARTUP_MAX_MS = 5.0  # plangate on a tiny plan


def log(msg: str = "") -> None:
    print(msg, flush=True)


def spawn(argv: list[str], stdout: str = "/dev/null") -> tuple[float, int, int]:
    """Run argv with stdout to a file; return (wall s, peak RSS bytes of that child, exit code)."""
    actions = [(os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)  # ru_maxrss: KiB on Linux


def warm(path: Path) -> None:
    """Read the whole file once so every tool starts with it in the page cache."""
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 24):
            pass


def cmd_out(argv: list[str]) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError) as e:
        return f"unavailable ({e.__class__.__name__})"


def machine_facts(jq: str | None) -> list[tuple[str, str]]:
    cpu, mem = "unknown", "unknown"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{kib * 1024 / 1e9:.1f} GB"
    except (OSError, StopIteration):
        pass
    rev = cmd_out(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    return [
        ("nproc", str(os.cpu_count())),
        ("CPU", cpu),
        ("memory", mem),
        ("kernel", platform.release()),
        ("terraform", cmd_out(["terraform", "version"])),
        ("jq", cmd_out([jq, "--version"]) if jq else "missing"),
        ("plangate", cmd_out([str(PLANGATE), "--version"]) + f" (git {rev})"),
        ("python", platform.python_version()),
    ]


def build(no_build: bool) -> str | None:
    """Build plangate (exits on failure) and, if missing, skip_pass; return why skip_pass is missing."""
    if not no_build:
        p = subprocess.run(["cargo", "build", "--release", "--bin", "plangate"], cwd=REPO)
        if p.returncode != 0:
            sys.exit("run.py: cargo build --release failed")
    if not PLANGATE.exists():
        sys.exit(f"run.py: {PLANGATE} not found (build it with cargo build --release)")
    if not SKIP_PASS.exists() and not no_build:
        log("skip_pass not built yet: cargo build --release --example skip_pass")
        p = subprocess.run(["cargo", "build", "--release", "--example", "skip_pass"], cwd=REPO)
        if p.returncode != 0:
            return "cargo build --release --example skip_pass failed"
    return None if SKIP_PASS.exists() else "target/release/examples/skip_pass not found"


def expected_deletes(path: Path) -> int | None:
    """The delete count make-plan.py recorded in the file's sidecar README, if any."""
    readme = path.with_name(path.name + ".README")
    if readme.exists():
        m = re.search(r'(\d+) with "delete" in actions', readme.read_text())
        if m:
            return int(m.group(1))
    return None


def delete_counts(path: Path, jq: str | None, skip_pass: bool, tmpdir: Path) -> dict[str, int | str]:
    """Untimed: how many changes with "delete" in actions each tool reports for path."""
    counts: dict[str, int | str] = {}
    out = tmpdir / "plangate-changes.json"
    _, _, rc = spawn([str(PLANGATE), "changes", "--format", "json", str(path)], stdout=str(out))
    if rc == 0:
        doc = json.loads(out.read_bytes())
        # replace = the three delete/create variants; both it and delete contain "delete"
        counts["plangate"] = sum(c["action"] in ("delete", "replace") for p in doc["plans"] for c in p["changes"])
    else:
        counts["plangate"] = f"exit {rc}"
    out.unlink(missing_ok=True)
    if jq:
        p = subprocess.Popen([jq, "-c", JQ_FILTER, str(path)], stdout=subprocess.PIPE)
        lines = sum(1 for _ in p.stdout)
        counts["jq"] = lines if p.wait() == 0 else f"exit {p.returncode}"
    if skip_pass:
        p = subprocess.run([str(SKIP_PASS), str(path)], capture_output=True, text=True)
        counts["skip_pass"] = int(p.stdout.strip()) if p.returncode == 0 else f"exit {p.returncode}"
    return counts


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool and file (median)")
    ap.add_argument("--files", nargs="+", help="plan files (default: target/bench/plan-*.json)")
    ap.add_argument("--startup-runs", type=int, default=50)
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    ap.add_argument("--results", default=str(REPO / "target" / "bench" / "results.md"))
    args = ap.parse_args()

    files = args.files or sorted(glob.glob(str(REPO / "target" / "bench" / "plan-*.json")))
    paths = sorted((Path(f) for f in files), key=lambda p: p.stat().st_size)
    if not paths:
        sys.exit("run.py: no plan files; make them with python3 bench/make-plan.py")
    jq = shutil.which("jq")
    skip_missing = build(args.no_build)
    tools = {"plangate": lambda f: [str(PLANGATE), "changes", "--format", "json", str(f)]}
    if jq:
        tools["jq"] = lambda f: [jq, "-c", JQ_FILTER, str(f)]
    if not skip_missing:
        tools["skip_pass"] = lambda f: [str(SKIP_PASS), str(f)]

    facts = machine_facts(jq)
    log("## Machine\n")
    for k, v in facts:
        log(f"- {k}: {v}")
    log()

    problems: list[str] = []
    tmpdir = REPO / "target" / "bench"
    tmpdir.mkdir(parents=True, exist_ok=True)

    # Start-up: plangate on a tiny plan.
    startup = [spawn([str(PLANGATE), "changes", "--format", "json", str(TINY_PLAN)]) for _ in range(args.startup_runs)]
    if any(rc != 0 for _, _, rc in startup):
        problems.append("plangate exited non-zero on the tiny plan")
    startup_ms = statistics.median(w for w, _, _ in startup) * 1000
    log(f"start-up: plangate changes --format json {TINY_PLAN.relative_to(REPO)}: "
        f"median {startup_ms:.2f} ms over {args.startup_runs} runs\n")

    # results[(file, tool)] = (median wall s, median peak RSS bytes)
    results: dict[tuple[Path, str], tuple[float, float]] = {}
    for path in paths:
        size = path.stat().st_size
        log(f"{path.name}: {size / MB:.1f} MB")
        warm(path)
        counts = delete_counts(path, jq, "skip_pass" in tools, tmpdir)
        want = expected_deletes(path)
        shown = ", ".join(f"{t} {c}" for t, c in counts.items())
        log(f"  changes with \"delete\" in actions: {shown}" + (f"; make-plan.py recorded {want}" if want is not None else ""))
        values = set(counts.values()) | ({want} if want is not None else set())
        if len(values) != 1 or not all(isinstance(v, int) for v in values):
            problems.append(f"{path.name}: delete counts disagree or a tool failed ({shown}; expected {want})")
        samples: dict[str, list[tuple[float, int]]] = {t: [] for t in tools}
        for run in range(args.runs):
            for tool, argv in tools.items():
                wall, rss, rc = spawn(argv(path))
                if rc != 0:
                    problems.append(f"{path.name}: {tool} exited {rc} in run {run + 1}")
                samples[tool].append((wall, rss))
            log(f"  run {run + 1}/{args.runs}: " + ", ".join(f"{t} {s[-1][0]:.3f} s" for t, s in samples.items()))
        for tool, s in samples.items():
            results[(path, tool)] = (statistics.median(w for w, _ in s), statistics.median(r for _, r in s))

    # The table.
    lines = ["| size MB | tool | median wall s | MB/s | peak RSS MB | RSS − file size MB |",
             "|---:|---|---:|---:|---:|---:|"]
    for path in paths:
        size = path.stat().st_size
        for tool in ("plangate", "jq", "skip_pass"):
            if (path, tool) not in results:
                if tool == "skip_pass" and skip_missing:
                    lines.append(f"| {size / MB:.1f} | skip_pass | missing | — | — | — |")
                continue
            wall, rss = results[(path, tool)]
            lines.append(f"| {size / MB:.1f} | {tool} | {wall:.3f} | {size / MB / wall:.0f} | "
                         f"{rss / MB:.1f} | {(rss - size) / MB:+.1f} |")

    # Ratios and targets.
    ratio_lines = ["| file | size MB | jq ÷ plangate | plangate ÷ skip_pass | plangate RSS − file MB |",
                   "|---|---:|---:|---:|---:|"]
    verdicts: list[tuple[str, bool | None, str]] = []
    for path in paths:
        size = path.stat().st_size
        pg_wall, pg_rss = results[(path, "plangate")]
        jq_ratio = results[(path, "jq")][0] / pg_wall if (path, "jq") in results else None
        sp_ratio = pg_wall / results[(path, "skip_pass")][0] if (path, "skip_pass") in results else None
        over = (pg_rss - size) / MB
        ratio_lines.append(f"| {path.name} | {size / MB:.1f} | {fmt_ratio(jq_ratio)} | {fmt_ratio(sp_ratio)} | {over:+.1f} |")
        if size >= JQ_RATIO_FROM_MB * MB:
            verdicts.append((f"jq ÷ plangate ≥ {JQ_RATIO_MIN:.0f}× at {size / MB:.0f} MB ({path.name})",
                             None if jq_ratio is None else jq_ratio >= JQ_RATIO_MIN, fmt_ratio(jq_ratio)))
        verdicts.append((f"plangate ÷ skip_pass ≤ {SKIP_RATIO_MAX}× at {size / MB:.0f} MB ({path.name})",
                         None if sp_ratio is None else sp_ratio <= SKIP_RATIO_MAX,
                         fmt_ratio(sp_ratio) if sp_ratio is not None else f"skip_pass missing: {skip_missing}"))
        verdicts.append((f"plangate peak RSS − file size ≤ {RSS_OVER_FILE_MAX_MB} MB at {size / MB:.0f} MB ({path.name})",
                         over <= RSS_OVER_FILE_MAX_MB, f"{over:+.1f} MB"))
    if not any(p.stat().st_size >= JQ_RATIO_FROM_MB * MB for p in paths):
        log(f"note: no file of {JQ_RATIO_FROM_MB} MB or more, so the jq target is not evaluated")
    verdicts.append((f"start-up < {STARTUP_MAX_MS:.0f} ms", startup_ms < STARTUP_MAX_MS, f"{startup_ms:.2f} ms"))

    target_lines = []
    for name, ok, value in verdicts:
        # A target that could not be measured (a missing tool) fails: the gate must not pass blind.
        target_lines.append(f"- {'PASS' if ok else 'FAIL'}: {name}: {value}")
    target_lines += [f"- FAIL: check: {p}" for p in problems]
    failed = any(not ok for _, ok, _ in verdicts) or bool(problems)

    report = "\n".join([
        "# plangate benchmark results", "",
        f"{args.runs} timed runs per tool and file, interleaved; medians; warm page cache; "
        "MB = 10^6 bytes; RSS is the child's own peak (ru_maxrss), which counts the mmap'd pages "
        "of the plan that plangate and skip_pass touched.", "",
        *lines, "",
        "## Ratios", "", *ratio_lines, "",
        f"Start-up (plangate on {TINY_PLAN.relative_to(REPO)}, median of {args.startup_runs}): {startup_ms:.2f} ms", "",
        "## Targets", "", *target_lines, "",
        "## Machine", "", *(f"- {k}: {v}" for k, v in facts), "",
    ])
    log()
    log(report)
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(report)
    log(f"written to {args.results}")
    log("RESULT: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
