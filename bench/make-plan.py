#!/usr/bin/env python3
"""Make big Terraform plan JSON files for the plangate benchmark.

  python3 bench/make-plan.py [--instances N] [--sizes 50,150,300] [--out target/bench] [--force]

1. plan-real.json: a REAL plan, made by the installed terraform 1.11.x (offline, built-in
   `terraform_data` only). The prior state holds N instances spread over root resource blocks
   and 20 module instances x 5 blocks; the changed configuration gives a realistic mix of
   no-op / update / replace / delete / create. Applying thousands of instances is quadratic
   (Terraform rewrites the state after each one), so the state is WRITTEN directly (format v4),
   after checking on a small configuration that our writer produces exactly the state
   `terraform apply` writes. See /work/shared/reference/terraform-plan.md section 10.
2. plan-<size>.json: about <size> MB, made by REPLICATING the real plan's entries K times under
   renamed addresses (`module.replica_K.` prefix) in every section, so the byte mix stays that of
   a real plan. These are not Terraform output; a sidecar plan-<size>.json.README says so.

Every file's change and delete counts are printed. Python 3.11 stdlib only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from itertools import chain
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REQUIRED_TF = "1.11."
PROVIDER = 'provider["terraform.io/builtin/terraform"]'

# The fleet: module instances (services) x resource blocks, plus root-level blocks.
SERVICES = [
    "billing", "checkout", "catalog", "payments", "identity", "notifications", "search-api",
    "orders", "inventory", "shipping", "pricing", "reviews", "recommendations", "media",
    "analytics", "gateway", "ledger", "fraud", "support", "legacy-reports",
]
REMOVED_SERVICE = "legacy-reports"  # in the state, gone from the new configuration
NEW_SERVICE = "loyalty"  # new in the configuration: all creates
BLOCKS = {"api": 1.3, "worker": 1.1, "queue": 0.9, "cache": 0.7, "cron": 1.0}  # count weights
CBD_BLOCK = "api"  # create_before_destroy: its replaces are ["create","delete"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"]
TEAMS = ["payments", "platform", "growth", "core", "data", "edge", "sre"]

SEP = (",", ":")  # terraform show -json writes single-line JSON without spaces


def dumps(value) -> str:
    """JSON text as Go's encoding/json writes it (no spaces, raw UTF-8, HTML-safe escapes)."""
    text = json.dumps(value, separators=SEP, ensure_ascii=False)
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        # These characters can only occur inside JSON strings, so a textual replace is safe.
        for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                        ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
            text = text.replace(ch, esc)
    return text


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# The fleet data (what the configuration reads with jsondecode(file(...)))
# ---------------------------------------------------------------------------

def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def make_input(rng: random.Random, service: str, block: str, key) -> dict:
    """About 20 attributes of realistic-looking service settings (~0.9 KB of JSON)."""
    region = rng.choice(REGIONS)
    name = f"{service}-{block}-{key}" if isinstance(key, str) else f"{service}-{block}-{key:03d}"
    team = rng.choice(TEAMS)
    n_az = rng.choice([2, 3, 3])
    return {
        "name": name,
        "service": service,
        "component": block,
        "region": region,
        "availability_zones": [f"{region}{z}" for z in "abc"[:n_az]],
        "team": team,
        "owner": f"{team}-oncall@example.com",
        "cost_center": f"CC-{rng.randint(1000, 9999)}",
        "image": f"123456789012.dkr.ecr.{region}.amazonaws.com/{service}/{block}",
        "image_tag": f"v{rng.randint(1, 4)}.{rng.randint(0, 60)}.{rng.randint(0, 20)}",
        "replicas": rng.choice([2, 3, 3, 4, 6, 8]),
        "cpu": rng.choice([256, 512, 1024, 2048]),
        "memory_mb": rng.choice([512, 1024, 2048, 4096]),
        "port": rng.choice([8080, 8443, 9000, 3000]),
        "enabled": rng.random() > 0.05,
        "weight": rng.choice([0.1, 0.25, 0.5, 1]),
        "log_retention_days": rng.choice([7, 14, 30, 90]),
        "subnets": [f"subnet-0{hexid(rng, 16)}" for _ in range(n_az)],
        "security_groups": [f"sg-0{hexid(rng, 16)}" for _ in range(rng.choice([1, 2, 2, 3]))],
        "health_check": {
            "path": rng.choice(["/healthz", "/ready", "/status"]),
            "interval_s": 30,
            "timeout_s": 5,
            "healthy_threshold": 3,
        },
        "scaling": {"min": 2, "max": rng.choice([6, 10, 20]), "target_cpu": rng.choice([0.5, 0.6, 0.7])},
        "env_vars": {
            "LOG_LEVEL": rng.choice(["info", "warn", "debug"]),
            "DB_HOST": f"{service}-db.{region}.rds.internal.example.com",
            "FEATURE_FLAGS": ",".join(rng.sample(["new-ui", "fast-path", "v2-auth", "batching", "audit"], 3)),
        },
        "tags": {
            "Name": name,
            "Service": service,
            "Environment": "production",
            "Team": team,
            "ManagedBy": "terraform",
        },
    }


def make_entry(rng, service, block, key) -> dict:
    return {"input": make_input(rng, service, block, key), "rev": f"sha256:{hexid(rng, 16)}"}


def build_fleet(n: int, seed: int):
    """The prior ("before") fleet and the changed ("after") fleet, plus expected actions.

    A fleet is {"modules": {service: {block: [entry, ...]}}, "root": {"edge": {key: entry},
    "dns": [entry, ...], "legacy_batch": [entry, ...]}}; an entry is {"input": {...}, "rev": str}.
    """
    rng = random.Random(seed)
    n_root = max(3, n // 10)
    n_edge, n_dns = max(1, n_root // 2), max(1, n_root * 3 // 10)
    n_legacy = max(1, n_root - n_edge - n_dns)
    per_block = max(1.0, (n - n_root) / (len(SERVICES) * len(BLOCKS)))

    before = {"modules": {}, "root": {"edge": {}, "dns": [], "legacy_batch": []}}
    for s in SERVICES:
        before["modules"][s] = {
            b: [make_entry(rng, s, b, i) for i in range(max(1, round(per_block * w)))]
            for b, w in BLOCKS.items()
        }
    before["root"]["edge"] = {f"cdn-{i:03d}": make_entry(rng, "edge", "cdn", f"{i:03d}") for i in range(n_edge)}
    before["root"]["dns"] = [make_entry(rng, "dns", "zone", i) for i in range(n_dns)]
    before["root"]["legacy_batch"] = [make_entry(rng, "legacy", "batch", i) for i in range(n_legacy)]

    after = json.loads(json.dumps(before))  # deep copy
    del after["modules"][REMOVED_SERVICE]  # whole module instance gone -> delete_because_no_module
    del after["root"]["legacy_batch"]  # whole block gone -> delete_because_no_resource_config
    for i, s in enumerate(SERVICES[:-1]):
        if i % 2 == 0:
            after["modules"][s]["cron"] = after["modules"][s]["cron"][:-2]  # delete_because_count_index
        else:
            after["modules"][s]["api"] += [make_entry(rng, s, "api", len(after["modules"][s]["api"]) + j)
                                           for j in range(2)]  # creates
    after["modules"][NEW_SERVICE] = {b: [make_entry(rng, NEW_SERVICE, b, i) for i in range(2)] for b in BLOCKS}
    for i in range(n_edge, n_edge + 5):
        after["root"]["edge"][f"cdn-{i:03d}"] = make_entry(rng, "edge", "cdn", f"{i:03d}")
    # Updates (input changed) and replaces (triggers_replace changed) among survivors.
    for entry in iter_entries_flat(after):
        r = rng.random()
        if r < 0.05:
            entry["input"]["image_tag"] += "-hotfix1"
            entry["input"]["replicas"] += 1
        elif r < 0.08:
            entry["rev"] = f"sha256:{hexid(rng, 16)}"
    return before, after


def iter_instances(fleet):
    """(module address or None, block name, index key, entry) for every instance of a fleet."""
    for s, blocks in fleet["modules"].items():
        for b, entries in blocks.items():
            for i, e in enumerate(entries):
                yield f'module.svc["{s}"]', b, i, e
    root = fleet["root"]
    for k, e in root["edge"].items():
        yield None, "edge", k, e
    for name in ("dns", "legacy_batch"):
        for i, e in enumerate(root.get(name, [])):
            yield None, name, i, e


def iter_entries_flat(fleet):
    for _, _, _, e in iter_instances(fleet):
        yield e


def address(module, block, key) -> str:
    idx = f'["{key}"]' if isinstance(key, str) else f"[{key}]"
    return (f"{module}." if module else "") + f"terraform_data.{block}{idx}"


def expected_actions(before, after) -> dict:
    old = {address(m, b, k): e for m, b, k, e in iter_instances(before)}
    new = {address(m, b, k): (b, e) for m, b, k, e in iter_instances(after)}
    out = {}
    for a, e in old.items():
        if a not in new:
            out[a] = ["delete"]
            continue
        block, ne = new[a]
        if ne["rev"] != e["rev"]:
            out[a] = ["create", "delete"] if block == CBD_BLOCK else ["delete", "create"]
        elif ne["input"] != e["input"]:
            out[a] = ["update"]
        else:
            out[a] = ["no-op"]
    for a in new:
        if a not in old:
            out[a] = ["create"]
    return out


# ---------------------------------------------------------------------------
# Configuration and state
# ---------------------------------------------------------------------------

MODULE_TF = """\
variable "spec" {
  description = "Per-block lists of {input, rev} for this service"
  type        = any
}
""" + "".join(
    f"""
resource "terraform_data" "{b}" {{
  count            = length(var.spec.{b})
  input            = var.spec.{b}[count.index].input
  triggers_replace = var.spec.{b}[count.index].rev
{'''
  lifecycle {
    create_before_destroy = true
  }
''' if b == CBD_BLOCK else ''}}}
""" for b in BLOCKS)


def root_tf(with_legacy: bool) -> str:
    legacy = """
resource "terraform_data" "legacy_batch" {
  count            = length(local.fleet.root.legacy_batch)
  input            = local.fleet.root.legacy_batch[count.index].input
  triggers_replace = local.fleet.root.legacy_batch[count.index].rev
}
""" if with_legacy else ""
    return f"""\
locals {{
  fleet = jsondecode(file("${{path.module}}/fleet.json"))
}}

module "svc" {{
  source   = "./modules/svc"
  for_each = local.fleet.modules
  spec     = each.value
}}

resource "terraform_data" "edge" {{
  for_each         = local.fleet.root.edge
  input            = each.value.input
  triggers_replace = each.value.rev
}}

resource "terraform_data" "dns" {{
  count            = length(local.fleet.root.dns)
  input            = local.fleet.root.dns[count.index].input
  triggers_replace = local.fleet.root.dns[count.index].rev
}}
{legacy}"""


def write_config(work: Path, fleet, with_legacy: bool) -> None:
    (work / "modules" / "svc").mkdir(parents=True, exist_ok=True)
    (work / "modules" / "svc" / "main.tf").write_text(MODULE_TF)
    (work / "main.tf").write_text(root_tf(with_legacy))
    (work / "fleet.json").write_text(json.dumps(fleet, indent=1) + "\n")


def cty_type(v):
    """The cty type jsondecode gives a JSON value, in state's JSON type notation."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "dynamic"
    if isinstance(v, list):
        return ["tuple", [cty_type(x) for x in v]]
    return ["object", {k: cty_type(x) for k, x in sorted(v.items())}]


def sort_keys(v):
    if isinstance(v, dict):
        return {k: sort_keys(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sort_keys(x) for x in v]
    return v


def make_state(fleet, seed: int, tf_version: str) -> dict:
    """State v4 exactly as terraform apply writes it for this configuration (ids are fresh)."""
    rng = random.Random(seed)
    groups: dict[tuple, list] = {}
    for module, block, key, e in iter_instances(fleet):
        groups.setdefault((module, block), []).append((key, e))
    resources = []
    for (module, block), insts in groups.items():
        res = {"module": module} if module else {}
        res.update(mode="managed", type="terraform_data", name=block, provider=PROVIDER, instances=[])
        for key, e in insts:
            dyn = {"value": sort_keys(e["input"]), "type": cty_type(e["input"])}
            inst = {
                "index_key": key,
                "schema_version": 0,
                "attributes": {
                    "id": "-".join(hexid(rng, n) for n in (8, 4, 4, 4, 12)),
                    "input": dyn,
                    "output": dyn,
                    "triggers_replace": {"value": e["rev"], "type": "string"},
                },
                "sensitive_attributes": [],
            }
            if block == CBD_BLOCK and module:
                inst["create_before_destroy"] = True
            res["instances"].append(inst)
        resources.append(res)
    lineage = "-".join(hexid(rng, n) for n in (8, 4, 4, 4, 12))
    return {"version": 4, "terraform_version": tf_version, "serial": 1, "lineage": lineage,
            "outputs": {}, "resources": resources, "check_results": None}


def normalized_state(state: dict):
    """A state with ids/lineage/serial blanked and resources in a canonical order."""
    res = []
    for r in state["resources"]:
        r = json.loads(json.dumps(r))
        r["instances"].sort(key=lambda i: str(i["index_key"]))
        for i in r["instances"]:
            i["attributes"]["id"] = "ID"
        res.append(r)
    res.sort(key=lambda r: (r.get("module", ""), r["name"]))
    return {**state, "resources": res, "lineage": "L", "serial": 0}


# ---------------------------------------------------------------------------
# Running terraform
# ---------------------------------------------------------------------------

def tf_env(work: Path) -> dict:
    rc = work / ".terraformrc"
    rc.write_text("")  # empty CLI config: no warnings, no plugin cache, no credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(rc), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    return env


def tf(work: Path, env: dict, *args: str, stdout=None) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(["terraform", *args], cwd=work, env=env, stdout=stdout or subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"make-plan: terraform {' '.join(args)} failed (exit {p.returncode}):\n"
                 f"{p.stderr}\n{(p.stdout or '')[-4000:]}")
    return dt


def make_real_plan(out: Path, n: int, seed: int) -> None:
    try:
        ver = json.loads(subprocess.run(["terraform", "version", "-json"], capture_output=True,
                                        text=True, check=True).stdout)["terraform_version"]
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"make-plan: cannot run terraform: {e}")
    if not ver.startswith(REQUIRED_TF):
        sys.exit(f"make-plan: terraform {ver} found, need {REQUIRED_TF}x")
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = tf_env(work)
    t_start = time.perf_counter()

    # 1. Learn the state format: apply a SMALL fleet with the real terraform, then check that
    #    make_state() writes the same state for it (ids, lineage and serial aside).
    small, _ = build_fleet(len(SERVICES) * len(BLOCKS) * 2 + 20, seed)
    write_config(work, small, with_legacy=True)
    dt = tf(work, env, "init", "-input=false", "-no-color")
    log(f"terraform init: {dt:.1f} s")
    n_small = sum(1 for _ in iter_instances(small))
    dt = tf(work, env, "apply", "-auto-approve", "-input=false", "-no-color")
    log(f"terraform apply of the small fleet ({n_small} instances): {dt:.1f} s")
    applied = json.loads((work / "terraform.tfstate").read_text())
    ours = make_state(small, seed, ver)
    if normalized_state(applied) != normalized_state(ours):
        (work / "state-ours.json").write_text(json.dumps(normalized_state(ours), indent=1))
        (work / "state-terraform.json").write_text(json.dumps(normalized_state(applied), indent=1))
        sys.exit(f"make-plan: our state writer differs from terraform's; compare {work}/state-*.json")
    log("state writer check: our v4 state for the small fleet equals the one terraform apply wrote")

    # 2. Write the prior state for N instances directly, then plan the changed configuration.
    before, after = build_fleet(n, seed + 1)
    n_prior = sum(1 for _ in iter_instances(before))
    for f in work.glob("terraform.tfstate*"):
        f.unlink()
    (work / "terraform.tfstate").write_text(json.dumps(make_state(before, seed + 2, ver), indent=2) + "\n")
    write_config(work, after, with_legacy=False)
    log(f"wrote prior state: {n_prior} instances in {len(SERVICES)} module instances x "
        f"{len(BLOCKS)} blocks + 3 root blocks")
    dt = tf(work, env, "plan", "-out=tfplan", "-input=false", "-no-color")
    log(f"terraform plan: {dt:.1f} s")
    tmp = out / "plan-real.json.tmp"
    with open(tmp, "w") as f:
        dt = tf(work, env, "show", "-json", "tfplan", stdout=f)
    log(f"terraform show -json: {dt:.1f} s")

    # 3. Check the plan is exactly what we meant: every address with the expected actions.
    plan = json.loads(tmp.read_text())
    got = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    want = expected_actions(before, after)
    if got != want:
        bad = sorted(a for a in set(got) | set(want) if got.get(a) != want.get(a))
        sys.exit(f"make-plan: plan differs from the expected actions at {len(bad)} addresses, e.g. "
                 + "; ".join(f"{a}: got {got.get(a)} want {want.get(a)}" for a in bad[:5]))
    if plan.get("errored"):
        sys.exit("make-plan: the plan is errored")
    if dumps(plan) + "\n" != tmp.read_text(encoding="utf-8"):
        sys.exit("make-plan: re-serializing the plan does not give terraform's bytes back; "
                 "the replicated files would not be in terraform's form")
    tmp.replace(out / "plan-real.json")
    elapsed = time.perf_counter() - t_start
    (out / "plan-real.json.README").write_text(
        f"plan-real.json: real `terraform show -json` output of terraform {ver}; {n_prior} prior "
        f"instances of terraform_data (prior state written directly, see bench/make-plan.py); "
        f"made in {elapsed:.0f} s\n")
    log(f"plan matches the expected actions at all {len(want)} addresses; "
        f"real plan generation took {elapsed:.1f} s in total")


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------

def count_changes(plan: dict):
    rcs = plan.get("resource_changes") or []
    deletes = sum(1 for rc in rcs if "delete" in rc["change"]["actions"])
    kinds = Counter(",".join(rc["change"]["actions"]) for rc in rcs)
    return len(rcs), deletes, kinds


# ---------------------------------------------------------------------------
# Replication
# ---------------------------------------------------------------------------

def prefixed(addr: str, prefix: str) -> str:
    return f"{prefix}.{addr}"


def replica_change(rc: dict, prefix: str) -> dict:
    """A resource change (or drift entry) moved under module `prefix`."""
    out = {}
    for k, v in rc.items():
        if k == "address":
            out[k] = prefixed(v, prefix)
            out["module_address"] = prefixed(rc["module_address"], prefix) if "module_address" in rc else prefix
        elif k == "module_address":
            continue
        elif k == "previous_address":
            out[k] = prefixed(v, prefix)
        else:
            out[k] = v
    return out


def replica_resource(r: dict, prefix: str) -> dict:
    return {k: (prefixed(v, prefix) if k == "address" else v) for k, v in r.items()}


def replica_module(mod: dict, prefix: str, is_root: bool) -> dict:
    """A planned_values / prior_state module tree moved under module `prefix`.

    The root module becomes child module `prefix`; its child modules nest beneath it.
    Key order follows terraform's (resources, address, child_modules).
    """
    out = {}
    if mod.get("resources"):
        out["resources"] = [replica_resource(r, prefix) for r in mod["resources"]]
    out["address"] = prefix if is_root else prefixed(mod["address"], prefix)
    if mod.get("child_modules"):
        out["child_modules"] = [replica_module(c, prefix, False) for c in mod["child_modules"]]
    return out


class Stream:
    """A JSON value written as a sequence of text chunks."""

    def __init__(self, chunks):
        self.chunks = chunks


def write_value(f, v) -> None:
    if isinstance(v, Stream):
        for c in v.chunks:
            f.write(c)
    elif isinstance(v, dict) and any(isinstance(x, (Stream, dict)) for x in v.values()):
        f.write("{")
        for i, (k, x) in enumerate(v.items()):
            f.write(("," if i else "") + dumps(k) + ":")
            write_value(f, x)
        f.write("}")
    else:
        f.write(dumps(v))


def array_stream(items, batch: int = 500):
    """JSON array text for an iterable of values, a few hundred values per chunk."""
    yield "["
    first, buf = True, []
    for x in items:
        buf.append(dumps(x))
        if len(buf) >= batch:
            yield ("" if first else ",") + ",".join(buf)
            first, buf = False, []
    if buf:
        yield ("" if first else ",") + ",".join(buf)
    yield "]"


def replicated_module_tree(root: dict, copies: int) -> dict:
    """root_module with copies-1 extra child modules module.replica_1 .. replica_{copies-1}."""
    out = {k: v for k, v in root.items() if k != "child_modules"}
    originals = root.get("child_modules") or []
    out["child_modules"] = Stream(array_stream(
        chain(originals, (replica_module(root, f"module.replica_{k}", True) for k in range(1, copies))),
        batch=1))
    return out


def replicated_plan(plan: dict, copies: int) -> dict:
    """The plan with every entry present `copies` times (the original + copies-1 replicas)."""
    ks = range(1, copies)
    out = dict(plan)
    for key in ("resource_changes", "resource_drift"):
        if plan.get(key):
            rcs = plan[key]
            out[key] = Stream(array_stream(
                chain(rcs, (replica_change(rc, f"module.replica_{k}") for k in ks for rc in rcs))))
    if plan.get("relevant_attributes"):
        ra = plan["relevant_attributes"]
        out["relevant_attributes"] = ra + [{**a, "resource": prefixed(a["resource"], f"module.replica_{k}")}
                                           for k in ks for a in ra]
    if "planned_values" in plan:
        out["planned_values"] = {**plan["planned_values"],
                                 "root_module": replicated_module_tree(plan["planned_values"]["root_module"], copies)}
    if "prior_state" in plan:
        ps = plan["prior_state"]
        out["prior_state"] = {**ps, "values": {**ps["values"],
                                               "root_module": replicated_module_tree(ps["values"]["root_module"], copies)}}
    if "configuration" in plan:
        cfg = plan["configuration"]
        root = cfg["root_module"]
        calls = dict(root.get("module_calls") or {})
        # The replica module is the root module one directory down (attribution.py's
        # replica_tf): its calls' relative sources gain a `../`, as terraform would record them.
        replica = {**root, "module_calls": {
            name: {**call, "source": "../" + call["source"][2:]} if call.get("source", "").startswith("./") else call
            for name, call in (root.get("module_calls") or {}).items()}}
        for k in ks:
            calls[f"replica_{k}"] = {"source": "./replica", "module": replica}
        out["configuration"] = {**cfg, "root_module": {**root, "module_calls": calls}}
    return out


def write_replica(plan: dict, copies: int, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as f:
        write_value(f, replicated_plan(plan, copies))
        f.write("\n")
    tmp.replace(path)


def verify_replica(path: Path, copies: int, real_counts) -> tuple[int, int]:
    """Parse a replicated file fully and check counts, uniqueness and module addresses."""
    plan = json.loads(path.read_bytes())
    n, d, kinds = count_changes(plan)
    rn, rd, rkinds = real_counts
    assert n == rn * copies and d == rd * copies, (n, d)
    assert kinds == Counter({k: v * copies for k, v in rkinds.items()})
    keys = [(rc["address"], rc.get("deposed")) for rc in plan["resource_changes"]]
    assert len(set(keys)) == len(keys), "duplicate addresses"
    for rc in plan["resource_changes"]:
        ma = rc.get("module_address")
        assert (ma is None and not rc["address"].startswith("module.")) or rc["address"].startswith(ma + "."), rc["address"]

    def count_tree(m):
        return len(m.get("resources", [])) + sum(count_tree(c) for c in m.get("child_modules", []))

    def addresses_ok(m, parent):
        for r in m.get("resources", []):
            assert r["address"].startswith(parent + ".") if parent else not r["address"].startswith("module."), r["address"]
        for c in m.get("child_modules", []):
            assert not parent or c["address"].startswith(parent + "."), c["address"]
            addresses_ok(c, c["address"])

    for tree in (plan["planned_values"]["root_module"], plan["prior_state"]["values"]["root_module"]):
        addresses_ok(tree, "")
    return count_tree(plan["planned_values"]["root_module"]), count_tree(plan["prior_state"]["values"]["root_module"])


# ---------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=int, default=2600,
                    help="prior-state instances in the real plan (default 2600: ~25 MB, so that the "
                         "default sizes are 2, 6 and 12 whole copies)")
    ap.add_argument("--sizes", default="50,150,300",
                    help="replicated files, comma-separated minimum sizes in MB (10^6 bytes); "
                         "each is the smallest whole number of copies of plan-real.json that "
                         "reaches the size; '' for none")
    ap.add_argument("--out", default=str(REPO / "target" / "bench"), help="output directory")
    ap.add_argument("--force", action="store_true", help="remake plan-real.json and the replicas")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--verify-all", action="store_true",
                    help="fully parse every replicated file (default: the smallest only)")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    real = out / "plan-real.json"
    if real.exists() and not args.force:
        log(f"reusing {real} (use --force to remake it)")
    else:
        make_real_plan(out, args.instances, args.seed)

    t0 = time.perf_counter()
    plan = json.loads(real.read_bytes())
    real_size = real.stat().st_size
    real_counts = count_changes(plan)
    n, d, kinds = real_counts
    log(f"\nplan-real.json: {real_size / 1e6:.1f} MB, {n} resource_changes, {d} with \"delete\" "
        f"in actions; actions: " + ", ".join(f"[{k}] {v}" for k, v in sorted(kinds.items())))
    bytes_by_key = {k: len(dumps(v)) for k, v in plan.items()}
    log("  bytes by top-level key: " + ", ".join(
        f"{k} {v / real_size:.0%}" for k, v in sorted(bytes_by_key.items(), key=lambda kv: -kv[1]) if v > 1000))

    summary = [("plan-real.json", real_size, n, d, "real terraform output")]
    made = []
    for size in sizes:
        copies = max(1, math.ceil(size * 1e6 / real_size))  # at least `size` MB
        if copies == 1:
            log(f"note: the real plan is already {size} MB or more; plan-{size}.json is a plain copy")
        path = out / f"plan-{size}.json"
        renamed = ("no renamed copies" if copies == 1 else
                   f"{copies - 1} renamed {'copy' if copies == 2 else 'copies'} under module.replica_1"
                   + (f" .. module.replica_{copies - 1}" if copies > 2 else ""))
        note = (f"{path.name}: REPLICATED from plan-real.json ({real_size} bytes) x{copies}: its entries "
                f"plus {renamed}; not terraform output. "
                f"{copies * n} resource_changes, {copies * d} with \"delete\" in actions.")
        readme = path.with_name(path.name + ".README")
        if path.exists() and readme.exists() and not args.force and readme.read_text().strip() == note:
            log(f"reusing {path.name}")
        else:
            t1 = time.perf_counter()
            write_replica(plan, copies, path)
            readme.write_text(note + "\n")
            log(f"wrote {path.name} in {time.perf_counter() - t1:.1f} s")
        log("  " + note)
        summary.append((path.name, path.stat().st_size, copies * n, copies * d, f"replicated x{copies}"))
        made.append((path, copies))

    to_verify = made if args.verify_all else made[:1]
    for path, copies in to_verify:
        t1 = time.perf_counter()
        pv, ps = verify_replica(path, copies, real_counts)
        log(f"verified {path.name} with python's json module in {time.perf_counter() - t1:.1f} s: "
            f"{copies * n} resource_changes, {copies * d} deletes, unique addresses, "
            f"{pv} planned_values and {ps} prior_state resources")

    log("\n| file | size MB | resource_changes | with \"delete\" | source |\n|---|---:|---:|---:|---|")
    for name, size, n_rc, n_del, src in summary:
        log(f"| {name} | {size / 1e6:.1f} | {n_rc} | {n_del} | {src} |")
    log(f"(replication and checks took {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
