#!/usr/bin/env bash
# The main job on embedded defaults: install, then screen the bundled sample and show the evidence.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/interdiction demo "$@"
