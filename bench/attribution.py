#!/usr/bin/env python3
"""Measure attribution: `plangate check` against `plangate changes`, and the cost of evaluation.

  python3 bench/attribution.py [--runs 5] [--size 160] [--commits 100] [--binary PATH] [--no-build]

Target 1 ("check ≤ 2× changes"): a replicated plan of --size MB (bench/make-plan.py --sizes N,
reused when present) and a git repository, target/bench/attribution-repo, whose history is
--commits commits over the configuration plan-real.json was made from (make-plan.py's
target/bench/work: main.tf, modules/svc/main.tf, fleet.json), plus `module "replica_N"` calls
(replicas.tf, replica/main.tf) mirroring the replicas' `module.replica_N.` prefixes. The range
walks the configuration from the plan's prior fleet to the planned one (the changes that cause
the plan's deletes, creates, updates and replaces) with edits of resource blocks, counts,
locals, fleet.json and terraform.tfvars in between, by human and agent authors. Measures
`check --base B --head H --preview --format json PLAN` and `changes --format json PLAN`.

Target 2 ("evaluation adds ≤ 200 ms"): target/bench/eval-repo, 500 files (50 module dirs × 10
.tf files) and --commits commits, a dozen of which edit `for_each` maps (a
`jsondecode(file("sites.json"))` local in the root, a local map in one module); a synthetic plan
deleting several keys of those resources with `delete_because_each_key` (evaluated) and the same
plan with `delete_because_no_resource_config` (not evaluated: plangate has no switch to turn
evaluation off). The difference of the two medians is what evaluation adds.

Medians of --runs runs after one warm-up run; wall time and peak memory via bench/memory.py.
Prints a table, writes it to target/bench/attribution.md, exits 1 if a target is missed or a
check fails. Python 3.11 stdlib only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench"
sys.path.insert(0, str(ROOT / "bench"))
from memory import measure  # noqa: E402

CHECK_RATIO_MAX = 2.0
EVAL_EXTRA_MAX_MS = 200.0
SEED = 20240601  # make-plan.py's default --seed
INSTANCES = 2600  # make-plan.py's default --instances

AGENT_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>"
AUTHORS = [  # (name, email, trailer): humans, and humans pairing with an agent
    ("Alice Human", "alice@example.com", ""),
    ("Bob Human", "bob@example.com", AGENT_TRAILER),
    ("Carol Human", "carol@example.com", ""),
    ("Dan Human", "dan@example.com", AGENT_TRAILER),
    ("Erin Human", "erin@example.com", AGENT_TRAILER),
]


def log(msg: str = "") -> None:
    print(msg, flush=True)


def load_make_plan():
    spec = importlib.util.spec_from_file_location("make_plan", ROOT / "bench" / "make-plan.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------------------
# Writing a repository with git fast-import
# ---------------------------------------------------------------------------

class History:
    """Commits as whole-file states; only changed files are written to fast-import."""

    def __init__(self) -> None:
        self.commits: list[tuple[str, dict[str, str | None]]] = []
        self.files: dict[str, str] = {}

    def commit(self, message: str, files: dict[str, str]) -> None:
        changed: dict[str, str | None] = {p: t for p, t in files.items() if self.files.get(p) != t}
        changed.update({p: None for p in self.files if p not in files})
        self.files = dict(files)
        self.commits.append((message, changed))

    def write(self, repo: Path) -> list[str]:
        """The repository; returns the commit ids, oldest first."""
        if repo.exists():
            shutil.rmtree(repo)
        repo.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        out = []
        for i, (message, changed) in enumerate(self.commits):
            name, email, trailer = AUTHORS[i % len(AUTHORS)] if i else ("Alice Human", "alice@example.com", "")
            msg = (message + (trailer if i else "") + "\n").encode()
            date = 1767225600 + i * 600
            out.append(b"commit refs/heads/main\n")
            out.append(f"mark :{i + 1}\n".encode())
            out.append(f"author {name} <{email}> {date} +0000\n".encode())
            out.append(f"committer {name} <{email}> {date} +0000\n".encode())
            out.append(f"data {len(msg)}\n".encode() + msg)
            if i:
                out.append(f"from :{i}\n".encode())
            for path, text in sorted(changed.items()):
                if text is None:
                    out.append(f"D {path}\n".encode())
                else:
                    body = text.encode()
                    out.append(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
        subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(out), check=True)
        # fast-import stores each version as a delta of the one before, so the
        # head's blobs sit at the end of long delta chains (100 ms of git for a
        # 3.5 MB file). A clone or a gc'd repository stores the newest whole:
        # repack as they would.
        subprocess.run(["git", "repack", "-adf", "-q"], cwd=repo, check=True)
        subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
        shas = subprocess.run(["git", "rev-list", "--reverse", "main"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.split()
        assert len(shas) == len(self.commits), (len(shas), len(self.commits))
        return shas


def stamp_ok(repo: Path, stamp: str) -> bool:
    f = repo / ".git" / "bench-stamp"
    return f.exists() and f.read_text() == stamp


def write_stamp(repo: Path, stamp: str) -> None:
    (repo / ".git" / "bench-stamp").write_text(stamp)


def rev_list(repo: Path) -> list[str]:
    return subprocess.run(["git", "rev-list", "--reverse", "main"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout.split()


# ---------------------------------------------------------------------------
# Target 1: the real plan's configuration, 100 commits
# ---------------------------------------------------------------------------

# Edits of resource blocks (count and input expressions) that a later commit reverts.
SVC_EDITS = {
    "count": lambda b: (f"  count            = length(var.spec.{b})\n",
                        f"  count            = var.spec.{b} == null ? 0 : length(var.spec.{b})\n"),
    "input": lambda b: (f"  input            = var.spec.{b}[count.index].input\n",
                        f"  input            = merge(var.spec.{b}[count.index].input, {{}})\n"),
}
ROOT_EDITS = [  # (what, original text, edited text) in main.tf
    ("locals: read fleet.json in two steps",
     '  fleet = jsondecode(file("${path.module}/fleet.json"))\n',
     '  fleet_text = file("${path.module}/fleet.json")\n  fleet      = jsondecode(local.fleet_text)\n'),
    ("dns: cap the count",
     "  count            = length(local.fleet.root.dns)\n",
     "  count            = min(length(local.fleet.root.dns), 500)\n"),
    ("edge: for_each through a for expression",
     "  for_each         = local.fleet.root.edge\n",
     "  for_each         = { for k, v in local.fleet.root.edge : k => v }\n"),
]
VARIABLES_TF = """\
variable "environment" {
  description = "Deployment environment"
  type        = string
  default     = "production"
}

variable "owner" {
  description = "Team that owns this stack"
  type        = string
  default     = "platform"
}
"""


def replica_tf(main_tf: str) -> str:
    """The root module's main.tf as the `./replica` module: same blocks, the shared files."""
    return (main_tf.replace('"${path.module}/fleet.json"', '"${path.module}/../fleet.json"')
            .replace('"./modules/svc"', '"../modules/svc"'))


def fleet_history(mp, n_commits: int, copies: int) -> History:
    work = BENCH / "work"
    before, after = mp.build_fleet(INSTANCES, SEED + 1)
    planned = {p: (work / p).read_text() for p in ("main.tf", "modules/svc/main.tf", "fleet.json")}
    if mp.json.dumps(after, indent=1) + "\n" != planned["fleet.json"]:
        sys.exit("attribution: target/bench/work/fleet.json is not make-plan.py's default fleet "
                 f"(--instances {INSTANCES}, --seed {SEED}); rerun make-plan.py --force")
    if mp.root_tf(False) != planned["main.tf"] or mp.MODULE_TF != planned["modules/svc/main.tf"]:
        sys.exit("attribution: target/bench/work's .tf files are not make-plan.py's")
    rng = random.Random(SEED)
    fleet = json.loads(json.dumps(before))
    state = {"legacy": True, "svc": mp.MODULE_TF, "main_edits": set(), "tfvars": 0,
             "locals": 0}

    def files() -> dict[str, str]:
        main = mp.root_tf(state["legacy"])
        for what, old, new in ROOT_EDITS:
            if what in state["main_edits"]:
                main = main.replace(old, new)
        out = {
            "main.tf": main,
            "modules/svc/main.tf": state["svc"],
            "fleet.json": json.dumps(fleet, indent=1) + "\n",
            "variables.tf": VARIABLES_TF,
            "terraform.tfvars": f'environment = "production"\nowner       = "{mp.TEAMS[state["tfvars"] % len(mp.TEAMS)]}"\n'
                                + "".join(f'# rollout wave {w}\n' for w in range(state["tfvars"] // 3)),
            "replicas.tf": "".join(f'module "replica_{k}" {{\n  source = "./replica"\n}}\n\n'
                                   for k in range(1, copies)),
            "replica/main.tf": replica_tf(main),
        }
        if state["locals"]:
            out["locals.tf"] = ("locals {\n  environment = var.environment\n  owner       = var.owner\n"
                                + "".join(f'  wave_{w}      = "{w}"\n' for w in range(state["locals"] - 1))
                                + "}\n")
        return out

    # The changes that make the plan: each a function of the state, applied in one commit.
    real: list[tuple[str, callable]] = []

    def retire():
        del fleet["modules"][mp.REMOVED_SERVICE]
    real.append((f"Retire {mp.REMOVED_SERVICE}", retire))

    def drop_legacy():
        state["legacy"] = False
        del fleet["root"]["legacy_batch"]
    real.append(("Remove the legacy batch jobs", drop_legacy))

    for s in mp.SERVICES[:-1]:
        def resize(s=s):
            for b, entries in after["modules"][s].items():
                cur = fleet["modules"][s][b]
                fleet["modules"][s][b] = cur[:len(entries)] + entries[len(cur):]
        real.append((f"{s}: resize api and cron", resize))

    def loyalty():
        fleet["modules"][mp.NEW_SERVICE] = json.loads(json.dumps(after["modules"][mp.NEW_SERVICE]))
    real.append((f"Add the {mp.NEW_SERVICE} service", loyalty))

    def edge():
        for k, e in after["root"]["edge"].items():
            fleet["root"]["edge"].setdefault(k, e)
    real.append(("edge: five more CDN entries", edge))

    for s in mp.SERVICES[:-1]:
        def update(s=s):
            fleet["modules"][s] = json.loads(json.dumps(after["modules"][s]))
        real.append((f"{s}: new image tags and revisions", update))

    def root_update():
        fleet["root"] = json.loads(json.dumps(after["root"]))
    real.append(("edge, dns: new image tags and revisions", root_update))

    # Edits another commit reverts, and edits that stay (tfvars, locals.tf).
    pairs: list[list[tuple[str, callable]]] = []
    for b in mp.BLOCKS:
        for kind, edit in SVC_EDITS.items():
            old, new = edit(b)

            def do(old=old, new=new):
                assert old in state["svc"]
                state["svc"] = state["svc"].replace(old, new, 1)

            def undo(old=old, new=new):
                state["svc"] = state["svc"].replace(new, old, 1)
            pairs.append([(f"svc: {b} {kind} expression", do), (f"svc: revert the {b} {kind} expression", undo)])
    for what, _, _ in ROOT_EDITS:
        pairs.append([(what, lambda w=what: state["main_edits"].add(w)),
                      (f"revert: {what}", lambda w=what: state["main_edits"].discard(w))])
    for j in range(6):
        s = mp.SERVICES[(j * 3) % (len(mp.SERVICES) - 1)]

        def bump(s=s):
            fleet["modules"][s]["worker"][0]["input"]["scaling"]["max"] += 10

        def unbump(s=s):
            fleet["modules"][s]["worker"][0]["input"]["scaling"]["max"] -= 10
        pairs.append([(f"{s}: scale the first worker up for the sale", bump),
                      (f"{s}: scale the first worker back down", unbump)])
    singles = [(f"terraform.tfvars: owner and rollout wave {j}", lambda: state.__setitem__("tfvars", state["tfvars"] + 1))
               for j in range(8)]
    singles += [(f"locals.tf: common settings ({j})", lambda: state.__setitem__("locals", state["locals"] + 1))
                for j in range(6)]

    # Interleave: real changes in order, each pair's revert after its edit.
    queues: list[list[tuple[str, callable]]] = [list(real)] + pairs + [[s] for s in singles]
    total = sum(len(q) for q in queues)
    if total > n_commits:
        sys.exit(f"attribution: the fleet history needs at least {total} commits")
    for j in range(n_commits - total):  # pad with more tfvars edits
        queues.append([(f"terraform.tfvars: rollout wave {8 + j}",
                        lambda: state.__setitem__("tfvars", state["tfvars"] + 1))])
    hist = History()
    hist.commit("Fleet configuration as deployed", files())
    while any(queues):
        q = rng.choice([q for q in queues if q])
        message, apply = q.pop(0)
        apply()
        hist.commit(message, files())
    head = hist.files
    for p, text in planned.items():
        if head[p] != text:
            sys.exit(f"attribution: the head's {p} differs from target/bench/work/{p}")
    return hist


# ---------------------------------------------------------------------------
# Target 2: 500 files, for_each maps edited, a synthetic plan
# ---------------------------------------------------------------------------

N_MODULES = 50
FILES_PER_MODULE = 10
EVAL_MODULE = "m07"


def module_files(m: str, version: int, items: dict[str, str] | None) -> dict[str, str]:
    d = f"modules/{m}"
    out = {
        f"{d}/variables.tf": f'variable "name" {{\n  type    = string\n  default = "{m}"\n}}\n\n'
                             f'variable "size" {{\n  type    = number\n  default = {2 + version % 3}\n}}\n',
        f"{d}/outputs.tf": f'output "ids" {{\n  value = [for r in terraform_data.r0 : r.id]\n}}\n',
        f"{d}/versions.tf": 'terraform {\n  required_version = ">= 1.5"\n}\n',
    }
    for k in range(FILES_PER_MODULE - 3 - (1 if items is not None else 0)):
        out[f"{d}/r{k}.tf"] = (f'resource "terraform_data" "r{k}" {{\n  count = var.size\n'
                               f'  input = {{\n    name = "${{var.name}}-{k}-${{count.index}}"\n'
                               f'    rev  = {version if k == version % 6 else 0}\n  }}\n}}\n')
    if items is not None:
        body = "".join(f'    {k} = "{v}"\n' for k, v in items.items())
        out[f"{d}/items.tf"] = (f"locals {{\n  items = {{\n{body}  }}\n}}\n\n"
                                'resource "terraform_data" "item" {\n  for_each = local.items\n'
                                "  input    = each.value\n}\n")
    assert len(out) == FILES_PER_MODULE, (m, len(out))
    return out


def eval_history(n_commits: int):
    """The history, and the keys the plan deletes: {resource address: index of the commit
    that removed the key}."""
    rng = random.Random(SEED + 7)
    sites = {f"site-{i:02d}": {"region": rng.choice(["eu", "us", "ap"]), "tier": i % 3} for i in range(40)}
    items = {f"k{i}": f"item-{i}" for i in range(12)}
    versions = {f"m{i:02d}": 0 for i in range(N_MODULES)}

    def files() -> dict[str, str]:
        out = {
            "main.tf": 'locals {\n  sites = jsondecode(file("${path.module}/sites.json"))\n}\n\n'
                       'resource "terraform_data" "site" {\n  for_each = local.sites\n'
                       "  input    = each.value\n}\n\n"
                       + "".join(f'module "{m}" {{\n  source = "./modules/{m}"\n}}\n\n' for m in versions),
            "sites.json": json.dumps(sites, indent=2) + "\n",
        }
        for m, v in versions.items():
            out.update(module_files(m, v, items if m == EVAL_MODULE else None))
        return out

    # Commits editing the maps: (message, edit, address of a key it removes or None).
    edits = []
    removed_sites = ["site-03", "site-11", "site-17", "site-24", "site-30", "site-36"]
    for i, k in enumerate(removed_sites):
        edits.append((f"sites: retire {k}", lambda k=k: sites.pop(k), f'terraform_data.site["{k}"]'))
        if i % 2 == 0:
            def add(i=i):
                sites[f"site-new-{i}"] = {"region": "eu", "tier": 1}
            edits.append((f"sites: add site-new-{i}", add, None))
    def retier():
        sites["site-05"]["tier"] = 2
    edits.append(("sites: move site-05 to tier 2", retier, None))
    for k in ("k4", "k9"):
        edits.append((f"{EVAL_MODULE}: drop item {k}", lambda k=k: items.pop(k),
                      f'module.{EVAL_MODULE}.terraform_data.item["{k}"]'))
    def rename():
        items["k2"] = "item-2-renamed"
    edits.append((f"{EVAL_MODULE}: rename item k2", rename, None))
    others = n_commits - len(edits)
    plan_at = sorted(rng.sample(range(n_commits), len(edits)))
    hist = History()
    hist.commit("Sites and modules", files())
    deleted: dict[str, int] = {}
    e = 0
    for i in range(n_commits):
        if e < len(edits) and i == plan_at[e]:
            message, apply, addr = edits[e]
            e += 1
            apply()
            if addr:
                deleted[addr] = len(hist.commits)
        else:
            m = f"m{rng.randrange(N_MODULES):02d}"
            versions[m] += 1
            message = f"{m}: bump revision {versions[m]}"
        hist.commit(message, files())
    assert len(hist.files) >= 500, len(hist.files)
    assert others > 0
    return hist, deleted


def configuration_of(files: dict[str, str]) -> dict:
    """The plan's `configuration` for the head's files, as terraform writes it for them
    (resources and module calls, module by module), so the plan passes provenance."""
    def module(d: str) -> dict:
        tf = "".join(t for p, t in sorted(files.items())
                     if p.endswith(".tf") and os.path.dirname(p) == d)
        out: dict = {"resources": [{"address": f"terraform_data.{n}", "mode": "managed",
                                    "type": "terraform_data", "name": n}
                                   for n in re.findall(r'^resource "terraform_data" "(\w+)"', tf, re.M)]}
        calls = re.findall(r'^module "(\w+)" \{\n  source = "\./([^"]+)"', tf, re.M)
        if calls:
            out["module_calls"] = {n: {"source": f"./{src}", "module": module(src)} for n, src in calls}
        return out
    return {"root_module": module("")}


def eval_plan(path: Path, deleted: dict[str, int], reason: str, files: dict[str, str]) -> None:
    """A plan deleting the `deleted` keys for `reason`, and updating one site in place (which
    no rule gates: it ties even the plan without deletes to its root module)."""
    provider = 'registry.terraform.io/hashicorp/terraform'
    changes = [{"address": 'terraform_data.site["site-00"]', "mode": "managed", "type": "terraform_data",
                "name": "site", "index": "site-00", "provider_name": provider,
                "change": {"actions": ["update"], "before": {"id": "x", "input": 1},
                           "after": {"id": "x", "input": 2}}}]
    for addr in deleted:
        module = addr.split(".terraform_data")[0] if addr.startswith("module.") else None
        name = addr.split("terraform_data.")[1].split("[")[0]
        rc = {"address": addr, "mode": "managed", "type": "terraform_data", "name": name,
              "index": addr.split('["')[1].rstrip('"]'), "provider_name": provider,
              "change": {"actions": ["delete"], "before": {"id": "x"}, "after": None},
              "action_reason": reason}
        if module:
            rc["module_address"] = module
        changes.append(rc)
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.11.4",
                                "resource_changes": changes,
                                "configuration": configuration_of(files)}, indent=1) + "\n")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

LONG_RUN_S = 20.0  # a command slower than this is timed once, not --runs times


def timed(argv, cwd: Path, runs: int, warm: bool = True):
    """Median wall s, median peak RssFile MB, median peak RssAnon MB, per-run walls.

    Memory is sampled from /proc (bench/memory.py), not ru_maxrss: a child forked from this
    Python, which has just built a repository, would report the Python's high-water RSS. RssFile
    counts the pages of the memory-mapped plan that were read; RssAnon is the heap. A command
    whose first timed run takes over LONG_RUN_S is run only once (the table says so)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        results = []
        if warm:
            measure(argv, 0.002)
        for i in range(runs):
            r = measure(argv, 0.002)
            if r["code"] != 0:
                sys.exit(f"attribution: {' '.join(map(str, argv))} exited {r['code']}:\n{r['stderr'][-3000:]}")
            results.append(r)
            if r["wall"] > LONG_RUN_S:
                log(f"note: {r['wall']:.1f} s for one run, over {LONG_RUN_S:.0f} s: not repeated")
                break
    finally:
        os.chdir(old)
    med = lambda k: statistics.median(r[k] for r in results)  # noqa: E731
    return med("wall"), med("file"), med("anon"), [r["wall"] for r in results]


def output(argv, cwd: Path) -> dict:
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"attribution: {' '.join(map(str, argv))} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout)


EVERY_DESTROY = """\
rule "bench-every-destroy" {
  description = "Every delete or replace, so that the benchmark sees each one's authorship."
  severity    = "info"
  match {
    actions = ["delete", "replace"]
  }
}
"""


def authorships(report: dict) -> dict[str, dict]:
    """address -> its finding (authored_by, basis, commits) from a check --format json report."""
    return {f["address"]: f for f in report.get("findings", []) if f.get("rule") == "bench-every-destroy"}


def attributed(binary: str, repo: Path, base: str, head: str, plan: Path) -> dict[str, dict]:
    """Every destructive change's authorship: one untimed run with a configuration (outside the
    repository, given with --config) adding an info rule that matches every delete and replace;
    the timed runs use the built-in rules only."""
    config = BENCH / "every-destroy.hcl"
    config.write_text(EVERY_DESTROY)
    return authorships(output([binary, "check", "--config", str(config), "--base", base, "--head", head,
                               "--preview", "--format", "json", str(plan)], repo))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", type=int, default=160, help="replica size in MB for target 1")
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--binary", help="plangate binary (default: target/release/plangate, built)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--only", choices=["1", "2"], help="measure one target only")
    ap.add_argument("--results", default=str(BENCH / "attribution.md"))
    args = ap.parse_args()
    if args.binary:
        binary = str(Path(args.binary).resolve())
    else:
        if not args.no_build:
            subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "release" / "plangate")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    problems: list[str] = []
    rows: list[str] = []
    verdicts: list[tuple[str, bool, str]] = []
    commands: list[str] = []

    if args.only in (None, "1"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "make-plan.py"), "--sizes", str(args.size)],
                       check=True, stdout=subprocess.DEVNULL)
        plan = BENCH / f"plan-{args.size}.json"
        copies = int(plan.with_name(plan.name + ".README").read_text().split(" x")[1].split(":")[0])
        mp = load_make_plan()
        repo = BENCH / "attribution-repo"
        stamp = f"fleet v2 commits={args.commits} copies={copies}"
        if not stamp_ok(repo, stamp):
            hist = fleet_history(mp, args.commits, copies)
            hist.write(repo)
            write_stamp(repo, stamp)
            log(f"wrote {repo} ({len(hist.commits)} commits, {len(hist.files)} files at the head)")
        shas = rev_list(repo)
        base, head = shas[-1 - args.commits], shas[-1]
        check = [binary, "check", "--base", base, "--head", head, "--preview", "--format", "json", str(plan)]
        changes = [binary, "changes", "--format", "json", str(plan)]
        # Correctness, once: every destructive change attributed, none unknown.
        auth = attributed(binary, repo, base, head, plan)
        n_destructive = int(plan.with_name(plan.name + ".README").read_text().split(' resource_changes, ')[1].split()[0])
        if len(auth) != n_destructive:
            problems.append(f"target 1: {len(auth)} destructive changes in the report, the plan has {n_destructive}")
        unknown = sum(1 for a in auth.values() if a.get("authored_by") == "unknown")
        widened = sum(1 for a in auth.values() if a.get("basis") == "infrastructure-files")
        log(f"target 1: {len(auth)} attributed changes, {unknown} unknown, {widened} widened to "
            "infrastructure files")
        if unknown:
            problems.append(f"target 1: {unknown} changes attributed to no commit")
        c_wall, c_rss, c_anon, c_runs = timed(changes, repo, args.runs)
        # The correctness run above (the same work and one more rule) is its warm-up.
        k_wall, k_rss, k_anon, k_runs = timed(check, repo, args.runs, warm=False)
        ratio = k_wall / c_wall
        commands += [f"cd {repo} && " + " ".join(changes), f"cd {repo} && " + " ".join(check)]
        size = plan.stat().st_size / 1e6
        rows += [
            f"| 1 | changes, {plan.name} ({size:.0f} MB) | {c_wall * 1000:.0f} | {c_rss:.0f} | {c_anon:.0f} | "
            + ", ".join(f"{w * 1000:.0f}" for w in c_runs) + " |",
            f"| 1 | check --preview, {args.commits}-commit range, {len(auth)} destructive changes | "
            f"{k_wall * 1000:.0f} | {k_rss:.0f} | {k_anon:.0f} | " + ", ".join(f"{w * 1000:.0f}" for w in k_runs) + " |",
        ]
        verdicts.append((f"check ÷ changes ≤ {CHECK_RATIO_MAX:.0f}× ({size:.0f} MB plan, "
                         f"{args.commits} commits)", ratio <= CHECK_RATIO_MAX, f"{ratio:.2f}×"))

    if args.only in (None, "2"):
        repo = BENCH / "eval-repo"
        stamp = f"eval v2 commits={args.commits}"
        hist, deleted = eval_history(args.commits)
        if not stamp_ok(repo, stamp):
            hist.write(repo)
            write_stamp(repo, stamp)
            log(f"wrote {repo} ({len(hist.commits)} commits, {len(hist.files)} files at the head)")
        shas = rev_list(repo)
        base, head = shas[0], shas[-1]
        with_eval, without = BENCH / "eval-plan-each-key.json", BENCH / "eval-plan-no-config.json"
        eval_plan(with_eval, deleted, "delete_because_each_key", hist.files)
        eval_plan(without, deleted, "delete_because_no_resource_config", hist.files)
        empty = BENCH / "eval-plan-empty.json"
        eval_plan(empty, {}, "", hist.files)
        # Correctness: with evaluation, each key's deletion is attributed to the commit that removed it.
        auth = attributed(binary, repo, base, head, with_eval)
        for addr, ci in deleted.items():
            got = [c["sha"] for c in auth.get(addr, {}).get("commits", [])]
            if got != [shas[ci]]:
                problems.append(f"target 2: {addr} attributed to {len(got)} commits "
                                f"({', '.join(g[:10] for g in got)}), expected only {shas[ci][:10]}")
        argv = lambda p: [binary, "check", "--base", base, "--head", head, "--preview", "--format", "json", str(p)]  # noqa: E731
        e_wall, e_rss, e_anon, e_runs = timed(argv(with_eval), repo, args.runs)
        n_wall, n_rss, n_anon, n_runs = timed(argv(without), repo, args.runs)
        z_wall, z_rss, z_anon, z_runs = timed(argv(empty), repo, args.runs)
        extra = (e_wall - n_wall) * 1000
        commands += [f"cd {repo} && " + " ".join(argv(p)) for p in (with_eval, without, empty)]
        rows += [
            f"| 2 | check, {len(deleted)} `delete_because_each_key` (evaluated), {len(hist.files)} files, "
            f"{args.commits} commits | {e_wall * 1000:.0f} | {e_rss:.0f} | {e_anon:.0f} | "
            + ", ".join(f"{w * 1000:.0f}" for w in e_runs) + " |",
            f"| 2 | check, same deletes as `delete_because_no_resource_config` (no evaluation) | "
            f"{n_wall * 1000:.0f} | {n_rss:.0f} | {n_anon:.0f} | " + ", ".join(f"{w * 1000:.0f}" for w in n_runs) + " |",
            f"| 2 | check, a plan with no changes (no attribution at all; for reference) | "
            f"{z_wall * 1000:.0f} | {z_rss:.0f} | {z_anon:.0f} | " + ", ".join(f"{w * 1000:.0f}" for w in z_runs) + " |",
        ]
        log(f"target 2: evaluated − not evaluated {extra:+.0f} ms; evaluated − no changes "
            f"{(e_wall - z_wall) * 1000:+.0f} ms (all of attribution, an upper bound of evaluation's cost)")
        verdicts.append((f"evaluation adds ≤ {EVAL_EXTRA_MAX_MS:.0f} ms ({len(hist.files)} files, "
                         f"{args.commits} commits)", extra <= EVAL_EXTRA_MAX_MS, f"{extra:+.0f} ms"))

    failed = bool(problems) or any(not ok for _, ok, _ in verdicts)
    report = "\n".join([
        "# plangate attribution benchmark", "",
        f"{version}; {args.runs} timed runs after a warm-up (one run when a run takes over "
        f"{LONG_RUN_S:.0f} s), medians; wall ms; peak RssFile (the mmap'd plan's pages read) and "
        "peak RssAnon (heap), sampled from /proc every 2 ms, in MB; see bench/README.md.", "",
        "| target | command | median wall ms | peak RssFile MB | peak RssAnon MB | runs ms |",
        "|---|---|---:|---:|---:|---|",
        *rows, "",
        "## Targets", "",
        *(f"- {'PASS' if ok else 'FAIL'}: {name}: {value}" for name, ok, value in verdicts),
        *(f"- FAIL: check: {p}" for p in problems), "",
        "## Commands", "", *(f"    {c}" for c in commands), "",
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
