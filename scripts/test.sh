#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine and runs the whole suite:
# the venv, the JS bundle, nbtrack with its test extras, Chromium from Debian for the
# browser tests (Playwright drives /usr/bin/chromium; no browser is downloaded), PostgreSQL
# from Debian for the team store tests (a throwaway server each run), and
# the ML frameworks of the integration tests (NBTRACK_TEST_FRAMEWORKS=0 skips them).
# Then the static gates (scripts/gates.sh: ruff, mypy, tsc, node's test runner), then pytest.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "nbtrack tests: installing Chromium from Debian's packages"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # the team store tests start a throwaway server (loopback only) from Debian's package
  echo "nbtrack tests: installing PostgreSQL from Debian's packages"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
fi

bash scripts/setup.sh test

if [ "${NBTRACK_TEST_FRAMEWORKS:-1}" = "1" ]; then
  # The integration tests and example notebooks use these; each test skips cleanly without them.
  # torch is pinned to the CPU build this machine kind keeps on disk (a plain `torch` pulls a
  # multi-GB CUDA build); xgboost-cpu avoids xgboost's NCCL dependency.
  echo "nbtrack tests: installing the ML frameworks the integration tests use"
  .venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0 \
    keras scikit-learn matplotlib lightning lightgbm xgboost-cpu transformers accelerate optuna
fi

# ruff, mypy, the TypeScript typecheck and the JS unit tests; any finding stops here
echo "nbtrack tests: running the gates"
bash scripts/gates.sh

echo "nbtrack tests: running pytest"
exec .venv/bin/python -m pytest -ra "$@"
