# Sourced by the benchmarks (bench.sh, bench-storm.sh): installs the tools, builds the release binary
# as the Dockerfile does, and makes a work directory that is removed, with every process listed in
# `pids`, when the benchmark exits. Sets bench, rounds, seconds, connections, work; defines rss.
# Expects the caller's `default_rounds` and `work_name`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bench=../shared/bench
rounds=${ROUNDS:-${default_rounds:-3}}
seconds=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-32}

KI_SETUP_BENCH=1 scripts/setup.sh
echo "== build (release)"
scripts/build-release.sh 2>&1 | tail -1

work=$(mktemp -d "/tmp/kube-injector-${work_name:-bench}.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# rss PID FIELD: a /proc/PID/status memory field (VmRSS, VmHWM, RssAnon) in MiB.
rss() { awk -v k="$2:" '$1 == k { print int($2 / 1024 + 0.5) }' "/proc/$1/status"; }
