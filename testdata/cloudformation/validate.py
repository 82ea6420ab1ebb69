#!/usr/bin/env python3
"""Check the CloudFormation change-set fixtures in this directory.

    python3 validate.py [--model PATH] [--dir DIR]

Always:
  * every *.json file parses;
  * README.md lists every fixture, and the normalized result it promises for each one is what
    an independent reading of the file by design.md's "Normalized actions" table gives
    (this script's `expected()`; it is an oracle for the fixtures, not plangate's code).

With --model (botocore's cloudformation/2010-05-15/service-2.json, or the .json.gz that
recent botocore wheels ship, or a directory holding botocore/data/...):
  * every fixture conforms to DescribeChangeSetOutput (console-export.json: to a list of
    Change, after its camelCase keys are capitalised): no unknown members, types, enums,
    lengths, patterns, required members. null counts as absent, as the AWS CLI prints it.
    A top-level ResponseMetadata (boto3 dumps) is allowed.
  * the deliberately wrong fixtures break the model exactly where they are meant to, and
    nowhere else (DELIBERATE below).
Without --model the model checks are skipped with a message.

Exit status 0 when everything holds, 1 otherwise.
"""
import argparse
import subprocess
import collections
import datetime
import gzip
import json
import pathlib
import re
import sys

MODEL_REL = "botocore/data/cloudformation/2010-05-15/service-2.json"

# file -> the model violations it must have (substrings of the messages), and no others
DELIBERATE = {
    "unknown-action.json": ["Changes[1].ResourceChange.Action: 'Teleport' not in enum"],
    "unknown-replacement.json": ["Changes[1].ResourceChange.Replacement: 'Maybe' not in enum"],
    "unknown-policy-action.json": ["Changes[1].ResourceChange.PolicyAction: 'RetainExceptOnCreate' not in enum"],
    "changes-not-array.json": ["Changes: expected a list"],
    "change-type-unknown.json": ["Changes[1].Type: 'Output' not in enum"],
    "status-unknown.json": ["Status: 'CREATE_COMPLETE_WITH_WARNINGS' not in enum"],
    "unknown-explanations.json": [
        "Changes[0].ResourceChange.Scope[0]: 'DependsOn' not in enum",
        "Changes[0].ResourceChange.Details[0].Target.Attribute: 'DependsOn' not in enum",
        "Changes[0].ResourceChange.Details[1].Target.RequiresRecreation: 'Sometimes' not in enum",
        "Changes[0].ResourceChange.Details[1].Evaluation: 'Deferred' not in enum",
        "Changes[0].ResourceChange.Details[1].ChangeSource: 'ExportReference' not in enum",
        "Changes[1].ResourceChange.Details[0].ChangeSource: 'ExportReference' not in enum",
        "Changes[2].ResourceChange.Details[0].Target.RequiresRecreation: 'Sometimes' not in enum",
    ],
}

ACTIONS = ("create", "update", "replace", "delete", "forget", "import")
NO_CHANGE_REASONS = (
    "The submitted information didn't contain changes.",  # CreateChangeSet on an unchanged stack
    "No updates are to be performed.",                    # the same, as the AWS CLI's deploy and CDK also accept
)
INCOMPLETE_MARKER = "[WARN] --include-property-values option can return incomplete ChangeSet data"

CS_ARN = re.compile(r"arn:aws:cloudformation:[a-z0-9-]+:\d{12}:changeSet/([A-Za-z][-A-Za-z0-9]*)/"
                    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STACK_ARN = re.compile(r"arn:aws:cloudformation:[a-z0-9-]+:\d{12}:stack/([A-Za-z][-A-Za-z0-9]*)/"
                       r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ---- the model ---------------------------------------------------------------------------

def load_model(path):
    p = pathlib.Path(path)
    if p.is_dir():
        for cand in (p / MODEL_REL, p / (MODEL_REL + ".gz")):
            if cand.exists():
                p = cand
                break
        else:
            sys.exit(f"validate: no {MODEL_REL}[.gz] under {path}")
    raw = p.read_bytes()
    if p.suffix == ".gz":
        raw = gzip.decompress(raw)
    model = json.loads(raw)
    if model.get("metadata", {}).get("uid") != "cloudformation-2010-05-15":
        sys.exit(f"validate: {p} is not the cloudformation 2010-05-15 model")
    return model["shapes"]


def parse_timestamp(s):
    try:
        datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def check_shape(shapes, name, value, where, out):
    """Append a message to `out` for each way `value` breaks shape `name`."""
    shape = shapes[name]
    kind = shape["type"]
    if value is None:
        return
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(f"{where or '.'}: expected an object ({name})")
            return
        members = shape["members"]
        for key, v in value.items():
            if key not in members:
                out.append(f"{where}.{key}: not a member of {name}".lstrip("."))
                continue
            check_shape(shapes, members[key]["shape"], v, f"{where}.{key}".lstrip("."), out)
        for req in shape.get("required", []):
            if value.get(req) is None:
                out.append(f"{where}.{req}: required by {name}".lstrip("."))
    elif kind == "list":
        if not isinstance(value, list):
            out.append(f"{where}: expected a list ({name})")
            return
        if "min" in shape and len(value) < shape["min"]:
            out.append(f"{where}: fewer than {shape['min']} items")
        if "max" in shape and len(value) > shape["max"]:
            out.append(f"{where}: more than {shape['max']} items")
        for i, item in enumerate(value):
            check_shape(shapes, shape["member"]["shape"], item, f"{where}[{i}]", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{where}: expected a string ({name})")
            return
        if "enum" in shape and value not in shape["enum"]:
            out.append(f"{where}: {value!r} not in enum {name}")
        if "min" in shape and len(value) < shape["min"]:
            out.append(f"{where}: shorter than {shape['min']}")
        if "max" in shape and len(value) > shape["max"]:
            out.append(f"{where}: longer than {shape['max']}")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value):
            out.append(f"{where}: {value!r} does not match {shape['pattern']}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: expected a boolean ({name})")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{where}: expected an integer ({name})")
            return
        if "min" in shape and value < shape["min"]:
            out.append(f"{where}: below {shape['min']}")
        if "max" in shape and value > shape["max"]:
            out.append(f"{where}: above {shape['max']}")
    elif kind == "timestamp":
        if not isinstance(value, str) or not parse_timestamp(value):
            out.append(f"{where}: not an ISO 8601 timestamp")
    else:
        out.append(f"{where}: shape type {kind} not handled by this checker")


def capitalise(value):
    """console camelCase -> the SDK's PascalCase (resourceChange -> ResourceChange)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: capitalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [capitalise(v) for v in value]
    return value


def model_violations(shapes, rel, doc):
    out = []
    if isinstance(doc, list):  # the console's "JSON changes" export
        for i, c in enumerate(capitalise(doc)):
            check_shape(shapes, "Change", c, f"[{i}]", out)
        return out
    if not isinstance(doc, dict):
        return ["top level: neither an object nor a list of changes"]
    doc = {k: v for k, v in doc.items() if k != "ResponseMetadata"}
    check_shape(shapes, "DescribeChangeSetOutput", doc, "", out)
    return out


def realism_problems(doc):
    """What the model cannot say: ids of the right form, JSON-in-a-string fields."""
    out = []
    if not isinstance(doc, dict):
        return out
    m = CS_ARN.fullmatch(doc.get("ChangeSetId") or "")
    if not m or m.group(1) != doc.get("ChangeSetName"):
        out.append("ChangeSetId is not arn:aws:cloudformation:<region>:<account>:changeSet/<ChangeSetName>/<uuid>")
    m = STACK_ARN.fullmatch(doc.get("StackId") or "")
    if not m or m.group(1) != doc.get("StackName"):
        out.append("StackId is not arn:aws:cloudformation:<region>:<account>:stack/<StackName>/<uuid>")
    for key in ("ParentChangeSetId", "RootChangeSetId"):
        if doc.get(key) and not CS_ARN.fullmatch(doc[key]):
            out.append(f"{key} is not a change set ARN")
    changes = doc.get("Changes")
    for i, c in enumerate(changes if isinstance(changes, list) else []):
        r = c.get("ResourceChange") or {}
        if r.get("ChangeSetId") and not CS_ARN.fullmatch(r["ChangeSetId"]):
            out.append(f"Changes[{i}].ResourceChange.ChangeSetId is not a change set ARN")
        if r.get("ResourceType") == "AWS::CloudFormation::Stack" and r.get("PhysicalResourceId") \
                and not STACK_ARN.fullmatch(r["PhysicalResourceId"]):
            out.append(f"Changes[{i}]: a nested stack's PhysicalResourceId is its stack ARN")
        for key in ("BeforeContext", "AfterContext", "PreviousDeploymentContext"):
            if r.get(key) is not None:
                try:
                    if not isinstance(json.loads(r[key]), dict):
                        raise ValueError
                except ValueError:
                    out.append(f"Changes[{i}].ResourceChange.{key} is not a JSON object in a string")
    return out


# ---- the oracle: design.md's "Normalized actions" table ----------------------------------

class Refused(Exception):
    pass


def get(d, key):
    """PascalCase (SDK, CLI) or camelCase (console) member."""
    if not isinstance(d, dict):
        return None
    v = d.get(key)
    return v if v is not None else d.get(key[:1].lower() + key[1:])


def action_of(rc):
    action, repl, policy = get(rc, "Action"), get(rc, "Replacement"), get(rc, "PolicyAction")
    lid = get(rc, "LogicalResourceId")
    if repl not in (None, "True", "False", "Conditional"):
        raise Refused(f"{lid}: unknown Replacement {repl!r}")
    if policy not in (None, "Delete", "Retain", "Snapshot", "ReplaceAndDelete", "ReplaceAndRetain",
                      "ReplaceAndSnapshot"):
        raise Refused(f"{lid}: unknown PolicyAction {policy!r}")
    if action == "Add":
        return "create"
    if action == "Import":
        return "import"
    if action == "SyncWithActual":
        return "update"
    if action == "Dynamic":
        return "replace"
    if action == "Modify":
        return "update" if repl == "False" else "replace"
    if action == "Remove":
        return "forget" if policy == "Retain" else "delete"
    raise Refused(f"{lid}: unknown Action {action!r}")


def changes_of(doc):
    changes = doc if isinstance(doc, list) else get(doc, "Changes")
    if not isinstance(changes, list):
        raise Refused("Changes is not a list")
    for c in changes:
        if get(c, "Type") != "Resource":
            raise Refused(f"change of Type {get(c, 'Type')!r}")
    return changes


def check_status(doc):
    """None when the change list is final, [] when the change set is an empty no-op."""
    status, reason = doc.get("Status"), doc.get("StatusReason") or ""
    if status == "FAILED" and any(reason.startswith(r) for r in NO_CHANGE_REASONS):
        return []
    if status != "CREATE_COMPLETE":
        raise Refused(f"Status {status!r}")
    if reason.startswith(INCOMPLETE_MARKER):
        raise Refused("IncludePropertyValues response marked incomplete")
    return None


def expected(docs):
    """[(address, action)] for the change sets given together, or raise Refused."""
    if len(docs) == 1 and isinstance(docs[0], list):
        return [(get(get(c, "ResourceChange"), "LogicalResourceId"), action_of(get(c, "ResourceChange")))
                for c in changes_of(docs[0])]
    by_id = collections.defaultdict(list)
    for d in docs:
        by_id[d.get("ChangeSetId")].append(d)
    merged = {}
    for cs_id, pages in by_id.items():
        finals = [p for p in pages if not p.get("NextToken")]
        tokens = [p["NextToken"] for p in pages if p.get("NextToken")]
        if len(finals) != 1 or len(set(tokens)) != len(tokens):
            raise Refused(f"{cs_id}: pages incomplete ({len(pages)} given, {len(finals)} final)")
        head = {k: v for k, v in finals[0].items() if k not in ("Changes", "NextToken", "ResponseMetadata")}
        for p in pages:
            if {k: v for k, v in p.items() if k not in ("Changes", "NextToken", "ResponseMetadata")} != head:
                raise Refused(f"{cs_id}: pages disagree on the header")
        empty = check_status(finals[0])
        merged[cs_id] = (finals[0], [] if empty == [] else [c for p in pages for c in changes_of(p)])
    roots = [i for i, (d, _) in merged.items() if not d.get("ParentChangeSetId")]
    if len(roots) != 1:
        raise Refused(f"{len(roots)} root change sets given")
    out = []

    def walk(cs_id, prefix):
        _, changes = merged[cs_id]
        for c in changes:
            r = get(c, "ResourceChange")
            addr = prefix + get(r, "LogicalResourceId")
            out.append((addr, action_of(r)))
            child = get(r, "ChangeSetId")
            if child:
                if child not in merged:
                    raise Refused(f"{addr}: nested change set {child} not given")
                walk(child, addr + "/")
    walk(roots[0], "")
    return out


# ---- README ------------------------------------------------------------------------------

def readme_expectations(text):
    """{fixture: 'refused' | Counter((address, action))} from the README's main table."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|(.*)\|\s*$", line)
        if not m:
            continue
        name, result = m.group(1), m.group(2)
        if "refused" in result.lower():
            out[name] = "refused"
        else:
            pairs = re.findall(r"`([^`]+)`\s*(?:→|->)\s*(create|update|replace|delete|forget|import)\b", result)
            out[name] = collections.Counter(pairs)
    return out


def run_plangate(binary, command, path):
    r = subprocess.run([binary, command, "--format", "json", str(path)],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def compare_with_plangate(binary, root, docs, groups):
    """plangate's reading of each input against expected(). One divergence is by
    design: a root whose nested child is missing is *listed* by `changes` (with a
    gap naming the child) and *refused* by `check`, since a root change set on its
    own must still be readable."""
    problems = []
    for name in sorted(groups):
        path = root / name.rstrip("/")
        try:
            want, refusal = collections.Counter(expected([docs[r] for r in sorted(groups[name])])), None
        except Refused as e:
            want, refusal = None, str(e)
        code, out, err = run_plangate(binary, "changes", path)
        if code not in (0, 2) or "panicked" in err:
            problems.append(f"{name}: plangate crashed (exit {code})")
            continue
        got = None
        if code == 0:
            plans = json.loads(out)["plans"]
            got = collections.Counter((c["address"], c["action"]) for p in plans for c in p["changes"])
            gaps = [g["message"] for p in plans for g in p.get("gaps", [])]
        if refusal and "nested change set" in refusal:
            child = refusal.split("nested change set ")[1].split(" ")[0]
            if code != 0 or not any(child in g for g in gaps):
                problems.append(f"{name}: `changes` should list it with a gap naming {child}")
            if run_plangate(binary, "check", path)[0] != 2:
                problems.append(f"{name}: `check` must refuse a plan with a missing nested change set")
        elif refusal:
            if code != 2 or not err.strip():
                problems.append(f"{name}: must be refused ({refusal}); plangate gave exit {code}")
        elif code != 0:
            problems.append(f"{name}: must be read; plangate refused it: {err.strip()[:200]}")
        elif got != want:
            problems.append(f"{name}: plangate differs; missing {dict(want - got)}, extra {dict(got - want)}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="service-2.json[.gz] of cloudformation 2010-05-15, or a botocore dir")
    ap.add_argument("--dir", default=str(pathlib.Path(__file__).resolve().parent))
    ap.add_argument("--bin", help="a plangate binary: run `plangate changes` (and `check`) on "
                    "every input and compare with the design's table")
    args = ap.parse_args()
    root = pathlib.Path(args.dir)
    problems = []

    docs = {}
    for p in sorted(root.rglob("*.json")):
        rel = p.relative_to(root).as_posix()
        try:
            docs[rel] = json.loads(p.read_text())
        except ValueError as e:
            problems.append(f"{rel}: not valid JSON ({e})")

    if args.model:
        shapes = load_model(args.model)
        for rel, doc in docs.items():
            got = model_violations(shapes, rel, doc)
            want = DELIBERATE.get(pathlib.PurePosixPath(rel).name if "/" not in rel else rel, [])
            for w in want:
                if not any(w in g for g in got):
                    problems.append(f"{rel}: meant to break the model with '{w}', but does not")
            for g in got:
                if not any(w in g for w in want):
                    problems.append(f"{rel}: {g}")
            problems += [f"{rel}: {m}" for m in realism_problems(doc)]
        print(f"validate: {len(docs)} files checked against the model")
    else:
        print("validate: no --model given; skipping the botocore model checks "
              "(pip download botocore, then --model <unpacked wheel dir>)")

    readme = (root / "README.md").read_text() if (root / "README.md").exists() else ""
    promised = readme_expectations(readme)
    groups = collections.defaultdict(list)
    for rel in docs:
        groups[rel.split("/")[0] + "/" if "/" in rel else rel].append(rel)
    for name in sorted(set(groups) - set(promised)):
        problems.append(f"README.md: no row for {name}")
    for name in sorted(set(promised) - set(groups)):
        problems.append(f"README.md: row for {name}, which does not exist")
    for name in sorted(set(groups) & set(promised)):
        try:
            got = collections.Counter(expected([docs[r] for r in sorted(groups[name])]))
        except Refused as e:
            got = "refused"
            reason = str(e)
        want = promised[name]
        if got != want:
            if got == "refused":
                problems.append(f"{name}: README promises {dict(want)}, the design's table refuses it ({reason})")
            elif want == "refused":
                problems.append(f"{name}: README says refused, the design's table reads {dict(got)}")
            else:
                problems.append(f"{name}: README and the design's table differ; "
                                f"missing {dict(got - want)}, extra {dict(want - got)}")
    print(f"validate: {len(promised)} README rows compared with the design's table")

    if args.bin:
        problems += compare_with_plangate(args.bin, root, docs, groups)
        print(f"validate: plangate compared with the design's table on {len(groups)} inputs")

    for p in problems:
        print(p)
    print(f"validate: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
