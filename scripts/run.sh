#!/usr/bin/env bash
# The main job on embedded defaults: install, then start the review service on SQLite under
# ~/.local/share/interdiction (INTERDICTION_DATA_DIR) with the demo organisation, its users and
# the bundled sample of listings screened into the review queue; it prints the URL and the login.
# Options go to `interdiction serve`, e.g. scripts/run.sh --port 8080. Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/interdiction serve --demo "$@"
