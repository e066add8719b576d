#!/usr/bin/env bash
# One command: set up, create the SQLite database, load the demo data, run matching and the
# weekly report for the demo week, print the demo accounts, and serve on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
matchmaker db upgrade
matchmaker demo
exec matchmaker serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
