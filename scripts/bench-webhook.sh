#!/usr/bin/env bash
# Load test of kafkalint-webhook on loopback, bounded in time and count, with oha and wrk:
#   1. throughput at 32 connections for BENCH_SECONDS (10), by oha and again by wrk (one
#      thread), a second generator whose own CPU cost differs; both share the server's cores,
#   2. p50/p99 latency at a fixed 1000 req/s for BENCH_SECONDS,
#   3. resident memory after 10k and after 100k more requests, and the peak (VmHWM).
# The body is a real AdmissionReview: the ticketmaster StatefulSet, denied with six findings.
# Installs oha into .cache/tools/oha on first use; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-10}
port=${BENCH_PORT:-18443}
oha=.cache/tools/oha/bin/oha
if [ ! -x "$oha" ]; then
  echo "== installing oha into .cache/tools/oha" >&2
  cargo install oha --locked --root .cache/tools/oha >&2
fi
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  else
    echo "wrk is required: install it, e.g. apt-get install wrk" >&2
    exit 2
  fi
fi
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml

# WEBHOOK=path benchmarks another build (e.g. an older one, for a before/after).
webhook=${WEBHOOK:-target/release/kafkalint-webhook}
[ -n "${WEBHOOK:-}" ] || cargo build --release -q -p kafkalint-webhook
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
python3 - "$work/review.json" <<'PY'
import json, sys, yaml
sts = next(d for d in yaml.safe_load_all(open("examples/ticketmaster/kafka.yaml")) if d and d.get("kind") == "StatefulSet")
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "bench", "kind": {"group": "apps", "version": "v1", "kind": "StatefulSet"},
    "resource": {"group": "apps", "version": "v1", "resource": "statefulsets"},
    "name": "kafka", "namespace": "ticketmaster", "operation": "CREATE",
    "userInfo": {"username": "bench"}, "object": sts, "oldObject": None, "dryRun": False}}
json.dump(review, open(sys.argv[1], "w"))
PY

"$webhook" --listen "127.0.0.1:$port" --tls-cert "$work/tls.crt" \
  --tls-key "$work/tls.key" --shutdown-delay 0s 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do
  curl -fsk "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

url="https://127.0.0.1:$port/validate"
load() {
  "$oha" --no-tui --insecure --output-format json -m POST -H 'content-type: application/json' \
    -D "$work/review.json" "$@" "$url"
}
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

echo "body: $(wc -c <"$work/review.json") bytes (ticketmaster StatefulSet, 4 errors and 2 warnings)"
load -n 2000 -c 8 >/dev/null
load -n 10000 -c 32 >/dev/null
rss_10k=$(rss VmRSS)

load -z "${seconds}s" -c 32 >"$work/throughput.json"
echo "throughput, 32 connections, ${seconds}s: $(field "$work/throughput.json" 'round(d["summary"]["requestsPerSec"])') req/s" \
  "(success rate $(field "$work/throughput.json" 'd["summary"]["successRate"]'))"

cat >"$work/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("REVIEW_JSON"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/json"
f:close()
LUA
REVIEW_JSON="$work/review.json" wrk -t 1 -c 32 -d "${seconds}s" -s "$work/post.lua" "$url" >"$work/wrk.txt"
bad=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.txt")
echo "throughput (wrk, 1 thread), 32 connections, ${seconds}s: $(awk '/^Requests\/sec/ { printf "%d", $2 }' "$work/wrk.txt") req/s" \
  "(non-2xx responses: ${bad:-0}; $(grep -o 'Socket errors:.*' "$work/wrk.txt" || echo 'no socket errors'))"

load -z "${seconds}s" -c 32 -q 1000 >"$work/fixed.json"
echo "latency at 1000 req/s, ${seconds}s: p50 $(field "$work/fixed.json" 'round(d["latencyPercentiles"]["p50"]*1000, 3)') ms," \
  "p99 $(field "$work/fixed.json" 'round(d["latencyPercentiles"]["p99"]*1000, 3)') ms" \
  "($(field "$work/fixed.json" 'round(d["summary"]["requestsPerSec"])') req/s served)"

load -n 100000 -c 32 >"$work/100k.json"
echo "memory: VmRSS $rss_10k kB after 12k requests, $(rss VmRSS) kB after $((12000 + 100000)) + the timed runs;" \
  "peak VmHWM $(rss VmHWM) kB"
echo "server: $(grep -c denied "$work/server.log") denials logged, $(curl -fsk "https://127.0.0.1:$port/metrics" | awk '/^kafkalint_webhook_requests_total\{result="denied"\}/ { print $2 }') counted"
