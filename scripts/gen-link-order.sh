#!/usr/bin/env bash
# Regenerates scripts/link-order.txt: the functions of the release binary that run while kube-injector
# starts, serves a few reviews (with and without a cluster), answers /metrics and shuts down, in the
# order they first run. The release link (Package.swift) lays these out together, so start-up touches
# a few contiguous pages instead of 64 KiB fault-around windows all over the executable's text:
# idle RSS goes down by about 3 MiB (docs/benchmarks.md). Functions missing from the list (renamed
# since the last run) only lose that placement; rerun this after larger changes to the code paths.
#
#   scripts/gen-link-order.sh        # needs valgrind (apt), curl, openssl, python3
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bench=../shared/bench

command -v valgrind >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq valgrind >/dev/null; }
scripts/setup.sh
scripts/build-release.sh 2>&1 | tail -1

work=$(mktemp -d /tmp/kube-injector-link-order.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# valgrind cannot read the DWARF that lld writes; the symbol table is all it needs here.
cp "$(scripts/build-release.sh --show-bin-path)/kube-injector" "$work/kube-injector"
strip --strip-debug "$work/kube-injector"
bin=$work/kube-injector

profile() { # profile NAME ARGS...: runs the binary under callgrind in the background
  local name=$1; shift
  valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/cg.$name" \
    "$bin" "$@" >"$work/$name.log" 2>&1 &
  profiled=$!
}
wait_for() { # wait_for URL [curl options...]
  local url=$1; shift
  for _ in $(seq 300); do curl -s -o /dev/null "$@" "$url" && return 0; sleep 0.2; done
  echo "gen-link-order: $url did not come up" >&2; exit 1
}
stop() { kill -TERM "$profiled"; wait "$profiled" || true; }
post() { # post URL CA BODY...: one review per BODY
  local url=$1 ca=$2; shift 2
  for body in "$@"; do
    curl -sS -o /dev/null --cacert "$ca" -H 'Content-Type: application/json' --data-binary @"$body" "$url"
  done
}

# Certificates for the webhook and for the fake API server (a CA the kubeconfig trusts).
certs/gen-certs.sh --san IP:127.0.0.1 --san DNS:localhost "$work/certs" >/dev/null 2>&1
review=$bench/fixtures/pod-create.json
# A review that names a profile the configuration lacks: fails open and records an Event.
python3 - "$review" "$work/failing.json" <<'EOF'
import json, sys
review = json.load(open(sys.argv[1]))
review["request"]["object"].setdefault("metadata", {}).setdefault("annotations", {})["kube-injector.io/inject"] = "no-such-profile"
json.dump(review, open(sys.argv[2], "w"))
EOF

echo "== serve --dev"
profile dev serve --dev
for _ in $(seq 300); do grep -q "webhook listening" "$work/dev.log" && break; sleep 0.2; done
dev_dir=$(grep -o '/tmp/kube-injector-dev-[0-9]*' "$work/dev.log" | head -1)
wait_for https://127.0.0.1:8443/readyz --cacert "$dev_dir/dev-cert.pem"
post https://127.0.0.1:8443/mutate "$dev_dir/dev-cert.pem" "$dev_dir/review.json" "$dev_dir/review.json" "$dev_dir/review.json"
curl -s -o /dev/null http://127.0.0.1:9090/metrics
stop

echo "== serve --config with certificate files, no cluster"
profile files serve --config "$bench/profile.yaml" --listen 127.0.0.1:18443 --tls-cert "$work/certs/tls.crt" \
  --tls-key "$work/certs/tls.key" --metrics-listen 127.0.0.1:19090 --drain-seconds 0
wait_for https://127.0.0.1:18443/readyz --cacert "$work/certs/ca.crt"
post https://127.0.0.1:18443/mutate "$work/certs/ca.crt" "$review" "$review" "$work/failing.json"
curl -s -o /dev/null http://127.0.0.1:19090/metrics
stop

echo "== serve against the fake API server (Event recorder, leader election, HPA watch)"
python3 -u Tests/FakeAPIServer/fake_apiserver.py --port 0 --cert "$work/certs/tls.crt" --key "$work/certs/tls.key" \
  --token link-order >"$work/apiserver.out" 2>"$work/apiserver.log" &
pids+=($!)
for _ in $(seq 100); do grep -q '^PORT ' "$work/apiserver.out" && break; sleep 0.1; done
port=$(awk '/^PORT / {print $2}' "$work/apiserver.out")
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $work/certs/ca.crt
contexts:
- name: fake
  context: {cluster: fake, user: fake, namespace: kube-injector}
users:
- name: fake
  user: {token: link-order}
EOF
profile cluster serve --config "$bench/profile.yaml" --listen 127.0.0.1:18444 --tls-cert "$work/certs/tls.crt" \
  --tls-key "$work/certs/tls.key" --metrics-listen 127.0.0.1:19091 --kubeconfig "$work/kubeconfig" --drain-seconds 0
wait_for https://127.0.0.1:18444/readyz --cacert "$work/certs/ca.crt"
post https://127.0.0.1:18444/mutate "$work/certs/ca.crt" "$review" "$work/failing.json" "$work/failing.json"
sleep 5  # lease renewals, the HPA watch and the Event's delivery
curl -s -o /dev/null http://127.0.0.1:19091/metrics
stop

echo "== replay, check-config, version"
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/cg.replay" \
  "$bin" replay --config "$bench/profile.yaml" "$review" >/dev/null 2>&1
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/cg.check" \
  "$bin" check-config "$bench/profile.yaml" >/dev/null 2>&1
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/cg.version" \
  "$bin" version >/dev/null 2>&1

# Function names in first-run order across the runs, kept to those defined in the binary.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' >"$work/defined"
python3 - "$work" <<'EOF' >"$root/scripts/link-order.txt"
import re, sys
work = sys.argv[1]
defined = set(open(f"{work}/defined").read().split())
seen, order = set(), []
for run in ["dev", "files", "cluster", "replay", "check", "version"]:
    names = {}
    for line in open(f"{work}/cg.{run}", errors="replace"):
        match = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        if match.group(2):
            names[match.group(1)] = match.group(2)
        name = names.get(match.group(1))
        if name in defined and name not in seen:
            seen.add(name)
            order.append(name)
print("\n".join(order))
EOF
echo "gen-link-order: $(wc -l <"$root/scripts/link-order.txt") functions in scripts/link-order.txt"
# SwiftPM does not track the order file as an input: drop the binary so the next build links anew.
rm -f "$(scripts/build-release.sh --show-bin-path)/kube-injector"
