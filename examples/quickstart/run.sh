#!/usr/bin/env bash
# The quickstart: plangate's main job on a bundled example, with the built-in
# rules and no configuration.
#
# It replays a small history into a scratch git repository (the CloudFormation
# case of testdata/attribution/cfn-template-agent: a human names an SNS topic,
# then a commit co-authored by an AI agent removes a DynamoDB table and changes
# the parameter that names an S3 bucket), and runs
#
#   plangate check --base <first commit> changeset.json
#
# on the change set CloudFormation would show for it (synthetic: there is no AWS
# here). No approval source is given, so every finding that needs approval
# blocks: plangate exits 1 and says who must approve what.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case_dir="$root/testdata/attribution/cfn-template-agent"

plangate="$root/target/release/plangate"
# The first build compiles plangate and its dependencies (README, "Installing", gives the
# time it takes); cargo shows its progress. Later runs only check that nothing changed.
[[ -x $plangate ]] || echo "building plangate (release) with cargo; the first build takes a few minutes…" >&2
cargo build --release --locked --manifest-path "$root/Cargo.toml"

repo=$(mktemp -d "${TMPDIR:-/tmp}/plangate-quickstart.XXXXXX")
trap 'rm -rf "$repo"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
git -C "$repo" init -q -b main
step() { # tree, author name, author e-mail, message
  find "$repo" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -r "$case_dir/$1/." "$repo/"
  git -C "$repo" add -A
  GIT_AUTHOR_NAME=$2 GIT_AUTHOR_EMAIL=$3 GIT_COMMITTER_NAME=$2 GIT_COMMITTER_EMAIL=$3 \
    git -C "$repo" -c commit.gpgsign=false commit -q -m "$4"
}
step 0-base "Alice Human" alice@example.com "Orders stack"
base=$(git -C "$repo" rev-parse HEAD)
step 1-human "Alice Human" alice@example.com "Name the topic"
step 2-agent "Alice Human" alice@example.com "Rename the environment

Co-authored-by: Codex <noreply@openai.com>"

# Change sets are usually saved outside the repository's history (a CI artifact).
cp "$case_dir/changeset.json" "$repo/.git/changeset.json"
echo "\$ plangate check --base ${base:0:10} changeset.json"
echo
cd "$repo"
code=0
"$plangate" check --base "$base" .git/changeset.json || code=$?
echo
echo "plangate exited $code (0 pass, 1 blocked: needs approvals, 2 could not decide)"
