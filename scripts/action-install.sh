#!/usr/bin/env bash
# GitHub Action step 1: make `valkey-lint` available. Uses one already on PATH when it is the
# wanted version, else installs from crates.io (INPUT_VERSION) or builds the action's source.
set -euo pipefail
root="${RUNNER_TEMP:-/tmp}/valkey-lint"
want="${INPUT_VERSION:-}"
if command -v valkey-lint >/dev/null 2>&1; then
  have="$(valkey-lint --version | awk '{print $2}')"
  if [ -z "$want" ] || [ "$have" = "$want" ]; then
    echo "using $(command -v valkey-lint) ($have)"
    exit 0
  fi
fi
if [ -n "$want" ]; then
  cargo install --locked --root "$root" valkey-lint --version "$want"
else
  cargo install --locked --root "$root" --path "${GITHUB_ACTION_PATH:?}"
fi
echo "$root/bin" >> "${GITHUB_PATH:?}"
