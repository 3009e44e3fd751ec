#!/usr/bin/env bash
# The static gates of the test command: ruff, mypy, the TypeScript typecheck and the JS unit
# tests. Each prints one line; any finding fails the command, naming the gate, after its
# output. scripts/test.sh runs them after setup and before pytest; run this file alone to
# check a change quickly (PYTHON picks the interpreter, default .venv/bin/python).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python=${PYTHON:-.venv/bin/python}
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

gate() {
  local name=$1
  shift
  if "$@" >"$log" 2>&1; then
    echo "nbtrack gates: $name ok"
  else
    cat "$log"
    echo "nbtrack gates: $name FAILED ($*)"
    failed+=("$name")
  fi
}

gate ruff "$python" -m ruff check --quiet nbtrack tests bench
gate mypy "$python" -m mypy
gate tsc bash -c 'cd js && npm run --silent typecheck'
gate "js unit tests" bash -c 'cd js && npm test --silent'

if [ ${#failed[@]} -gt 0 ]; then
  printf 'nbtrack gates: failed: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi
