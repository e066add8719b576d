#!/usr/bin/env bash
# Set up (venv, packages, Chromium) and run the whole test suite on SQLite, then on PostgreSQL.
# Usage: scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --test

PG_URL="${MATCHMAKER_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
status=0
echo "== test suite on SQLite =="
env -u MATCHMAKER_TEST_DATABASE_URL python -m pytest -p no:cacheprovider "$@" || status=$?
if python - "$PG_URL" <<'PY'
import sys, sqlalchemy as sa
try:
    sa.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}"); sys.exit(1)
PY
then
  echo "== test suite on PostgreSQL =="
  MATCHMAKER_TEST_DATABASE_URL="$PG_URL" python -m pytest -p no:cacheprovider "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL for the second run"; status=1
fi
exit $status
