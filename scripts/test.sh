#!/usr/bin/env bash
# The test command (README, .ci/run): the gates, then the fast lane, then the Docker lane.
#   1. gates: ruff lint, ruff format --check, mypy; any finding fails the run;
#   2. fast lane: every test not marked `docker`, stopping at the first failure;
#   3. Docker lane: the `docker` tests in parallel (pytest-xdist; every test labels its
#      containers with its own run id, so workers never touch each other's).
# Extra arguments go to both pytest lanes (e.g. scripts/test.sh -k session).
# PATCHLOOP_TEST_WORKERS sets the Docker lane's worker count (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || { echo "test: .venv missing; run scripts/setup.sh first" >&2; exit 1; }

lane() { printf '\n== %s\n' "$*"; }

lane "gates: ruff check, ruff format --check, mypy"
"$py" -m ruff check --quiet .
"$py" -m ruff format --check --quiet .
"$py" -m mypy --no-error-summary

lane "fast lane (not docker)"
"$py" -m pytest -m "not docker" -x -q "$@"

lane "docker lane (${PATCHLOOP_TEST_WORKERS:-3} workers)"
"$py" -m pytest -m docker -q -n "${PATCHLOOP_TEST_WORKERS:-3}" --dist loadfile "$@"
