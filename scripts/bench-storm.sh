#!/usr/bin/env bash
# The failure-storm benchmark (issue 4): kube-injector (release, CPU 0) with the Event recorder on,
# against the project's fake API server; wrk (CPU 1) alternates the healthy fixture with one whose
# every review fails (the pod names a profile that does not exist), flat out. Prints req/s, p50, p99
# of both, the API calls the storm cost, the recorder's counters, and the server's RSS.
#   ROUNDS=2 SECONDS_PER_RUN=10 CONNECTIONS=32 scripts/bench-storm.sh
default_rounds=2 work_name=storm
source "$(dirname "$0")/bench-common.sh"
ki_port=${KI_PORT:-18453}
metrics_port=${METRICS_PORT:-19093}

certs/gen-certs.sh --name kube-injector --namespace bench --san DNS:localhost --san IP:127.0.0.1 "$work/pki" >/dev/null

# The fake API server, with the ReplicaSet the fixture's pod belongs to.
python3 -u Tests/FakeAPIServer/fake_apiserver.py --port 0 --cert "$work/pki/tls.crt" --key "$work/pki/tls.key" \
  --client-ca "$work/pki/ca.crt" --token bench-token >"$work/apiserver.out" 2>"$work/apiserver.log" &
pids+=("$!")
for _ in $(seq 1 100); do grep -q '^PORT ' "$work/apiserver.out" 2>/dev/null && break; sleep 0.1; done
api_port=$(awk '/^PORT /{print $2; exit}' "$work/apiserver.out")
api="https://127.0.0.1:$api_port"
fake() { curl -sS --cacert "$work/pki/ca.crt" "$@"; }
fake -X POST -H 'Content-Type: application/json' "$api/fake/objects" -d '{"path": "/apis/apps/v1/namespaces/shop/replicasets",
  "object": {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "checkout-7d9c6b5f4d", "namespace": "shop",
  "uid": "3f1a8b2c-9d4e-4f6a-8b1c-2d3e4f5a6b7c", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
  "name": "checkout", "uid": "d-1", "controller": true}]}}}' >/dev/null
cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: bench
clusters: [{name: bench, cluster: {server: "$api", certificate-authority: "$work/pki/ca.crt"}}]
contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: bench}}]
users: [{name: bench, user: {token: bench-token}}]
YAML

# The failing fixture: the same pod, naming a profile the configuration does not have.
python3 - "$bench/fixtures/pod-create.json" "$work/failing.json" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
review["request"]["object"]["metadata"]["annotations"]["kube-injector.io/inject"] = "no-such-profile"
json.dump(review, open(sys.argv[2], "w"))
PY

taskset -c 0 .build/release/kube-injector serve --config "$bench/profile.yaml" --listen "127.0.0.1:$ki_port" \
  --tls-cert "$work/pki/tls.crt" --tls-key "$work/pki/tls.key" --metrics-listen "127.0.0.1:$metrics_port" \
  --kubeconfig "$work/kubeconfig" --no-hpa-forwarder --drain-seconds 0 >"$work/kube-injector.log" 2>&1 &
ki_pid=$!; pids+=("$ki_pid")
for _ in $(seq 1 100); do curl -s -o /dev/null --cacert "$work/pki/ca.crt" "https://127.0.0.1:$ki_port/readyz" && break; sleep 0.1; done
curl -s --cacert "$work/pki/ca.crt" --data-binary "@$work/failing.json" "https://127.0.0.1:$ki_port/mutate" \
  | grep -q '"allowed":true' || { echo "bench-storm: the failing review was not admitted"; exit 1; }
sleep 1
fake -X DELETE "$api/fake/requests" >/dev/null
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
echo "idle RSS: $(rss "$ki_pid" VmRSS) MiB"

start=$(date +%s)
for round in $(seq 1 "$rounds"); do
  for kind in healthy failing; do
    body="$bench/fixtures/pod-create.json"; [ "$kind" = failing ] && body="$work/failing.json"
    before=$(cpu_ticks "$ki_pid")
    line=$(BODY="$body" "$bench/load.sh" "https://127.0.0.1:$ki_port/mutate" "$seconds" "$connections")
    ticks=$(( $(cpu_ticks "$ki_pid") - before ))
    # CPU time the server spent per request: steadier than req/s on a machine others share.
    rps=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$line")
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v r="${rps:-0}" -v s="$seconds" \
      'BEGIN { if (r > 0) printf "%.1f", t / hz * 1e6 / (r * s); else print "?" }')
    echo "round $round $kind: ${line#RESULT } cpu_us_per_request=$cpu"
  done
done
sleep 12   # the recorder's write interval: let the last PATCH go out
minutes=$(awk -v s="$(( $(date +%s) - start ))" 'BEGIN { printf "%.2f", s / 60 }')

echo "== API server calls during the storm ($minutes min)"
fake "$api/fake/requests" | python3 -c '
import json, sys, collections
calls = collections.Counter((r["method"], r["path"].rsplit("/", 1)[0] if r["method"] == "PATCH" else r["path"]) for r in json.load(sys.stdin)["requests"])
for (method, path), n in sorted(calls.items()): print(f"  {n:6d} {method} {path}")
print(f"  total {sum(calls.values())}")'
fake "$api/fake/objects?path=/api/v1/namespaces/shop/events" | python3 -c '
import json, sys
events = json.load(sys.stdin)
events = events.get("items", events) if isinstance(events, dict) else events
for e in events:
    o = e["involvedObject"]
    print("  Event %s/%s %s count=%s" % (o["kind"], o["name"], e["reason"], e.get("count")))'
echo "== recorder and admission counters"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^kube_injector_(events_[a-z_]+|admission_requests)_total' | sed 's/^/  /'
echo "peak RSS: $(rss "$ki_pid" VmHWM) MiB, now $(rss "$ki_pid" VmRSS) MiB"
