#!/usr/bin/env bash
# Put plangate on PATH: a released binary, verified against its published
# checksum, or a build of the action's own source (restored from the cache
# when the sources have not changed).
set -euo pipefail

root="$RUNNER_TEMP/plangate"
bin="$root/bin/plangate"

if [[ -n ${INPUT_VERSION:-} ]]; then
  version=${INPUT_VERSION#v}
  case "$(uname -s)-$(uname -m)" in
    # Static (musl) builds: they run on any Linux runner, whatever its libc.
    Linux-x86_64) target=x86_64-unknown-linux-musl ;;
    Linux-aarch64) target=aarch64-unknown-linux-musl ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    *) echo "::error title=plangate::no released plangate for $(uname -s) $(uname -m); leave \`version\` empty to build from source"; exit 1 ;;
  esac
  releases=${PLANGATE_RELEASES_URL:-https://github.com/$ACTION_REPOSITORY/releases/download}
  archive="plangate-$version-$target.tar.gz"
  mkdir -p "$root/bin" "$RUNNER_TEMP/plangate-download"
  cd "$RUNNER_TEMP/plangate-download"
  curl --fail --silent --show-error --location --retry 3 -o "$archive" "$releases/v$version/$archive"
  curl --fail --silent --show-error --location --retry 3 -o "$archive.sha256" "$releases/v$version/$archive.sha256"
  # The checksum file names the archive; a mismatch stops the job here.
  if ! sha256sum --check --strict "$archive.sha256"; then
    echo "::error title=plangate::the checksum of $archive does not match $archive.sha256: refusing to run it"
    exit 1
  fi
  tar -xzf "$archive" -C "$root/bin" plangate
elif [[ -x $bin ]]; then
  echo "plangate restored from the cache"
else
  command -v cargo >/dev/null || { echo "::error title=plangate::cargo is needed to build plangate (or set \`version\` to download a release)"; exit 1; }
  cargo install --locked --quiet --path "$ACTION_PATH" --root "$root"
fi

"$bin" --version
echo "$root/bin" >>"$GITHUB_PATH"
