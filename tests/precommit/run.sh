#!/usr/bin/env bash
# plangate's pre-commit hooks (.pre-commit-hooks.yaml), run by the real
# pre-commit client through real git hooks: `bash tests/precommit/run.sh`
# (.ci/run runs it; `cargo test` does not).
#
# - pre-commit (pinned below) is installed from PyPI into target/precommit-venv.
#   If that fails the script fails: it may not be skipped.
# - The hooks under test are the work tree's, tracked and untracked files alike
#   (.gitignore'd ones left out, and the tests, fixtures, docs and examples,
#   which cannot change them): they are committed, with a fixed identity and
#   date, into a bare repository under target/precommit/hooks.git, and each
#   scratch repository's .pre-commit-config.yaml names that repository and
#   commit. (`pre-commit try-repo` is not used: it installs into a throwaway
#   store on every call, so plangate would be built with cargo on every call,
#   and with uncommitted changes it takes only staged and modified tracked files,
#   so a new, untracked .pre-commit-hooks.yaml would not be seen.)
# - pre-commit builds plangate with `cargo install` (`language: rust`) into
#   PRE_COMMIT_HOME=target/precommit/cache, once per snapshot: a minute or two
#   the first time, then reused until a file that goes into the snapshot
#   changes (a run takes seconds).
# - Each case builds a scratch repository whose history replays one of
#   testdata/attribution/<case> (trees and case.json, as tests/common/cases.rs
#   does, with fixed identities and dates), with a bare repository as its
#   `origin`, installs pre-commit's git hooks, and pushes or commits with the
#   real git: the hooks get their range from git, through pre-commit.
#
# Prints one line per case and `precommit: N passed, M failed`; exits 1 on any
# failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
testdata=$root/testdata/attribution
work=$root/target/precommit
venv=$root/target/precommit-venv
pre_commit_version=4.7.0
export PRE_COMMIT_HOME=$work/cache

die() {
  echo "tests/precommit/run.sh: $*" >&2
  exit 1
}
command -v git >/dev/null || die "git is needed"
command -v python3 >/dev/null || die "python3 is needed (pre-commit is a Python package)"
command -v cargo >/dev/null || die "cargo is needed: pre-commit builds plangate with cargo (language: rust)"
mkdir -p "$work"

# Git sees none of the machine's or the user's configuration (a core.hooksPath
# would make `pre-commit install` refuse), and plangate none of GitHub Actions'
# variables (which would take precedence over the hook's range).
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=$work/gitconfig
printf '[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n' >"$GIT_CONFIG_GLOBAL"
unset GITHUB_ACTIONS GITHUB_EVENT_NAME GITHUB_EVENT_PATH GITHUB_TOKEN GITHUB_STEP_SUMMARY GITHUB_OUTPUT
unset PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF PRE_COMMIT_ALLOW_NO_CONFIG
export NO_COLOR=1

# --- pre-commit itself -------------------------------------------------------

if [[ $("$venv/bin/pre-commit" --version 2>/dev/null) != "pre-commit $pre_commit_version" ]]; then
  echo "precommit: installing pre-commit $pre_commit_version from PyPI into ${venv#"$root"/}"
  rm -rf "$venv"
  python3 -m venv "$venv" || die "could not create a virtual environment at $venv (python3 -m venv)"
  if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check "pre-commit==$pre_commit_version" ||
    [[ $("$venv/bin/pre-commit" --version 2>/dev/null) != "pre-commit $pre_commit_version" ]]; then
    rm -rf "$venv"
    die "could not install pre-commit==$pre_commit_version from PyPI; the pre-commit tests may not be skipped"
  fi
fi
pre_commit=$venv/bin/pre-commit

# --- the hooks under test: the work tree, as a commit ------------------------

hooks_repo=$work/hooks.git
# What cannot change the hooks stays out of the snapshot, so that editing it
# does not rebuild plangate: anything not listed here is in (a new directory
# costs a rebuild at worst, never a stale hook).
not_the_hooks=(':(exclude)tests' ':(exclude)testdata' ':(exclude)examples' ':(exclude)docs'
  ':(exclude).ci' ':(exclude)action' ':(exclude)action.yml' ':(exclude,glob)**/*.md')
[[ -d $hooks_repo ]] || git init -q --bare "$hooks_repo" || die "git init $hooks_repo"
hooks_rev=$(
  set -e
  cd "$root"
  index=$work/hooks.index
  rm -f "$index"
  git ls-files -z --cached --others --exclude-standard -- . "${not_the_hooks[@]}" |
    GIT_DIR=$hooks_repo GIT_WORK_TREE=$root GIT_INDEX_FILE=$index git update-index -z --add --remove --stdin
  tree=$(GIT_DIR=$hooks_repo GIT_INDEX_FILE=$index git write-tree)
  GIT_DIR=$hooks_repo GIT_AUTHOR_NAME=plangate GIT_AUTHOR_EMAIL=plangate@example.com \
    GIT_COMMITTER_NAME=plangate GIT_COMMITTER_EMAIL=plangate@example.com \
    GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
    git commit-tree "$tree" -m "plangate's work tree"
) || die "could not commit the work tree into $hooks_repo"
GIT_DIR=$hooks_repo git update-ref refs/heads/main "$hooks_rev" || die "git update-ref"
git -C "$hooks_repo" cat-file -e "$hooks_rev:.pre-commit-hooks.yaml" 2>/dev/null ||
  die "the work tree has no .pre-commit-hooks.yaml"
# One build is kept: a cache made for another snapshot is dropped.
if [[ $(cat "$work/cache.rev" 2>/dev/null) != "$hooks_rev" ]]; then
  rm -rf "$PRE_COMMIT_HOME"
  echo "$hooks_rev" >"$work/cache.rev"
fi

# --- scratch repositories ----------------------------------------------------

scratch=$(mktemp -d "${TMPDIR:-/tmp}/plangate-precommit.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
clock=0

# new_repo NAME HOOK...: a repository at $scratch/NAME whose origin is the bare
# $scratch/NAME.git and whose .pre-commit-config.yaml (untracked, like the plan
# files: .git/info/exclude) runs HOOK... from the snapshot; pre-commit's
# pre-commit and pre-push git hooks are installed. Leaves the shell in it.
new_repo() {
  local name=$1
  shift
  repo=$scratch/$name
  git init -q --bare "$scratch/$name.git" &&
    git init -q "$repo" &&
    cd "$repo" &&
    git remote add origin "$scratch/$name.git" &&
    printf '%s\n' .pre-commit-config.yaml plan.json report.json >>.git/info/exclude &&
    use_hooks "$@" &&
    "$pre_commit" install -t pre-commit -t pre-push >/dev/null
}

# use_hooks HOOK...: the .pre-commit-config.yaml runs these hooks (an entry may
# be `ID:ARG,ARG`, which sets the hook's args).
use_hooks() {
  {
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n' "$hooks_repo" "$hooks_rev"
    local h id args
    for h in "$@"; do
      id=${h%%:*}
      printf '      - id: %s\n' "$id"
      if [[ $h == *:* ]]; then
        args=${h#*:}
        printf '        args: ["%s"]\n' "${args//,/\", \"}"
      fi
    done
  } >.pre-commit-config.yaml
}

# git_as NAME EMAIL GIT-ARGS...: git with that author and committer and the
# next fixed date.
git_as() {
  local name=$1 email=$2
  shift 2
  clock=$((clock + 1))
  local date
  date=$(printf '2026-01-01T00:%02d:%02dZ' $((clock / 60)) $((clock % 60)))
  GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
    GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git "$@"
}

# replay CASE I [GIT-COMMIT-ARGS...]: commit step I of testdata/attribution/CASE
# in the current repository: its tree replaces the tracked files, with the
# step's author, committer and message (git's hooks run: the commit may be
# refused). Untracked files (the plan, the configuration) stay.
replay() {
  local case=$1 i=$2
  shift 2
  local -a f
  mapfile -d '' -t f < <(python3 - "$testdata/$case/case.json" "$i" <<'PY'
import json, sys
step = json.load(open(sys.argv[1]))["steps"][int(sys.argv[2])]
assert "branch" not in step and "merge" not in step, "replay() makes straight histories only"
author = step["author"]
committer = step.get("committer", author)
sys.stdout.write("\0".join([step["tree"], *author, *committer, step["message"]]) + "\0")
PY
  ) || return 1
  [[ ${#f[@]} == 6 ]] || return 1
  git ls-files -z | xargs -0 -r rm -f -- || return 1
  cp -R "$testdata/$case/${f[0]}/." . || return 1
  git add -A || return 1
  clock=$((clock + 1))
  local date
  date=$(printf '2026-01-01T00:%02d:%02dZ' $((clock / 60)) $((clock % 60)))
  GIT_AUTHOR_NAME=${f[1]} GIT_AUTHOR_EMAIL=${f[2]} GIT_COMMITTER_NAME=${f[3]} GIT_COMMITTER_EMAIL=${f[4]} \
    GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
    git commit -q --allow-empty --cleanup=verbatim -m "${f[5]}" "$@"
}

# --- assertions --------------------------------------------------------------

passed=0
failed=0
why=()
out=$scratch/out

# run CMD...: run it, output in $out, status in $status.
run() {
  "$@" >"$out" 2>&1
  status=$?
}
expect_status() { # WANT: $status is WANT (a number, or `nonzero`)
  if [[ $1 == nonzero ]]; then
    [[ $status != 0 ]] || why+=("exit status $status, expected non-zero")
  else
    [[ $status == "$1" ]] || why+=("exit status $status, expected $1")
  fi
}
expect_text() { # TEXT...: each is in $out
  local t
  for t in "$@"; do
    grep -qF -- "$t" "$out" || why+=("the output lacks: $t")
  done
}
expect_no_text() { # TEXT...: none is in $out
  local t
  for t in "$@"; do
    ! grep -qF -- "$t" "$out" || why+=("the output has: $t")
  done
}
expect_line() { # REGEX: a line of $out matches (extended regex)
  grep -qE -- "$1" "$out" || why+=("no line of the output matches: $1")
}
expect_eq() { # WHAT GOT WANT
  [[ $2 == "$3" ]] || why+=("$1 is '$2', expected '$3'")
}
report_field() { # JQ-LIKE PATH in report.json, e.g. range.source.kind
  python3 - "$1" <<'PY' 2>/dev/null
import json, sys
v = json.load(open("report.json"))
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)
PY
}

# case NAME SUMMARY FUNCTION: run FUNCTION in a subshell, print one line; its
# log (the commands' output) is kept in target/precommit/logs/NAME.log.
logs=$work/logs
rm -rf "$logs" && mkdir -p "$logs"
case_() {
  local name=$1 summary=$2 fn=$3 start=$SECONDS log=$logs/$1.log
  why=()
  (cd "$scratch" && "$fn") >"$log" 2>&1
  local fn_status=$?
  # The subshell's assertions come back through the log's WHY: lines.
  mapfile -t sub < <(sed -n 's/^WHY: //p' "$log")
  why+=("${sub[@]}")
  if [[ $fn_status != 0 && ${#why[@]} == 0 ]]; then
    why+=("the case stopped with exit status $fn_status (see the log)")
  fi
  if [[ ${#why[@]} == 0 ]]; then
    passed=$((passed + 1))
    printf 'ok    %-26s %s (%ss)\n' "$name" "$summary" $((SECONDS - start))
  else
    failed=$((failed + 1))
    printf 'FAIL  %-26s %s (%ss)\n' "$name" "$summary" $((SECONDS - start))
    printf '        %s\n' "${why[@]}"
    echo "        --- log:"
    grep -v '^WHY: ' "$log" | sed 's/^/        | /'
  fi
}
# At the end of a case function: hand the assertions back, show the output.
done_() {
  local w
  for w in "${why[@]}"; do echo "WHY: $w"; done
  [[ ${#why[@]} == 0 ]]
}
show() { # LABEL: put $out in the log
  echo "--- $1 (exit $status)"
  cat "$out"
}

# --- the cases ---------------------------------------------------------------

case_manifest() {
  run "$pre_commit" validate-manifest "$root/.pre-commit-hooks.yaml"
  show "pre-commit validate-manifest"
  expect_status 0
  # Build plangate through pre-commit once, timed, before the cases use it.
  new_repo build plangate plangate-strict plangate-config || why+=("new_repo")
  local start=$SECONDS
  run "$pre_commit" install-hooks
  show "pre-commit install-hooks"
  expect_status 0
  echo "pre-commit install-hooks took $((SECONDS - start))s"
  done_
}

# 1. An agent commit deletes a resource (agent-deletes-block): the strict hook
#    refuses the push; the preview hook lets it through and says what it needs.
case_agent_delete() {
  new_repo agent-delete "plangate-strict:--report,report.json,." || why+=("new_repo")
  replay agent-deletes-block 0 && git push -q --no-verify origin main || why+=("the base")
  local base
  base=$(git rev-parse HEAD)
  replay agent-deletes-block 1 && replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  local head
  head=$(git rev-parse HEAD)

  run git push origin main
  show "git push with plangate-strict"
  expect_status nonzero
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_text "- exit code: 1" \
    "× blocked: delete of terraform_data.orders_db (terraform_data) in plan.json written by an" \
    "(claude-code)" \
    "agent-destroy (blocked): An agent-written change deletes or replaces a resource" \
    "because author Claude <noreply@anthropic.com> is claude-code" \
    "plangate: fail · 1 change blocked, 0 approved"
  expect_eq "the remote's main after the refused push" "$(git rev-parse origin/main)" "$base"
  expect_eq "report: range.source.kind" "$(report_field range.source.kind)" pre-commit
  expect_eq "report: range.base" "$(report_field range.base)" "$base"
  expect_eq "report: range.head" "$(report_field range.head)" "$head"
  expect_eq "report: findings.0.status" "$(report_field findings.0.status)" blocked

  use_hooks plangate
  run git push origin main
  show "git push with plangate"
  expect_status 0
  expect_line '^plangate \(what this push will need\)\.+Passed$'
  expect_text "needs approval: delete of terraform_data.orders_db (terraform_data) in plan.json" \
    "agent-destroy (needs approval): An agent-written change deletes or replaces a resource" \
    "will need 1 approval" \
    "plangate preview: 1 change will need approval"
  expect_no_text "blocked"
  expect_eq "the remote's main after the push" "$(git rev-parse origin/main)" "$head"
  done_
}

# 2. A human commit forces a replacement that no rule is about, and an agent
#    commit in the same push only updates (human-forces-replace): both pass.
case_clean() {
  new_repo clean plangate plangate-strict || why+=("new_repo")
  replay human-forces-replace 0 && git push -q --no-verify origin main || why+=("the base")
  replay human-forces-replace 1 && replay human-forces-replace 2 || why+=("replay")
  cp "$testdata/human-forces-replace/plan.json" plan.json

  run git push origin main
  show "git push with plangate and plangate-strict"
  expect_status 0
  expect_line '^plangate \(what this push will need\)\.+Passed$'
  expect_line '^plangate \(block what needs approval\)\.+Passed$'
  expect_text "plangate preview: 0 changes will need approval, 0 with warnings, 0 info"
  expect_eq "the remote's main after the push" "$(git rev-parse origin/main)" "$(git rev-parse HEAD)"
  done_
}

# 3. A broken .plangate.hcl: plangate-config refuses the commit with the
#    problem's position; a fixed one is committed; other commits skip it.
case_config() {
  new_repo config plangate-config || why+=("new_repo")
  replay agent-deletes-block 0 || why+=("the base")
  local before
  before=$(git rev-parse HEAD)
  printf 'rule "agent-destroy" {\n  require {\n    approvals = 2\n    aprovals_from = ["team:sre"]\n  }\n}\n' >.plangate.hcl
  git add .plangate.hcl
  run git_as "Alice Human" alice@example.com commit -m "Require two approvals"
  show "git commit of a broken .plangate.hcl"
  expect_status nonzero
  expect_line '^plangate \(validate \.plangate\.hcl\)\.+Failed$'
  expect_text "- exit code: 2" \
    ".plangate.hcl:4:5: unknown key \`aprovals_from\` in \`require\`" \
    "help: expected \`approvals\` or \`from\`"
  expect_eq "HEAD after the refused commit" "$(git rev-parse HEAD)" "$before"

  sed -i 's/aprovals_from/from/' .plangate.hcl
  printf 'team "sre" {\n  members = ["alice"]\n}\n' >>.plangate.hcl
  git add .plangate.hcl
  run git_as "Alice Human" alice@example.com commit -m "Require two approvals from SRE"
  show "git commit of a valid .plangate.hcl"
  expect_status 0
  expect_line '^plangate \(validate \.plangate\.hcl\)\.+Passed$'

  echo "# a comment" >>main.tf
  git add main.tf
  run git_as "Alice Human" alice@example.com commit -m "A commit that leaves .plangate.hcl alone"
  show "git commit without .plangate.hcl"
  expect_status 0
  expect_line '^plangate \(validate \.plangate\.hcl\)\.+\(no files to check\)Skipped$'
  done_
}

# 4. A broken .plangate.hcl that reached a commit anyway (--no-verify) is
#    refused at the push, by plangate-config and by the preview hook, which
#    cannot decide without a configuration (exit 2, the one non-zero exit of
#    --preview).
case_cannot_decide() {
  new_repo cannot-decide plangate plangate-config || why+=("new_repo")
  replay agent-deletes-block 0 && git push -q --no-verify origin main || why+=("the base")
  local base
  base=$(git rev-parse HEAD)
  replay agent-deletes-block 1 && replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  printf 'rule "agent-destroy" {\n  severity = "fatal"\n}\n' >.plangate.hcl
  git add .plangate.hcl && git_as "Alice Human" alice@example.com commit -q --no-verify -m "Policy" ||
    why+=("commit --no-verify")

  run git push origin main
  show "git push with plangate and plangate-config"
  expect_status nonzero
  expect_line '^plangate \(what this push will need\)\.+Failed$'
  expect_line '^plangate \(validate \.plangate\.hcl\)\.+Failed$'
  [[ $(grep -c -- "- exit code: 2" "$out") == 2 ]] || why+=("expected both hooks to exit 2")
  expect_text ".plangate.hcl:2:"
  expect_eq "the remote's main after the refused push" "$(git rev-parse origin/main)" "$base"
  done_
}

# 5. A new branch: git gives pre-commit an all-zero remote sha; pre-commit
#    passes plangate the parent of the first commit the remote lacks (here the
#    branch point on main), so the range is the branch's own commits.
case_new_branch() {
  new_repo new-branch "plangate:--report,report.json,." "plangate-strict" || why+=("new_repo")
  replay agent-deletes-block 0 && replay agent-deletes-block 1 && git push -q --no-verify origin main ||
    why+=("main")
  git remote set-head origin main || why+=("set-head")
  local main
  main=$(git rev-parse HEAD)
  git checkout -q -b agent/cleanup
  replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json

  run git push origin agent/cleanup
  show "git push of a new branch"
  expect_status nonzero
  expect_line '^plangate \(what this push will need\)\.+Passed$'
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_text "plangate preview: 1 change will need approval" "plangate: fail · 1 change blocked"
  expect_eq "report: range.source.kind" "$(report_field range.source.kind)" pre-commit
  expect_eq "report: range.merge_base" "$(report_field range.merge_base)" "$main"
  expect_eq "report: the one commit attributed" "$(report_field findings.0.commits.0.sha)" "$(git rev-parse HEAD)"
  git ls-remote --exit-code origin refs/heads/agent/cleanup >/dev/null &&
    why+=("the refused branch reached the remote")

  # plangate's own rule for an all-zero from-ref (the merge base with the
  # default branch) is for hook runners that pass git's refs through; pre-commit
  # never does: it cannot even list the changed files of such a range.
  # (Checked here so that a pre-commit that passes them on is noticed.)
  run "$pre_commit" run --hook-stage pre-push --from-ref "$(printf '0%.0s' {1..40})" --to-ref HEAD
  show "pre-commit run --from-ref 000…"
  expect_status nonzero
  expect_text "Invalid revision range 0000000000000000000000000000000000000000"
  done_
}

# 6. Two branches in one `git push`: pre-commit runs the hooks for the first
#    ref that has new commits only (pre_commit/commands/hook_impl.py), so the
#    agent's branch, second, is not judged. Its plan is not the first branch's
#    head's, though: plangate refuses it (exit 2), and the push with it.
case_two_branches() {
  new_repo two-branches plangate-strict || why+=("new_repo")
  replay agent-deletes-block 0 && replay agent-deletes-block 1 && git push -q --no-verify origin main ||
    why+=("main")
  git checkout -q -b a-docs && echo "# Orders." >>main.tf &&
    git_as "Alice Human" alice@example.com commit -q -am "Document the orders database" || why+=("a-docs")
  git checkout -q main && git checkout -q -b b-agent && replay agent-deletes-block 2 || why+=("b-agent")
  cp "$testdata/agent-deletes-block/plan.json" plan.json

  run git push origin b-agent
  show "git push origin b-agent"
  expect_status nonzero
  expect_text "plangate: fail · 1 change blocked"

  run git push origin a-docs b-agent
  show "git push origin a-docs b-agent"
  expect_status nonzero
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_text "- exit code: 2" "was not made from the head"
  git ls-remote --exit-code origin refs/heads/b-agent >/dev/null &&
    why+=("the agent's branch reached the remote")
  done_
}

# 7. Pushes plangate cannot decide, recorded as they are: exit 2 refuses the
#    push even in the preview hook.
#    - No plan file in the work tree (nobody ran `terraform plan`): "no plan
#      found".
#    - The first push of a repository: the remote has none of the history, so
#      pre-commit runs the hooks as with --all-files and passes no range, and
#      the branch has no upstream yet: "no range".
case_undecided() {
  new_repo undecided plangate || why+=("new_repo")
  replay agent-deletes-block 0 || why+=("the base")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  run git push origin main
  show "the first push of a repository"
  expect_status nonzero
  expect_line '^plangate \(what this push will need\)\.+Failed$'
  expect_text "- exit code: 2" "no range of commits to read: the current branch has no upstream"
  git rev-parse -q --verify origin/main >/dev/null && why+=("the first push reached the remote")

  git push -q --no-verify -u origin main || why+=("push --no-verify")
  replay agent-deletes-block 1 || why+=("replay")
  rm plan.json
  run git push origin main
  show "a push with no plan file in the work tree"
  expect_status nonzero
  expect_line '^plangate \(what this push will need\)\.+Failed$'
  expect_text "- exit code: 2" "no plan found in ."
  done_
}

# 8. Asking before pushing: the manual stage, no pushed range: plangate
#    compares with the branch's upstream.
case_manual() {
  new_repo manual plangate || why+=("new_repo")
  replay agent-deletes-block 0 && git push -q --no-verify -u origin main || why+=("the base")
  replay agent-deletes-block 1 && replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  run "$pre_commit" run --hook-stage manual plangate
  show "pre-commit run --hook-stage manual plangate"
  expect_status 0
  expect_text "plangate preview: 1 change will need approval"
  done_
}

# 9. `pre-commit try-repo`, the way a user tries the hooks before adding them:
#    it builds plangate into a throwaway store (a minute or two, every time),
#    so one case only: the strict hook over an agent's delete.
case_try_repo() {
  new_repo try-repo plangate || why+=("new_repo")
  replay agent-deletes-block 0 || why+=("the base")
  local base
  base=$(git rev-parse HEAD)
  replay agent-deletes-block 1 && replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  run "$pre_commit" try-repo "$hooks_repo" plangate-strict --ref "$hooks_rev" \
    --hook-stage pre-push --from-ref "$base" --to-ref HEAD
  show "pre-commit try-repo … plangate-strict --from-ref BASE --to-ref HEAD"
  expect_status 1
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_text "- exit code: 1" "plangate: fail · 1 change blocked"
  done_
}

# 10. The `-system` hooks: nothing is built; the plangate on PATH runs (here
#     the release build), and without one on PATH the push is refused.
case_system() {
  new_repo system plangate-strict-system plangate-config-system || why+=("new_repo")
  replay agent-deletes-block 0 && git push -q --no-verify origin main || why+=("the base")
  local base
  base=$(git rev-parse HEAD)
  replay agent-deletes-block 1 && replay agent-deletes-block 2 || why+=("replay")
  cp "$testdata/agent-deletes-block/plan.json" plan.json
  (cd "$root" && cargo build --release --locked -q) || why+=("cargo build --release")
  local bin=$scratch/system-bin
  mkdir -p "$bin" && ln -sf "$root/target/release/plangate" "$bin/plangate"
  PATH=$bin:$PATH run git push origin main
  show "git push with plangate-strict-system, plangate on PATH"
  expect_status nonzero
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_text "- exit code: 1" "plangate: fail · 1 change blocked"
  expect_eq "the remote's main after the refused push" "$(git rev-parse origin/main)" "$base"
  # No plangate on PATH: refused, never passed.
  rm -f "$bin/plangate"
  local bare_path
  bare_path=$bin:$(dirname "$(command -v git)"):/usr/bin:/bin
  ! PATH=$bare_path command -v plangate >/dev/null || why+=("a plangate is still on $bare_path")
  PATH=$bare_path run git push origin main
  show "git push with plangate-strict-system, no plangate on PATH"
  expect_status nonzero
  expect_line '^plangate \(block what needs approval\)\.+Failed$'
  expect_eq "the remote's main after the refused push" "$(git rev-parse origin/main)" "$base"
  done_
}

echo "precommit: pre-commit $pre_commit_version, hooks from the work tree at ${hooks_rev:0:12}," \
  "PRE_COMMIT_HOME=${PRE_COMMIT_HOME#"$root"/}"
case_ manifest "the manifest is valid; pre-commit installs plangate (cargo install, or its cache)" case_manifest
if ((failed)); then
  echo "precommit: $passed passed, $failed failed"
  exit 1
fi
case_ agent-delete "agent deletes a resource: plangate-strict refuses the push, plangate reports it" case_agent_delete
case_ clean "human replace + agent update: both hooks pass" case_clean
case_ config "broken .plangate.hcl: the commit is refused at its line:col" case_config
case_ cannot-decide "a broken policy in the push: both hooks exit 2, even --preview" case_cannot_decide
case_ new-branch "a new branch: only the branch's commits are judged" case_new_branch
case_ two-branches "two branches in one push: only the first is checked, and the other's plan is refused" case_two_branches
case_ undecided "first push of a repository, no plan file: exit 2 refuses the push" case_undecided
case_ manual "the manual stage: the range is the upstream's" case_manual
case_ try-repo "pre-commit try-repo: plangate-strict blocks an agent's delete" case_try_repo
case_ system "plangate-strict-system: the plangate on PATH refuses an agent's delete; none on PATH refuses too" case_system
echo "precommit: $passed passed, $failed failed"
((failed == 0))
