#!/usr/bin/env bash
# Two builds of Switchboard side by side: the same load generator, the same loads, the builds
# alternated run by run (before, after, before, after, ...) so that the machine's noise falls
# on both alike. Measures what a change must not make worse: the relay's latency at an offered
# rate (`loadgen calls`) and stored bot turns per second (`loadgen chat`, on a file database).
#
#   bench/before_after.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]
#
# Environment knobs (defaults in brackets):
#   RUNS [3]              runs of each scenario per build
#   DURATION [5]          seconds measured per run
#   RATE [10000]          offered transcripts per second in the calls scenario
#   PAIRS [100]           customer/agent pairs in the calls scenario
#   CONCURRENCY [64]      sessions with one turn in flight in the chat scenario
#   WORKERS [2]           the hub's HTTP workers
#   OUT [bench/results/before-after-<UTC stamp>]   where the JSON and the table go
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=${1:?usage: bench/before_after.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]}
AFTER=${2:?usage: bench/before_after.sh BEFORE_BINARY AFTER_BINARY [LOADGEN_BINARY]}
LOADGEN=${3:-target/release/examples/loadgen}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
RATE=${RATE:-10000}
PAIRS=${PAIRS:-100}
CONCURRENCY=${CONCURRENCY:-64}
WORKERS=${WORKERS:-2}
OUT=${OUT:-bench/results/before-after-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=18500
mkdir -p "$OUT"
[ -x "$LOADGEN" ] || cargo build --release --quiet --example loadgen

source bench/hub.sh
trap stop_server EXIT

for run in $(seq "$RUNS"); do
  for build in before after; do
    binary=$BEFORE
    [ "$build" = after ] && binary=$AFTER
    echo "== run $run, $build: calls at $RATE/s"
    start_server "$binary" "$OUT/server.log" CALL_QUEUE_LIMIT=100000
    "$LOADGEN" --url "http://127.0.0.1:$PORT" --json "$OUT/calls-$build-$run.json" \
      calls --pairs "$PAIRS" --rate "$RATE" --duration "$DURATION" >/dev/null
    stop_server
    echo "== run $run, $build: chat with $CONCURRENCY sessions"
    start_server "$binary" "$OUT/server.log" CALL_QUEUE_LIMIT=100000
    "$LOADGEN" --url "http://127.0.0.1:$PORT" --json "$OUT/chat-$build-$run.json" \
      chat --concurrency "$CONCURRENCY" --duration "$DURATION" >/dev/null
    stop_server
  done
done

python3 - "$OUT" "$RUNS" <<'PY' | tee "$OUT/table.md"
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{out}/{name}.json"))["result"]
print("| build | calls p50 ms | calls p99 ms (runs) | calls p99 median | lost | chat turns/s (runs) | chat turns/s median | chat p99 ms median |")
print("|---|---|---|---|---|---|---|---|")
for build in ["before", "after"]:
    calls = [load(f"calls-{build}-{n}") for n in range(1, runs + 1)]
    chat = [load(f"chat-{build}-{n}") for n in range(1, runs + 1)]
    p99 = [c["latency"]["p99_ms"] for c in calls]
    turns = [c["turns_per_second"] for c in chat]
    print(f"| {build} | {statistics.median(c['latency']['p50_ms'] for c in calls):.3f} "
          f"| {' / '.join(f'{v:.2f}' for v in p99)} | {statistics.median(p99):.2f} "
          f"| {sum(c['lost'] + c['misrouted'] + c['duplicated'] for c in calls)} "
          f"| {' / '.join(f'{v:,.0f}' for v in turns)} | {statistics.median(turns):,.0f} "
          f"| {statistics.median(c['latency']['p99_ms'] for c in chat):.1f} |")
PY
