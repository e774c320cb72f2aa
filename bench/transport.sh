#!/usr/bin/env bash
# Two builds' WebSocket transports side by side, alternated run by run (before, after, before,
# after, ...) so the machine's noise falls on both alike:
#   - huge-frame: a text-frame header declaring 1 TiB, then bytes for 6 s (bench/hostile.py):
#     what the hub took and its peak memory;
#   - unread-desk: a desk that never reads while its session is busy (bench/hostile.py), with
#     WS_WRITE_TIMEOUT=2 and DESK_RECONNECT_GRACE=1: when the hub lets it go;
#   - idle: IDLE sockets held open (loadgen idle): the hub's memory per socket, and IDLE
#     keep-alive HTTP connections after one request each (bench/hostile.py idle-http): what
#     the HTTP dispatcher alone keeps per connection;
#   - calls: the relay at RATE transcripts/s (loadgen calls): p50 and p99.
#
#   bench/transport.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]
#
# Environment knobs (defaults in brackets): RUNS [3], IDLE [5000], RATE [10000], PAIRS [100],
# DURATION [5], WORKERS [2], OUT [bench/results/transport-<UTC stamp>]
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=${1:?usage: bench/transport.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]}
AFTER=${2:?usage: bench/transport.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]}
LOADGEN=${3:-target/release/examples/loadgen}
RUNS=${RUNS:-3}
IDLE=${IDLE:-5000}
RATE=${RATE:-10000}
PAIRS=${PAIRS:-100}
DURATION=${DURATION:-5}
WORKERS=${WORKERS:-2}
OUT=${OUT:-bench/results/transport-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=18600
URL=http://127.0.0.1:$PORT
mkdir -p "$OUT"
[ -x "$LOADGEN" ] || cargo build --release --quiet --example loadgen

source bench/hub.sh
trap stop_server EXIT
start() {
  start_server "$1" "$OUT/server-$2.log" MAX_CONNECTIONS_PER_IP=0 CALL_QUEUE_LIMIT=100000 \
    WS_WRITE_TIMEOUT=2 DESK_RECONNECT_GRACE=1
}

for run in $(seq "$RUNS"); do
  for build in before after; do
    binary=$BEFORE
    [ "$build" = after ] && binary=$AFTER
    echo "== run $run, $build"
    start "$binary" "$build"
    bench/hostile.py huge-frame --url "$URL" --hub-pid "$SERVER_PID" >"$OUT/huge-$build-$run.json"
    bench/hostile.py unread-desk --url "$URL" --seconds 20 >"$OUT/unread-$build-$run.json"
    stop_server
    start "$binary" "$build"
    bench/hostile.py idle-http --url "$URL" --hub-pid "$SERVER_PID" --connections "$IDLE" \
      >"$OUT/http-$build-$run.json"
    stop_server
    start "$binary" "$build"
    "$LOADGEN" --url "$URL" --json "$OUT/idle-$build-$run.json" \
      idle --connections "$IDLE" --hold 6 --server-pid "$SERVER_PID" >/dev/null
    stop_server
    start "$binary" "$build"
    "$LOADGEN" --url "$URL" --json "$OUT/calls-$build-$run.json" \
      calls --pairs "$PAIRS" --rate "$RATE" --duration "$DURATION" >/dev/null
    stop_server
  done
done

python3 - "$OUT" "$RUNS" <<'PY' | tee "$OUT/table.md"
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
raw = lambda name: json.load(open(f"{out}/{name}.json"))
load = lambda name: raw(name)["result"]
med = statistics.median
print("| build | huge frame: MB taken (median) | huge frame: peak RSS MB (runs) | huge frame: answer "
      "| unread desk: let go after s (runs) | back to bot after s (median) "
      "| idle KB per socket (runs) | median | KB per idle HTTP connection (median) | calls p50 ms | calls p99 ms (runs) | p99 median | lost |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for build in ["before", "after"]:
    n = range(1, runs + 1)
    huge = [raw(f"huge-{build}-{i}") for i in n]
    unread = [raw(f"unread-{build}-{i}") for i in n]
    idle = [load(f"idle-{build}-{i}")["server_kb_per_connection"] for i in n]
    http = [raw(f"http-{build}-{i}")["kb_per_connection"] for i in n]
    calls = [load(f"calls-{build}-{i}") for i in n]
    p99 = [c["latency"]["p99_ms"] for c in calls]
    let_go = [u["desk_let_go_after_s"] for u in unread]
    bot = [u["back_to_bot_after_s"] for u in unread]
    shown = lambda v: "never (20 s)" if v is None else f"{v:.1f}"
    answer = huge[0]["close_code"] or huge[0]["outcome"]
    peaks = [h["rss_peak_mb"] for h in huge]
    print(f"| {build} | {med(h['bytes_sent'] for h in huge) / 1e6:,.1f} "
          f"| {' / '.join(f'{peak:.0f}' for peak in peaks)} | {answer} "
          f"| {' / '.join(shown(v) for v in let_go)} "
          f"| {shown(med(bot)) if None not in bot else 'never (20 s)'} "
          f"| {' / '.join(f'{v:.1f}' for v in idle)} | {med(idle):.1f} | {med(http):.1f} "
          f"| {med(c['latency']['p50_ms'] for c in calls):.3f} "
          f"| {' / '.join(f'{v:.2f}' for v in p99)} | {med(p99):.2f} "
          f"| {sum(c['lost'] + c['misrouted'] + c['duplicated'] for c in calls)} |")
PY
