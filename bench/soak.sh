#!/usr/bin/env bash
# A soak: one hub carrying IDLE idle sockets (loadgen idle) and the relay at RATE transcripts/s
# (loadgen calls) for MINUTES minutes, its resident memory sampled every 10 s. Prints the
# memory at each sample's minute, the spread after the first minute, and the relay's figures.
#
#   bench/soak.sh BINARY [LOADGEN_BINARY]
#
# Environment knobs (defaults in brackets): MINUTES [30], RATE [10000], PAIRS [100],
# IDLE [5000], WORKERS [2], OUT [bench/results/soak-<UTC stamp>]
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:?usage: bench/soak.sh BINARY [LOADGEN_BINARY]}
LOADGEN=${2:-target/release/examples/loadgen}
MINUTES=${MINUTES:-30}
RATE=${RATE:-10000}
PAIRS=${PAIRS:-100}
IDLE=${IDLE:-5000}
WORKERS=${WORKERS:-2}
OUT=${OUT:-bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=18700
URL=http://127.0.0.1:$PORT
SECONDS_TOTAL=$((MINUTES * 60))
mkdir -p "$OUT"

source bench/hub.sh
trap stop_server EXIT
start_server "$BINARY" "$OUT/server.log" MAX_CONNECTIONS_PER_IP=0 CALL_QUEUE_LIMIT=100000

# The relay's pairs first: idle sockets are waiting customers, and would take its agents.
"$LOADGEN" --url "$URL" --json "$OUT/calls.json" \
  calls --pairs "$PAIRS" --rate "$RATE" --duration "$SECONDS_TOTAL" >"$OUT/calls.txt" 2>&1 &
CALLS_PID=$!
sleep 5
"$LOADGEN" --url "$URL" --json "$OUT/idle.json" \
  idle --connections "$IDLE" --hold "$SECONDS_TOTAL" --server-pid "$SERVER_PID" \
  >"$OUT/idle.txt" 2>&1 &
IDLE_PID=$!
sleep 5

echo "second,rss_kib,connections_open" >"$OUT/rss.csv"
for second in $(seq 0 10 "$SECONDS_TOTAL"); do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
  open=$(curl -sf "$URL/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections_open"])')
  echo "$second,$rss,$open" >>"$OUT/rss.csv"
  sleep 10
done
wait "$CALLS_PID" "$IDLE_PID" || true

python3 - "$OUT" <<'PY' | tee "$OUT/table.md"
import csv, json, sys
out = sys.argv[1]
rows = [(int(r["second"]), int(r["rss_kib"]), int(r["connections_open"]))
        for r in csv.DictReader(open(f"{out}/rss.csv"))]
steady = [rss for second, rss, _ in rows if second >= 60]
calls = json.load(open(f"{out}/calls.json"))["result"]
print("| minute | RSS MB | sockets open |")
print("|---|---|---|")
for second, rss, open_ in rows:
    if second % 300 == 0 or second == 60:
        print(f"| {second // 60} | {rss / 1024:.1f} | {open_} |")
lo, hi = min(steady), max(steady)
print()
print(f"RSS after the first minute: {lo / 1024:.1f}–{hi / 1024:.1f} MB, spread {(hi - lo) / lo:.1%} "
      f"of the lowest; relay p50 {calls['latency']['p50_ms']:.2f} ms, p99 "
      f"{calls['latency']['p99_ms']:.2f} ms, lost {calls['lost']}, misrouted "
      f"{calls['misrouted']}, duplicated {calls['duplicated']}")
PY
