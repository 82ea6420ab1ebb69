#!/usr/bin/env python3
"""Replay real public git histories and measure how exact plangate's attribution is.

For ranges of real first-parent history of a clone (outside this repository), the
script finds the destructive changes the history really made, by its own reading of
the declarations (independent of plangate):

- Terraform: a `resource` block present at the base and absent at the head (in the
  root module, or in a local module reached from it through `module` calls with
  local sources) is a delete of that address; a removed `module` call deletes the
  resources of its source directory. Addresses named by a `moved`/`removed` block
  at the head are skipped (Terraform would not delete them).
- CloudFormation: a top-level `Resources` logical id present at the base and absent
  at the head of the same template is a `Remove`.

The causing commits of each change are the commits of the range that made the
declaration disappear (present in the parent, absent in the commit; for a merge:
present in every parent, absent in the merge). A commit that touched the file but
not the declaration is not a cause.

Then one real commit of the range is marked agent-written (a `Co-authored-by:
Claude <noreply@anthropic.com>` trailer; the range is rewritten in the clone's
object store with identical trees): once a causing commit, once an unrelated one.
A synthetic plan / change set with the range's destructive changes is checked
with `plangate check --preview --format json`, and for each change the commits
plangate attributes are compared with the causes:

- exact:  attributed == causes
- over:   attributed is a strict superset of causes
- missed: a causing commit is not attributed, or the agent's causing commit did
          not make `authored_by` "agent" (a security bug)

Usage:
  python3 bench/replay.py CLONE --kind tf  [--roots auto|DIR,DIR] [--window 50]
  python3 bench/replay.py CLONE --kind cfn [--window 50]
  python3 bench/replay.py --report          # rebuild target/bench/replay.md

Each run writes target/bench/replay/<name>.json and rebuilds target/bench/replay.md
from every result file there. Stdlib only (Python 3.11).
"""
import argparse
import collections
import json
import os
import pathlib
import posixpath
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
BIN = os.environ.get("PLANGATE", "/work/bin/plangate-snapshot")
TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>"
CONFIG = """rule "every-destroy" {
  description = "Every destroy, replace and forget (replay)"
  severity    = "info"
  match { actions = ["delete", "replace", "forget"] }
}
"""
MAX_COMMITS = 200
ENV = dict(os.environ, GIT_NO_REPLACE_OBJECTS="1", LC_ALL="C")


# ---------------------------------------------------------------- git access

class Git:
    def __init__(self, repo):
        self.repo = str(repo)
        self.batch = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.repo, env=ENV,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.oid_cache = {}
        self.blob_cache = {}
        self.tree_cache = {}

    def run(self, *args, input=None, check=True):
        r = subprocess.run(["git", *args], cwd=self.repo, env=ENV, input=input,
                           capture_output=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {r.stderr.decode(errors='replace')[-500:]}")
        return r.stdout.decode(errors="replace")

    def _batch(self, spec):
        self.batch.stdin.write(spec.encode() + b"\n")
        self.batch.stdin.flush()
        header = self.batch.stdout.readline().decode()
        if header.endswith(" missing\n") or not header.strip():
            return None, None, None
        oid, kind, size = header.split()
        data = self.batch.stdout.read(int(size))
        self.batch.stdout.read(1)
        return oid, kind, data

    def oid(self, rev, path):
        """Object id of path at rev (None when absent); path '' is the root tree."""
        key = (rev, path)
        if key not in self.oid_cache:
            spec = f"{rev}^{{tree}}" if path == "" else f"{rev}:{path}"
            out = self.run("rev-parse", "--verify", "-q", spec, check=False).strip()
            self.oid_cache[key] = out or None
        return self.oid_cache[key]

    def blob(self, oid):
        if oid not in self.blob_cache:
            _, _, data = self._batch(oid)
            self.blob_cache[oid] = (data or b"").decode(errors="replace")
        return self.blob_cache[oid]

    def tree(self, oid):
        """[(mode, type, oid, name)] of a tree object."""
        if oid not in self.tree_cache:
            out = self.run("ls-tree", oid)
            rows = []
            for line in out.splitlines():
                meta, name = line.split("\t", 1)
                mode, typ, o = meta.split()
                rows.append((mode, typ, o, name))
            self.tree_cache[oid] = rows
        return self.tree_cache[oid]

    def raw_commit(self, sha):
        _, _, data = self._batch(sha)
        return data


# ---------------------------------------------------------------- HCL scanner

HEADER = re.compile(r'[ \t]*(resource|data|module|moved|removed|import)\b([^{\n]*)\{')
LABEL = re.compile(r'"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w-]*)')
ATTR = re.compile(r'[ \t]*(source|count|for_each|from)[ \t]*=[ \t]*([^\n]*)')


def mask(text):
    """Same length as text: comments, heredoc bodies and string contents blanked
    (newlines kept), so that braces can be counted."""
    out = list(text)
    n = len(text)
    i = 0
    stack = []  # 'str' or 'interp' contexts; code at depth 0 when empty
    brace = []  # brace counts inside each interpolation

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
    while i < n:
        c = text[i]
        in_str = stack and stack[-1] == "str"
        if in_str:
            if c == "\\":
                blank(i, min(i + 2, n)); i += 2; continue
            if c == '"':
                stack.pop(); i += 1; continue
            if c in "$%" and text.startswith("{", i + 1):
                blank(i, i + 2); stack.append("interp"); brace.append(0); i += 2; continue
            blank(i, i + 1); i += 1; continue
        # code (top level or inside an interpolation)
        inner = bool(stack)
        if c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j); i = j; continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j); i = j; continue
        if text.startswith("<<", i):
            m = re.match(r'<<-?([A-Za-z_][\w]*)[ \t]*\n', text[i:])
            if m:
                tag = m.group(1)
                start = i + m.end()
                mm = re.compile(r'^[ \t]*' + re.escape(tag) + r'[ \t]*$', re.M).search(text, start)
                j = mm.end() if mm else n
                blank(i, j); i = j; continue
        if c == '"':
            stack.append("str")
            if inner:
                blank(i, i + 1)
            i += 1; continue
        if inner:
            if c == "{":
                brace[-1] += 1
            elif c == "}":
                if brace[-1] == 0:
                    stack.pop(); brace.pop(); blank(i, i + 1); i += 1; continue
                brace[-1] -= 1
            blank(i, i + 1)
        i += 1
    return "".join(out)


def blocks(text):
    """Top-level blocks: [(kind, labels, attrs, body)]; attrs are the depth-1
    `source`, `count`, `for_each` and `from` values (raw text)."""
    m_text = mask(text)
    res = []
    i = 0
    n = len(text)
    depth = 0
    line_start = True
    while i < n:
        c = m_text[i]
        if depth == 0 and line_start:
            hm = HEADER.match(m_text, i)
            if hm:
                head_orig = text[hm.start(2):hm.end(2)]
                labels = [m.group(1) if m.group(0).startswith('"') else m.group(2)
                          for m in LABEL.finditer(head_orig)]
                open_at = hm.end() - 1
                d = 0
                j = open_at
                while j < n:
                    if m_text[j] == "{":
                        d += 1
                    elif m_text[j] == "}":
                        d -= 1
                        if d == 0:
                            break
                    j += 1
                body = text[hm.start():j + 1]
                attrs = {}
                k = open_at + 1
                d = 0
                ls = True
                while k < j:
                    ch = m_text[k]
                    if ls and d == 0:
                        am = ATTR.match(m_text, k)
                        if am:
                            val = text[am.start(2):am.end(2)].strip()
                            attrs.setdefault(am.group(1), val)
                    if ch in "{[(":
                        d += 1
                    elif ch in "}])":
                        d -= 1
                    ls = ch == "\n"
                    k += 1
                res.append((hm.group(1), labels, attrs, body))
                i = j + 1
                line_start = False
                continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        line_start = c == "\n"
        i += 1
    return res


def fold(s):
    return " ".join(s.split())


# ---------------------------------------------------------------- Terraform model

class TF:
    def __init__(self, git):
        self.git = git
        self.dir_cache = {}

    def decls(self, rev, d):
        """Declarations of the module in directory d at rev (None when no .tf there)."""
        oid = self.git.oid(rev, d)
        if oid is None:
            return None
        if oid in self.dir_cache:
            return self.dir_cache[oid]
        res = {"resources": {}, "modules": {}, "from": [], "files": {}}
        any_tf = False
        try:
            rows = self.git.tree(oid)
        except RuntimeError:
            rows = []
        for mode, typ, o, name in rows:
            if typ != "blob" or not name.endswith(".tf"):
                continue
            any_tf = True
            path = posixpath.join(d, name) if d else name
            for kind, labels, attrs, body in blocks(self.git.blob(o)):
                if kind == "resource" and len(labels) >= 2:
                    res["resources"][(labels[0], labels[1])] = {
                        "index": index_kind(attrs), "file": path, "text": fold(body)}
                elif kind == "module" and labels:
                    src = attrs.get("source", "")
                    m = re.match(r'"([^"]*)"', src)
                    src = m.group(1) if m else src
                    local = None
                    if src.startswith("./") or src.startswith("../"):
                        local = posixpath.normpath(posixpath.join(d or ".", src))
                        if local == ".":
                            local = ""
                        if local.startswith(".."):
                            local = None
                    res["modules"][labels[0]] = {"index": index_kind(attrs), "source": src,
                                                 "local": local, "file": path}
                elif kind in ("moved", "removed") and "from" in attrs:
                    res["from"].append(attrs["from"])
        if not any_tf:
            res = None
        self.dir_cache[oid] = res
        return res

    def expand(self, rev, root):
        """{key: chain} for every managed resource reachable from root at rev.
        key: tuple of names (('module','a'),...,('resource','T','N'));
        chain: [(dir, kind, ident, index)] links from the root down."""
        out = {}

        def walk(d, prefix, chain, seen):
            dec = self.decls(rev, d)
            if dec is None or len(chain) > 12:
                return
            for (t, nm), r in dec["resources"].items():
                out[prefix + (("resource", t, nm),)] = chain + [(d, "resource", (t, nm), r["index"])]
            for nm, m in dec["modules"].items():
                if m["local"] is None or m["local"] in seen:
                    continue
                walk(m["local"], prefix + (("module", nm),),
                     chain + [(d, "module", (nm, m["local"]), m["index"])], seen | {m["local"]})
        walk(root, (), [], {root})
        return out

    def present(self, rev, link):
        d, kind, ident, _ = link
        dec = self.decls(rev, d)
        if dec is None:
            return False
        if kind == "resource":
            return ident in dec["resources"]
        m = dec["modules"].get(ident[0])
        return m is not None and m["local"] == ident[1]


def index_kind(attrs):
    if "count" in attrs:
        return "count"
    if "for_each" in attrs:
        return "for_each"
    return None


def idx(kind):
    return {"count": "[0]", "for_each": '["replay"]'}.get(kind, "")


def address_of(chain):
    mod = "".join(f"module.{ln[2][0]}{idx(ln[3])}." for ln in chain[:-1])
    t, n = chain[-1][2]
    return mod.rstrip("."), f"{mod}{t}.{n}{idx(chain[-1][3])}"


def link_label(link):
    _, kind, ident, _ = link
    return f"{ident[0]}.{ident[1]}" if kind == "resource" else f"module.{ident[0]}"


# ---------------------------------------------------------------- CloudFormation model

TOP_KEY = re.compile(r'^(?:"([^"]+)"|\'([^\']+)\'|([A-Za-z0-9_.:-]+))[ \t]*:(?:[ \t]|$)')
TYPE_RE = re.compile(r'^[ \t]*["\']?Type["\']?[ \t]*:[ \t]*["\']?([A-Za-z0-9:_]+)')
CFN_EXT = (".yaml", ".yml", ".json", ".template")


def cfn_resources(text):
    """{logical id: type} of a template's top-level Resources (None when not a template)."""
    s = text.lstrip()
    if s.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        r = doc.get("Resources") if isinstance(doc, dict) else None
        if not isinstance(r, dict):
            return None
        out = {k: (v.get("Type") if isinstance(v, dict) else None) for k, v in r.items()}
        return out if any(isinstance(t, str) and "::" in t for t in out.values()) else None
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if re.match(r'^["\']?Resources["\']?[ \t]*:[ \t]*(#.*)?$', line):
            start = i + 1
            break
    if start is None:
        return None
    out = {}
    ind = None
    cur = None
    for line in lines[start:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lead = len(line) - len(line.lstrip(" "))
        if lead == 0:
            break
        if ind is None:
            ind = lead
        if lead == ind:
            m = TOP_KEY.match(line[lead:])
            if m:
                cur = m.group(1) or m.group(2) or m.group(3)
                out[cur] = None
            continue
        if cur is not None and out[cur] is None and lead > ind:
            tm = TYPE_RE.match(line)
            if tm and ":" in tm.group(1):
                out[cur] = tm.group(1)
    if not any(isinstance(t, str) and "::" in t for t in out.values()):
        return None
    return out


SAM = {
    "AWS::Serverless::Function": "AWS::Lambda::Function",
    "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::LayerVersion": "AWS::Lambda::LayerVersion",
    "AWS::Serverless::Application": "AWS::CloudFormation::Stack",
}


# ---------------------------------------------------------------- ranges, causes, rewriting

def range_commits(git, base, head):
    """[(sha, [parents])] of base..head, oldest first (topological)."""
    out = git.run("rev-list", "--topo-order", "--reverse", "--parents", f"{base}..{head}")
    return [(ln.split()[0], ln.split()[1:]) for ln in out.splitlines() if ln.strip()]


def transitions(commits, present):
    """Commits that made a declaration disappear: present in the parent and
    absent in the commit; for a merge, present in every parent."""
    causes = []
    for sha, parents in commits:
        if present(sha):
            continue
        if parents and all(present(p) for p in parents):
            causes.append(sha)
    return causes


def rewrite(git, commits, marked):
    """Rewrite the range so that `marked` carries the agent trailer; trees stay
    identical. Returns {old sha: new sha} for the rewritten commits."""
    mapping = {}
    for sha, parents in commits:
        if sha != marked and not any(p in mapping for p in parents):
            continue
        raw = git.raw_commit(sha)
        head, _, msg = raw.partition(b"\n\n")
        lines = head.split(b"\n")
        kept = []
        skipping = False
        for ln in lines:
            if ln.startswith(b" ") and skipping:
                continue
            skipping = False
            if ln.startswith(b"gpgsig") or ln.startswith(b"mergetag"):
                skipping = True
                continue
            if ln.startswith(b"parent "):
                p = ln[7:].decode()
                ln = b"parent " + mapping.get(p, p).encode()
            kept.append(ln)
        if sha == marked:
            r = subprocess.run(["git", "interpret-trailers", "--trailer", TRAILER],
                               cwd=git.repo, env=ENV, input=msg, capture_output=True, check=True)
            msg = r.stdout
        obj = b"\n".join(kept) + b"\n\n" + msg
        new = git.run("hash-object", "-t", "commit", "-w", "--stdin", input=obj).strip()
        mapping[sha] = new
    return mapping


def changed_paths(git, commits):
    """{sha: set of paths changed against any parent}."""
    out = {}
    for sha, parents in commits:
        paths = set()
        for p in parents or []:
            paths |= set(git.run("diff-tree", "-r", "--name-only", "--no-commit-id", p, sha).split("\n")) - {""}
        out[sha] = paths
    return out


# ---------------------------------------------------------------- ground truth per range

def tf_truth(git, tf, base, head, roots, commits):
    """[(root, [change])] where change = {address, module_address, type, name,
    index, causes, link, file}."""
    res = []
    for root in roots:
        if tf.decls(base, root) is None or tf.decls(head, root) is None:
            continue
        at_base = tf.expand(base, root)
        at_head = tf.expand(head, root)
        changes = []
        for key, chain in at_base.items():
            if key in at_head:
                continue
            broken = [ln for ln in chain if not tf.present(head, ln)]
            if not broken:
                continue  # a link's module source changed in a way expand follows differently
            first = broken[0]
            # a moved/removed block at the head in a directory of the chain names it: not a delete
            labels = [link_label(ln) for ln in chain]
            froms = []
            for ln in chain:
                dec = tf.decls(head, ln[0])
                froms += dec["from"] if dec else []
            if any(lab in f for f in froms for lab in labels):
                continue
            causes = transitions(commits, lambda rev, ln=first: tf.present(rev, ln))
            later = set()
            for ln in broken[1:]:
                later |= set(transitions(commits, lambda rev, ln=ln: tf.present(rev, ln)))
            if not causes:
                continue
            mod, addr = address_of(chain)
            t, n = chain[-1][2]
            dec = tf.decls(base, chain[-1][0])
            changes.append({"address": addr, "module_address": mod, "type": t, "name": n,
                            "index": chain[-1][3], "causes": causes,
                            "later": sorted(later - set(causes)),
                            "link": f"{first[1]} {link_label(first)} in {first[0] or '.'}",
                            "file": dec["resources"][(t, n)]["file"]})
        if changes:
            res.append((root, changes))
    return res


def cfn_truth(git, base, head, commits, template_cache):
    res = []
    paths = git.run("diff", "--name-only", "--no-renames", base, head).splitlines()
    for path in paths:
        if not path.lower().endswith(CFN_EXT):
            continue
        ob, oh = git.oid(base, path), git.oid(head, path)
        if ob is None or oh is None:
            continue

        def parsed(oid):
            if oid not in template_cache:
                template_cache[oid] = cfn_resources(git.blob(oid))
            return template_cache[oid]
        rb, rh = parsed(ob), parsed(oh)
        if rb is None or rh is None:
            continue
        changes = []
        for lid, typ in rb.items():
            if lid in rh or not isinstance(typ, str):
                continue

            def present(rev, lid=lid):
                o = git.oid(rev, path)
                if o is None:
                    return False
                r = parsed(o)
                return r is not None and lid in r
            causes = transitions(commits, present)
            if not causes:
                continue
            changes.append({"address": lid, "type": SAM.get(typ, typ), "causes": causes,
                            "later": [], "link": f"logical id {lid}", "file": path})
        if changes:
            res.append((path, changes))
    return res


def tf_plan(changes):
    rc = []
    for c in changes:
        e = {"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["delete"], "before": {}, "after": None,
                        "after_unknown": {}, "before_sensitive": {}, "after_sensitive": False},
             "action_reason": "delete_because_no_resource_config"}
        if c["module_address"]:
            e["module_address"] = c["module_address"]
        if c["index"] == "count":
            e["index"] = 0
        elif c["index"] == "for_each":
            e["index"] = "replay"
        rc.append(e)
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": rc}


def cfn_changeset(path, changes):
    stack = re.sub(r"[^A-Za-z0-9-]", "-", path)[-100:].strip("-") or "replay"
    if not stack[0].isalpha():
        stack = "s" + stack
    return {
        "Changes": [{"Type": "Resource", "ResourceChange": {
            "Action": "Remove", "LogicalResourceId": c["address"],
            "PhysicalResourceId": f"replay-{c['address'].lower()}", "ResourceType": c["type"],
            "PolicyAction": "Delete", "Scope": [], "Details": []}} for c in changes],
        "ChangeSetName": "replay", "StackName": stack,
        "ChangeSetId": f"arn:aws:cloudformation:us-east-1:123456789012:changeSet/replay/{stack}",
        "StackId": f"arn:aws:cloudformation:us-east-1:123456789012:stack/{stack}/replay",
        "Parameters": [], "ExecutionStatus": "AVAILABLE", "Status": "CREATE_COMPLETE",
        "NotificationARNs": [], "RollbackConfiguration": {}, "Capabilities": [],
        "IncludeNestedStacks": False,
    }


# ---------------------------------------------------------------- running plangate

def run_check(repo, base, head, plan_path, config, template=None, timeout=120):
    argv = [BIN, "check", "--base", base, "--head", head, "--preview", "--format", "json",
            "--config", str(config)]
    if template:
        argv += ["--template", template]
    argv.append(str(plan_path))
    t0 = time.monotonic()
    try:
        r = subprocess.run(argv, cwd=repo, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout}s", time.monotonic() - t0, argv
    wall = time.monotonic() - t0
    if r.returncode not in (0, 1):
        return None, f"exit {r.returncode}: {r.stderr.decode(errors='replace')[-600:]}", wall, argv
    try:
        return json.loads(r.stdout), None, wall, argv
    except ValueError as e:
        return None, f"bad JSON: {e}", wall, argv


def judge(change, finding, marked, back, mode):
    causes = set(change["causes"])
    if finding is None:
        return "missed", {"why": "no every-destroy finding for the address"}
    attributed = {back.get(c["sha"], c["sha"]) for c in finding.get("commits", [])}
    info = {"attributed": sorted(attributed), "extra": sorted(attributed - causes),
            "missing": sorted(causes - attributed), "basis": finding.get("basis"),
            "note": finding.get("note"), "authored_by": finding.get("authored_by"),
            "wrote": {back.get(c["sha"], c["sha"]): c.get("wrote") for c in finding.get("commits", [])
                      if back.get(c["sha"], c["sha"]) not in causes}}
    if causes - attributed:
        info["why"] = "a causing commit is not attributed"
        return "missed", info
    if mode == "cause" and finding.get("authored_by") != "agent":
        info["why"] = f"the agent's causing commit is attributed but authored_by is {finding.get('authored_by')!r}"
        return "missed", info
    return ("exact" if attributed == causes else "over"), info


# ---------------------------------------------------------------- main loop

def first_parent(git):
    return git.run("rev-list", "--first-parent", "--reverse", "HEAD").split()


def replay(args):
    repo = pathlib.Path(args.clone).resolve()
    name = args.name or repo.name
    git = Git(repo)
    tf = TF(git)
    fp = first_parent(git)
    work = pathlib.Path(args.tmp) / name
    work.mkdir(parents=True, exist_ok=True)
    config = work / "catch-all.hcl"
    config.write_text(CONFIG)
    template_cache = {}
    samples, errors, ranges_seen = [], [], 0
    windows = []
    end = len(fp) - 1
    while end - args.window >= 0 and len(windows) < args.max_ranges:
        windows.append((fp[end - args.window], fp[end]))
        end -= args.step or args.window
    t_start = time.monotonic()
    for n_range, (base, head) in enumerate(windows):
        if time.monotonic() - t_start > args.time_budget:
            print(f"[{name}] time budget reached after {n_range} ranges", file=sys.stderr)
            break
        commits = range_commits(git, base, head)
        if len(commits) > MAX_COMMITS:
            continue
        ranges_seen += 1
        if args.kind == "tf":
            roots = args.roots_list if args.roots_list is not None else auto_roots(git, tf, base)
            groups = tf_truth(git, tf, base, head, roots, commits)
        else:
            groups = cfn_truth(git, base, head, commits, template_cache)
        if not groups:
            continue
        all_causes = collections.Counter(c for _, chs in groups for ch in chs for c in ch["causes"])
        # markings: the commonest causing commit, and one unrelated commit (alternately one that
        # touched infrastructure files and any other)
        markings = [("cause", all_causes.most_common(1)[0][0])]
        others = [s for s, _ in commits if s not in all_causes]
        if others:
            infra = []
            if n_range % 2 == 0:
                cp = changed_paths(git, [(s, p) for s, p in commits if s in set(others)])
                ext = (".tf", ".tfvars") if args.kind == "tf" else CFN_EXT
                infra = [s for s in others if any(p.endswith(ext) for p in cp.get(s, ()))]
            pick = (infra or others)[len(infra or others) // 2]
            markings.append(("unrelated", pick))
        for mode, marked in markings:
            mapping = rewrite(git, commits, marked)
            back = {v: k for k, v in mapping.items()}
            new_head = mapping.get(head, head)
            for unit, changes in groups:
                if args.kind == "tf":
                    pdir = repo / unit if unit else repo
                    pdir.mkdir(parents=True, exist_ok=True)
                    plan_path = pdir / ".replay-plan.json"
                    plan_path.write_text(json.dumps(tf_plan(changes)))
                    template = None
                else:
                    plan_path = work / "changeset.json"
                    plan_path.write_text(json.dumps(cfn_changeset(unit, changes)))
                    template = unit
                rel = os.path.relpath(plan_path, repo) if args.kind == "tf" else str(plan_path)
                report, err, wall, argv = run_check(repo, base, new_head, rel, config, template,
                                                    args.timeout)
                if args.kind == "tf":
                    plan_path.unlink()
                if err:
                    errors.append({"base": base, "head": head, "unit": unit, "mode": mode,
                                   "error": err, "changes": len(changes)})
                    print(f"[{name}] {base[:10]}..{head[:10]} {unit}: {err[:200]}", file=sys.stderr)
                    continue
                found = {}
                for f in report.get("findings", []):
                    if f.get("rule") == "every-destroy":
                        found.setdefault(f.get("address"), f)
                for ch in changes:
                    m = "cause" if marked in ch["causes"] else "unrelated"
                    verdict, info = judge(ch, found.get(ch["address"]), marked, back, m)
                    samples.append({"repo": name, "base": base, "head": head,
                                    "new_head": new_head, "range_commits": len(commits),
                                    "unit": unit, "address": ch["address"], "link": ch["link"],
                                    "file": ch["file"], "causes": ch["causes"],
                                    "later_links": ch["later"], "marked": marked, "mode": m,
                                    "verdict": verdict, "wall": round(wall, 3),
                                    "argv": argv, **info})
        c = collections.Counter(s["verdict"] for s in samples)
        print(f"[{name}] range {n_range + 1}/{len(windows)} {base[:10]}..{head[:10]} "
              f"({len(commits)} commits): {len(samples)} samples {dict(c)}", file=sys.stderr)
    result = {"repo": name, "clone": str(repo), "kind": args.kind, "window": args.window,
              "ranges": ranges_seen, "samples": samples, "errors": errors}
    (OUT / "replay").mkdir(parents=True, exist_ok=True)
    (OUT / "replay" / f"{name}.json").write_text(json.dumps(result, indent=1))
    return result


def auto_roots(git, tf, rev):
    """Directories with .tf files that no local module call of another directory names."""
    files = git.run("ls-tree", "-r", "--name-only", rev).splitlines()
    dirs = sorted({posixpath.dirname(f) for f in files if f.endswith(".tf")})
    called = set()
    for d in dirs:
        dec = tf.decls(rev, d)
        if dec:
            called |= {m["local"] for m in dec["modules"].values() if m["local"] is not None}
    return [d for d in dirs if d not in called]


# ---------------------------------------------------------------- report

def short(s, n=12):
    return s[:n] if s else s


def generic(text):
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = re.sub(r'"[^"]*"', '"…"', text)
    return re.sub(r" in [^ ()]+", " in …", text)


def reason(s):
    note = generic(s.get("note") or "")
    return f"basis={s.get('basis')}" + (f"; note: {note[:140]}" if note else "")


def extra_kinds(s):
    """What plangate says the extra commits wrote, made generic."""
    kinds = set()
    for w in (s.get("wrote") or {}).values():
        for line in w or ["(nothing said)"]:
            kinds.add(generic(line)[:120])
    return sorted(kinds) or ["(nothing said)"]


def report():
    results = [json.loads(p.read_text()) for p in sorted((OUT / "replay").glob("*.json"))]
    lines = ["# plangate attribution replay on real histories", "",
             "exact: attributed == causing commits; over: strict superset; missed: a causing "
             "commit not attributed, or the agent's causing commit without `authored_by: agent`.", "",
             "| repository | kind | ranges | ranges with deletes | samples | agent on cause | exact | over | missed | unrelated agent -> `agent` (over-blame) | plangate errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tot = collections.Counter()
    for r in results:
        c = collections.Counter(s["verdict"] for s in r["samples"])
        cause = sum(1 for s in r["samples"] if s["mode"] == "cause")
        wr = len({(s["base"], s["head"]) for s in r["samples"]})
        fa = sum(1 for s in r["samples"] if s["mode"] == "unrelated" and s.get("authored_by") == "agent")
        lines.append(f"| {r['repo']} | {r['kind']} | {r['ranges']} | {wr} | {len(r['samples'])} | {cause} | "
                     f"{c['exact']} | {c['over']} | {c['missed']} | {fa} | {len(r['errors'])} |")
        tot["wr"] += wr
        tot["fa"] += fa
        tot.update(c)
        tot["samples"] += len(r["samples"])
        tot["cause"] += cause
        tot["ranges"] += r["ranges"]
        tot["errors"] += len(r["errors"])
    lines.append(f"| **overall** | | {tot['ranges']} | {tot['wr']} | {tot['samples']} | {tot['cause']} | {tot['exact']} | "
                 f"{tot['over']} | {tot['missed']} | {tot['fa']} | {tot['errors']} |")
    allsamples = [s for r in results for s in r["samples"]]
    over = [s for s in allsamples if s["verdict"] == "over"]
    lines += ["", "## Over-blame: most common reasons", "",
              "| reason (basis / note) | samples | repositories |", "|---|---:|---|"]
    rc = collections.Counter(reason(s) for s in over)
    for k, v in rc.most_common(12):
        repos = sorted({s["repo"] for s in over if reason(s) == k})
        lines.append(f"| {k.replace('|', '/')} | {v} | {', '.join(repos)} |")
    lines += ["", "## Over-blame: what the extra commits wrote (plangate's `wrote`, made generic)", "",
              "| extra commits wrote | samples |", "|---|---:|"]
    kc = collections.Counter(k for s in over for k in extra_kinds(s))
    for k, v in kc.most_common(12):
        lines.append(f"| {k.replace('|', '/')} | {v} |")
    lines += ["", "### Extra commits per over-blamed sample", ""]
    ex = collections.Counter(min(len(s["extra"]), 10) for s in over)
    lines.append(", ".join(f"{k if k < 10 else '10+'} extra: {v}" for k, v in sorted(ex.items())) or "none")
    lines += ["", "### Examples", ""]
    seen = set()
    picked = []
    for s in sorted(over, key=lambda s: (len(s["extra"]), s["repo"])):
        k = (s["repo"], reason(s), tuple(extra_kinds(s)))
        if k in seen:
            continue
        seen.add(k)
        picked.append(s)
    for s in picked[:8]:
        lines.append(f"- **{s['repo']}** `{short(s['base'])}..{short(s['head'])}` ({s['range_commits']} commits), "
                     f"{s['unit'] or '.'}: `{s['address']}` ({s['link']}); causes "
                     f"{', '.join(short(c) for c in s['causes'])}; extra {len(s['extra'])}: "
                     f"{', '.join(short(c) for c in s['extra'][:5])}{' …' if len(s['extra']) > 5 else ''}; "
                     f"{reason(s)}")
        for sha in s["extra"][:2]:
            w = (s.get("wrote") or {}).get(sha)
            lines.append(f"  - `{short(sha)}` wrote: {json.dumps(w)[:300]}")
    missed = [s for s in allsamples if s["verdict"] == "missed"]
    lines += ["", f"## Missed cases ({len(missed)})", ""]
    for s in missed:
        lines.append(f"- **{s['repo']}** `{s['base']}..{s['head']}` (rewritten head `{s.get('new_head')}`), "
                     f"{s['unit'] or '.'}: `{s['address']}` ({s['link']}, {s['file']}); mode {s['mode']}, "
                     f"marked `{short(s['marked'])}`; causes {', '.join(short(c) for c in s['causes'])}; "
                     f"attributed {', '.join(short(c) for c in s.get('attributed', [])) or 'none'}; "
                     f"missing {', '.join(short(c) for c in s.get('missing', []))}; "
                     f"authored_by {s.get('authored_by')}; {s.get('why')}; {reason(s)}")
        lines.append(f"  - `cd {results_clone(results, s['repo'])} && {' '.join(s['argv'])}`")
    errs = [(r["repo"], e) for r in results for e in r["errors"]]
    if errs:
        lines += ["", f"## plangate errors ({len(errs)})", ""]
        for repo, e in errs[:20]:
            lines.append(f"- {repo} `{short(e['base'])}..{short(e['head'])}` {e['unit']} ({e['mode']}): "
                         f"{e['error'][:300]}")
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "replay.md").write_text(text)
    print(text)


def results_clone(results, name):
    for r in results:
        if r["repo"] == name:
            return r["clone"]
    return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clone", nargs="?", help="a local clone (outside this repository)")
    ap.add_argument("--kind", choices=["tf", "cfn"], default="tf")
    ap.add_argument("--name", help="the result's name (default: the clone's directory name)")
    ap.add_argument("--roots", default="",
                    help="Terraform root module directories, comma-separated ('.' for the "
                         "repository root; 'auto': directories no local module call names). "
                         "Default: '.' when the root has .tf files, else auto")
    ap.add_argument("--window", type=int, default=50, help="first-parent commits per range")
    ap.add_argument("--step", type=int, default=0, help="first-parent commits between range ends (default: window)")
    ap.add_argument("--max-ranges", type=int, default=40)
    ap.add_argument("--timeout", type=int, default=120, help="seconds per plangate call")
    ap.add_argument("--time-budget", type=int, default=900, help="seconds per repository")
    ap.add_argument("--tmp", default="/tmp/replay/work")
    ap.add_argument("--report", action="store_true", help="only rebuild target/bench/replay.md")
    args = ap.parse_args()
    if not args.report:
        if not args.clone:
            ap.error("a clone is needed (or --report)")
        git = Git(args.clone)
        if args.roots == "auto":
            args.roots_list = None
        elif args.roots:
            args.roots_list = ["" if r in (".", "") else r.strip("/") for r in args.roots.split(",")]
        else:
            head_tf = any(n.endswith(".tf") for n in git.run("ls-tree", "--name-only", "HEAD").split("\n"))
            args.roots_list = [""] if head_tf else None
        replay(args)
    report()


if __name__ == "__main__":
    main()
