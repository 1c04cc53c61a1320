#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test
# (Swift unit and end-to-end tests, then the chart, certificate and oracle checks in Python).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== swift build"
mkdir -p .build
swift build --build-tests 2>&1 | tee .build/swift-build.log \
  | { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Planning)' || true; }
# Our own targets build without warnings: a new one fails the run (after the tests, so they still
# report). Only files this build compiled are seen, so an incremental build checks what changed.
our_warnings=$(grep -E "^$(pwd)/(Sources|Tests|Benchmarks)/[^:]+:[0-9]+:[0-9]+: warning:" .build/swift-build.log | sort -u || true)

echo "== swift test"
# Passing cases are kept in the log, not on screen; failures and the summaries are shown.
mkdir -p .build
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/swift-test.log \
  | { grep -vE "^Test Case .* (started|passed)" || true; }
swift_status=${PIPESTATUS[0]}

echo "== release build, as the Dockerfile makes it (the image test checks what it links)"
scripts/build-release.sh 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
release_status=${PIPESTATUS[0]}

echo "== python checks (chart, alerts and dashboard against /metrics, the runtime image in a debootstrap root, certificates, admission oracle)"
python3 -m pytest -q Tests/python 2>&1 | tee .build/pytest.log
pytest_status=${PIPESTATUS[0]}

# One closing line over both runners: XCTest's overall summary and pytest's.
swift_line=$(grep -E "^[[:space:]]+Executed [0-9]+ tests?, with" .build/swift-test.log | tail -1 || true)
swift_total=$(sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p' <<<"$swift_line")
swift_failed=$(sed -nE 's/.* with ([0-9]+) failures?.*/\1/p' <<<"$swift_line")
swift_skipped=$(sed -nE 's/.* with ([0-9]+) tests? skipped.*/\1/p' <<<"$swift_line")
py_line=$(tail -1 .build/pytest.log)
py_passed=$(grep -oE "[0-9]+ passed" <<<"$py_line" | grep -oE "[0-9]+" || echo 0)
py_failed=$( (grep -oE "[0-9]+ (failed|errors?)" <<<"$py_line" || true) | awk '{s += $1} END {print s + 0}')
py_skipped=$(grep -oE "[0-9]+ skipped" <<<"$py_line" | grep -oE "[0-9]+" || echo 0)
swift_total=${swift_total:-0}; swift_failed=${swift_failed:-0}; swift_skipped=${swift_skipped:-0}
passed=$(( swift_total - swift_failed - swift_skipped + py_passed ))
failed=$(( swift_failed + ${py_failed:-0} ))
if [ "$swift_status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if [ "$pytest_status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if [ "$release_status" != 0 ]; then echo "the release build failed ($release_status)"; failed=$(( failed + 1 )); fi
if [ -n "$our_warnings" ]; then
  echo "compiler warnings in our targets (the build must be warning-free):"; echo "$our_warnings"
  failed=$(( failed + 1 ))
fi
echo "tests: $passed passed, $failed failed, $(( swift_skipped + py_skipped )) skipped"
set -e
[ "$swift_status" = 0 ] && [ "$pytest_status" = 0 ] && [ "$release_status" = 0 ] && [ -z "$our_warnings" ]
