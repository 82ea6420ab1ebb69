#!/usr/bin/env python3
"""Run one command and report its wall time and memory, split into heap and mapped file.

  python3 bench/memory.py [--runs N] [--interval MS] -- COMMAND [ARG...]

plangate memory-maps big plans, so its peak RSS (`ru_maxrss`, what `/usr/bin/time -v`
calls "Maximum resident set size") counts every page of the plan it has read: a 2 GB plan
shows ~2 GB RSS whatever the reader keeps. What the process itself allocates is the
anonymous part, `RssAnon` in /proc/PID/status. The kernel keeps no high-water mark of it,
so this samples it every --interval ms (default 5) while the command runs and reports the
largest sample: a lower bound of the true peak, close to it when the heap grows and
shrinks more slowly than the interval (sample count printed). Linux only; stdout of the
command goes to /dev/null, stderr is kept and shown if the command fails.

Prints, per run: exit code, wall seconds, ru_maxrss MB, peak RssAnon MB, peak RssFile MB,
and the number of samples; with --runs > 1, the medians. MB = 10^6 bytes.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def status_kb(pid: int, keys) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return out


def measure(argv, interval: float):
    # stderr goes to a file, not a pipe: a command with more to say than a pipe holds
    # would otherwise block while this loop samples it.
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    peak_anon = peak_file = samples = 0
    while True:
        s = status_kb(child.pid, ("RssAnon", "RssFile"))
        if s:
            samples += 1
            peak_anon = max(peak_anon, s.get("RssAnon", 0))
            peak_file = max(peak_file, s.get("RssFile", 0))
        # Reap without blocking, keeping the child's own rusage.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(interval)
    wall = time.perf_counter() - t0
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    err.close()
    code = os.waitstatus_to_exitcode(status)
    return {
        "code": code,
        "wall": wall,
        "maxrss": usage.ru_maxrss * 1024 / 1e6,
        "anon": peak_anon * 1024 / 1e6,
        "file": peak_file * 1024 / 1e6,
        "samples": samples,
        "stderr": stderr,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--interval", type=float, default=5.0, help="sampling interval, ms")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    argv = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not argv:
        ap.error("no command")
    results = []
    for i in range(args.runs):
        r = measure(argv, args.interval / 1000)
        results.append(r)
        print(f"run {i + 1}: exit {r['code']}, {r['wall']:.3f} s, ru_maxrss {r['maxrss']:.1f} MB, "
              f"peak RssAnon {r['anon']:.1f} MB, peak RssFile {r['file']:.1f} MB "
              f"({r['samples']} samples)", flush=True)
        if r["code"] not in (0, 1):
            sys.stderr.write(r["stderr"][-1500:])
    if args.runs > 1:
        med = {k: statistics.median(r[k] for r in results) for k in ("wall", "maxrss", "anon", "file")}
        print(f"median of {args.runs}: {med['wall']:.3f} s, ru_maxrss {med['maxrss']:.1f} MB, "
              f"peak RssAnon {med['anon']:.1f} MB, peak RssFile {med['file']:.1f} MB")
    return max(r["code"] for r in results)


if __name__ == "__main__":
    sys.exit(main())
