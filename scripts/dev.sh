#!/usr/bin/env bash
# The first command: installs what is missing, builds, and runs the webhook on the embedded default
# (`serve --dev`: a throw-away self-signed certificate, the demo configuration, no cluster needed).
# Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product kube-injector 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
exec .build/debug/kube-injector serve --dev "$@"
