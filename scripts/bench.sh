#!/usr/bin/env bash
# The webhook benchmark: kube-injector (release) and the Go standard-library peer from
# ../shared/bench, each pinned to CPU 0, driven in alternation by wrk on CPU 1 at 32 keep-alive
# TLS connections POSTing the same AdmissionReview with the same injection work.
# Prints req/s, p50, p99 for both, the ratio, and kube-injector's idle and peak RSS.
#   ROUNDS=3 SECONDS_PER_RUN=10 CONNECTIONS=32 KI_BENCH_NGINX=1 scripts/bench.sh
default_rounds=3 work_name=bench
source "$(dirname "$0")/bench-common.sh"
ki_port=${KI_PORT:-18443}
go_port=${GO_PORT:-18444}
metrics_port=${METRICS_PORT:-19090}

echo "== certificates and Go peer"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
(cd "$bench/peers/go-stdlib" && go build -o "$work/go-peer" .)

wait_ready() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$work/tls.crt" "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up" >&2; exit 1
}

taskset -c 0 .build/release/kube-injector serve --config "$bench/profile.yaml" --listen "127.0.0.1:$ki_port" \
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" --metrics-listen "127.0.0.1:$metrics_port" \
  --drain-seconds 0 >"$work/kube-injector.log" &
ki_pid=$!; pids+=("$ki_pid")
taskset -c 0 "$work/go-peer" -addr "127.0.0.1:$go_port" -cert "$work/tls.crt" -key "$work/tls.key" 2>"$work/go-peer.log" &
go_pid=$!; pids+=("$go_pid")
wait_ready "https://127.0.0.1:$ki_port/readyz"
wait_ready "https://127.0.0.1:$go_port/"
sleep 1
idle_rss=$(rss "$ki_pid" VmRSS)
idle_anon=$(rss "$ki_pid" RssAnon)

# Both answer the fixture with a patch: check before measuring.
for port in "$ki_port" "$go_port"; do
  curl -s --cacert "$work/tls.crt" -H 'Content-Type: application/json' \
    --data-binary "@$bench/fixtures/pod-create.json" "https://127.0.0.1:$port/mutate" | grep -q '"patch"' \
    || { echo "bench: server on $port did not answer with a patch" >&2; exit 1; }
done

if [ "${KI_BENCH_NGINX:-0}" = 1 ]; then
  mkdir -p /tmp/bcerts && cp "$work/tls.crt" "$work/tls.key" /tmp/bcerts/
  taskset -c 0 nginx -c "$(cd "$bench" && pwd)/nginx-limit.conf" &
  pids+=("$!"); sleep 1
fi

run() { "$bench/load.sh" "$1" "$seconds" "$connections" | sed 's/^RESULT //'; }
# CPU time the server spent per request: robust against other work on the machine, which steals
# wall-clock time (and so req/s) but not CPU time. /proc/PID/stat utime+stime, in clock ticks.
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
measure() {  # measure PID URL -> "rps=... p50_us=... p99_us=... errors=... non2xx=... cpu_us_per_request=..."
  local before after result rps
  before=$(cpu_ticks "$1"); result=$(run "$2"); after=$(cpu_ticks "$1")
  rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$result")
  echo "$result cpu_us_per_request=$(awk -v t=$((after - before)) -v hz="$ticks" -v r="$rps" -v s="$seconds" 'BEGIN { printf "%.1f", (r > 0 ? t / hz * 1e6 / (r * s) : 0) }')"
}
field() { sed -E "s/.*$1=([0-9]+).*/\1/" <<<"$2"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "== warm-up"
"$bench/load.sh" "https://127.0.0.1:$ki_port/mutate" 3 "$connections" >/dev/null
"$bench/load.sh" "https://127.0.0.1:$go_port/mutate" 3 "$connections" >/dev/null

echo "== $rounds rounds of ${seconds}s at $connections connections (server on CPU 0, wrk on CPU 1)"
: >"$work/ki.txt"; : >"$work/go.txt"
for round in $(seq 1 "$rounds"); do
  ki=$(measure "$ki_pid" "https://127.0.0.1:$ki_port/mutate"); echo "$ki" >>"$work/ki.txt"
  go=$(measure "$go_pid" "https://127.0.0.1:$go_port/mutate"); echo "$go" >>"$work/go.txt"
  printf 'round %d  kube-injector %s\n         go-stdlib     %s\n' "$round" "$ki" "$go"
done
if [ "${KI_BENCH_NGINX:-0}" = 1 ]; then
  printf 'ceiling  nginx         %s\n' "$(run "https://127.0.0.1:9445/mutate")"
fi
peak_rss=$(rss "$ki_pid" VmHWM)

summary() {
  local file=$1 name=$2
  local rps p50 p99
  rps=$(while read -r l; do field rps "$l"; done <"$file" | median)
  p50=$(while read -r l; do field p50_us "$l"; done <"$file" | median)
  p99=$(while read -r l; do field p99_us "$l"; done <"$file" | median)
  local cpu
  cpu=$(while read -r l; do sed -E 's/.*cpu_us_per_request=([0-9.]+).*/\1/' <<<"$l"; done <"$file" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  echo "$cpu" >"$file.cpu"
  local lo hi
  lo=$(while read -r l; do field rps "$l"; done <"$file" | sort -n | head -1)
  hi=$(while read -r l; do field rps "$l"; done <"$file" | sort -n | tail -1)
  printf '%-14s rps=%s (min %s, max %s)  p50=%.2f ms  p99=%.2f ms  CPU per request %s µs (one core: ~%s req/s)\n' \
    "$name" "$rps" "$lo" "$hi" \
    "$(awk -v v="$p50" 'BEGIN { print v / 1000 }')" "$(awk -v v="$p99" 'BEGIN { print v / 1000 }')" \
    "$cpu" "$(awk -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? 1e6 / c : 0) }')"
  echo "$rps" >"$file.rps"
}
echo "== medians"
summary "$work/ki.txt" kube-injector
summary "$work/go.txt" go-stdlib
awk -v a="$(cat "$work/ki.txt.rps")" -v b="$(cat "$work/go.txt.rps")" -v ca="$(cat "$work/ki.txt.cpu")" -v cb="$(cat "$work/go.txt.cpu")" \
  'BEGIN { printf "ratio          %.2fx the Go peer'"'"'s req/s; %.2fx by CPU time per request\n", a / b, cb / ca }'
echo "kube-injector  idle RSS ${idle_rss} MiB (anonymous ${idle_anon} MiB), peak RSS (VmHWM) ${peak_rss} MiB, RSS after load $(rss "$ki_pid" VmRSS) MiB"
echo "load average   $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine makes figures noisy: compare the rounds)"
