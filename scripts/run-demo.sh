#!/usr/bin/env bash
# One command: set up, create the SQLite database, load the demo data, run matching and the
# weekly report for the demo week (2020-W12, as of 2020-03-16), print the demo accounts, and
# serve on http://127.0.0.1:5000 (HOST and PORT override).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The demo is dated 2020-03-16 (Monday of 2020-W12): pin the service's "today" to it so that
# matching, best partners and the report pages show the demo week. Unset it for real data.
export MATCHMAKER_TODAY="${MATCHMAKER_TODAY:-2020-03-16}"
matchmaker db upgrade
matchmaker demo
matchmaker match --as-of 2020-03-16
matchmaker report weekly --week 2020-W12 --out instance/report-2020-W12.json
matchmaker demo | sed -n '/Demo accounts/,$p'
exec matchmaker serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
