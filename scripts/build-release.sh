#!/usr/bin/env bash
# The release build of kube-injector, made the same way by the image (Dockerfile), the benchmarks
# and the tests: the Swift runtime linked statically (fewer relocations at start-up, so lower RSS,
# and direct calls), and thin link-time optimisation across all modules, ours and swift-nio's
# (4-5% less CPU per review in alternating A/B; docs/benchmarks.md). Package.swift adds the
# Linux release link flags (lld, packed relocations, start-up code order).
#   scripts/build-release.sh [swift build options]   builds .build/release/kube-injector
#   scripts/build-release.sh --show-bin-path         prints the directory that holds it
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release --static-swift-stdlib --experimental-lto-mode=thin)
if [ "${1:-}" = "--show-bin-path" ]; then
  exec swift build "${flags[@]}" --show-bin-path
fi
exec swift build "${flags[@]}" --product kube-injector "$@"
