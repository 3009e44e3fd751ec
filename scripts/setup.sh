#!/usr/bin/env bash
# Shared setup for a fresh machine: a virtualenv in .venv, the widget's JS bundle built
# with esbuild, and nbtrack installed editable with the extras named in $1 (e.g. "test").
# Sourced by scripts/quickstart.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extras=${1:-}
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "nbtrack setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip

echo "nbtrack setup: building the widget bundle (js/ -> nbtrack/static/)"
(cd js && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

spec="."
[ -n "$extras" ] && spec=".[$extras]"
echo "nbtrack setup: installing nbtrack (editable) $spec"
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
