#!/usr/bin/env bash
# Before anything is built: refuse a shallow checkout (attribution needs the
# pull request's history) and compute the key of the cached build.
set -euo pipefail

if [[ $(git rev-parse --is-shallow-repository 2>/dev/null) == true ]]; then
  echo "::error title=plangate: shallow checkout::plangate reads the history of the pull request to tell who wrote each change, and this checkout is shallow. Set \`fetch-depth: 0\` on actions/checkout."
  exit 1
fi

# The build depends on the action's sources and lock file only.
key=$(cd "$ACTION_PATH" && find Cargo.toml Cargo.lock src rules -type f -print0 | sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-32)
echo "cache-key=plangate-${RUNNER_OS:-linux}-${RUNNER_ARCH:-x64}-$key" >>"$GITHUB_OUTPUT"
