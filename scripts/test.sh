#!/usr/bin/env bash
# The whole test suite: install with test dependencies, lint, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
