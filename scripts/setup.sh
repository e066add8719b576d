#!/usr/bin/env bash
# Create .venv and install the project (sourced by scripts/run-demo.sh and scripts/test.sh).
# With --test also installs the test extras and Debian's Chromium for the browser tests.
set -euo pipefail
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "${1:-}" = "--test" ]; then
  python -m pip install -q -e ".[test]" 2>&1 | grep -v -E '^(WARNING|  )' || true
  if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then
    echo "installing Debian's chromium (and a Chinese font for screenshots) for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
      || { echo "WARNING: could not install chromium; browser tests will be skipped"; \
           if [ "${CI:-}" = "true" ]; then echo "CI must run the browser tests"; exit 1; fi; }
  fi
else
  python -m pip install -q -e . 2>&1 | grep -v -E '^(WARNING|  )' || true
fi
python -c "import matchmaker" 
