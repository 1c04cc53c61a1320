#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test
# (Swift unit and end-to-end tests, then the chart and oracle checks in Python).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== swift build"
swift build --build-tests 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Planning)' || true; }

echo "== swift test"
# Passing cases are kept in the log, not on screen; failures and the summary are shown.
swift test --skip-build 2>&1 | tee .build/swift-test.log | { grep -vE "^Test Case .* (started|passed)" || true; }

if compgen -G "Tests/python/test_*.py" >/dev/null; then
  echo "== python checks (chart, oracle)"
  python3 -m pytest -q Tests/python
fi
