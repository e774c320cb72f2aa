#!/usr/bin/env bash
# Seed 004's streamed answers side by side: Switchboard (BOT_BACKEND=openai) and seed 004's own
# stack (bench/peers/seed004_fastapi.py), both streaming from the fake OpenAI-compatible model
# that `loadgen agent --upstream-port` runs itself, at each concurrency in LEVELS, the servers
# alternated run by run. The load generator reports the time to the first chunk and, from the
# model's own send times, what the server added to each chunk.
#
#   bench/agent.sh [SWITCHBOARD_BINARY] [LOADGEN_BINARY]
#
# Environment knobs (defaults in brackets): RUNS [3], LEVELS ["100 500 1000 2000"],
# DURATION [5], CHUNKS [20], GAP_MS [10], WORKERS [2], OUT [bench/results/agent-<UTC stamp>]
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:-target/release/switchboard}
LOADGEN=${2:-target/release/examples/loadgen}
RUNS=${RUNS:-3}
LEVELS=${LEVELS:-100 500 1000 2000}
DURATION=${DURATION:-5}
CHUNKS=${CHUNKS:-20}
GAP_MS=${GAP_MS:-10}
WORKERS=${WORKERS:-2}
OUT=${OUT:-bench/results/agent-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=18600
MODEL_PORT=18610
mkdir -p "$OUT"
[ -x "$BINARY" ] || cargo build --release --quiet --bin switchboard
[ -x "$LOADGEN" ] || cargo build --release --quiet --example loadgen
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/peers/requirements.txt

source bench/hub.sh
trap stop_server EXIT

start_peer() {
  bench/.venv/bin/python bench/peers/seed004_fastapi.py --port "$PORT" \
    --upstream "http://127.0.0.1:$MODEL_PORT" >>"$OUT/seed004.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/ws/statistics" >/dev/null && return 0
    sleep 0.1
  done
  echo "seed004_fastapi did not come up; see $OUT/seed004.log" >&2
  exit 1
}

for run in $(seq "$RUNS"); do
  for level in $LEVELS; do
    for server in switchboard seed004; do
      echo "== run $run, $server, $level streams"
      if [ "$server" = switchboard ]; then
        start_server "$BINARY" "$OUT/switchboard.log" MAX_CONNECTIONS_PER_IP=0 \
          BOT_BACKEND=openai OPENAI_BASE_URL="http://127.0.0.1:$MODEL_PORT"
      else
        start_peer
      fi
      "$LOADGEN" --url "http://127.0.0.1:$PORT" --json "$OUT/$server-$level-$run.json" \
        agent --connections "$level" --duration "$DURATION" --upstream-port "$MODEL_PORT" \
        --upstream-chunks "$CHUNKS" --upstream-gap-ms "$GAP_MS" >/dev/null || true
      stop_server
    done
  done
done

python3 - "$OUT" "$RUNS" "$LEVELS" <<'PY' | tee "$OUT/table.md"
import json, os, statistics, sys
out, runs, levels = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
med = statistics.median
def load(name):
    path = f"{out}/{name}.json"
    return json.load(open(path))["result"] if os.path.exists(path) else None
print("| server | streams | first chunk p50 ms | first chunk p99 ms (runs) | added to the first chunk p99 ms | added to later chunks p99 ms | streams/s | errors |")
print("|---|---|---|---|---|---|---|---|")
for level in levels:
    for server in ["switchboard", "seed004"]:
        rs = [r for r in (load(f"{server}-{level}-{n}") for n in range(1, runs + 1)) if r]
        if not rs:
            print(f"| {server} | {level} | – | failed | – | – | – | – |")
            continue
        p99 = [r["first_chunk"]["p99_ms"] for r in rs]
        print(f"| {server} | {level} | {med(r['first_chunk']['p50_ms'] for r in rs):.2f} "
              f"| {' / '.join(f'{v:.1f}' for v in p99)} "
              f"| {med(r['added_first_chunk']['p99_ms'] for r in rs):.2f} "
              f"| {med(r['added_later_chunks']['p99_ms'] for r in rs):.2f} "
              f"| {med(r['streams_per_second'] for r in rs):,.0f} | {sum(r['errors'] for r in rs)} |")
PY
