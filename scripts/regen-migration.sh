#!/usr/bin/env bash
# Regenerate the single initial Alembic revision from the models (deterministic).
# Until the first release, the schema lives in one revision, migrations/versions/0001_initial.py.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/0001_initial.py
MATCHMAKER_DATABASE_URL="sqlite:///$tmp/regen.sqlite" python -m matchmaker db migrate --rev-id 0001 -m initial >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
# drop the volatile creation date so regenerating an unchanged schema gives an identical file
sed -i '/^Create Date:/d' migrations/versions/0001_initial.py
echo "migrations/versions/0001_initial.py regenerated"
