#!/usr/bin/env bash
# Side-by-side benchmark: Switchboard against the seed-000 peers (FastAPI, Node), same load
# generator, same offered loads, one server at a time on loopback. Prints a table of medians
# and the Switchboard/peer ratios, and keeps every run's JSON under bench/results/.
#
# Environment knobs (defaults in brackets):
#   RUNS [3]            repetitions of every measurement; the table shows medians
#   DURATION [10]       seconds of measured sending per calls run
#   PAIRS [100]         customer/agent pairs in the calls scenario
#   RATES ["1000 5000 10000 20000"]   offered transcripts/s for the latency sweep
#   MAX_LADDER ["500 1000 2500 5000 10000 15000 20000 30000 40000 60000 80000"]   rates tried by
#                       find-the-max, in order, until one collapses
#   MAX_P99_MS [10]     find-the-max: the highest rate whose median run has p99 under this and
#                       where no run lost anything
#   SERVERS ["switchboard fastapi node"]
#   SWITCHBOARD_WORKERS [2]
#   MATCH_PREFILLS ["0 1000 10000 100000"]   queue depths of the match scenario: customer legs
#                       left waiting before each measured window (`loadgen match --prefill N`)
#   MATCH_CONCURRENCY [64]  call starts in flight in the match scenario (and its prefill)
#   MATCH_DURATION [5]  seconds of each measured match window
#   IDLE_CONNECTIONS [19000]   sockets held in the idle scenario (see BENCHMARKS.md for the limit)
#   SCENARIOS ["sweep max match idle agent"]   which measurements to run; `agent` is seed
#                       004's streamed answers against seed 004's own stack (bench/agent.sh,
#                       with AGENT_LEVELS ["100 500 1000"] concurrent streams), its own table
#                       under $OUT/agent
#   OUT [bench/results/<UTC stamp>]      where the JSON files and the table go
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
PAIRS=${PAIRS:-100}
RATES=${RATES:-"1000 5000 10000 20000"}
MAX_LADDER=${MAX_LADDER:-"500 1000 2500 5000 10000 15000 20000 30000 40000 60000 80000"}
MAX_P99_MS=${MAX_P99_MS:-10}
SERVERS=${SERVERS:-"switchboard fastapi node"}
SWITCHBOARD_WORKERS=${SWITCHBOARD_WORKERS:-2}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-19000}
MATCH_PREFILLS=${MATCH_PREFILLS:-"0 1000 10000 100000"}
MATCH_CONCURRENCY=${MATCH_CONCURRENCY:-64}
MATCH_DURATION=${MATCH_DURATION:-5}
PORT=18400
SCENARIOS=${SCENARIOS:-"sweep max match idle agent"}
AGENT_LEVELS=${AGENT_LEVELS:-"100 500 1000"}
OUT=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

echo "== building"
cargo build --release --quiet --bin switchboard --example loadgen
LOADGEN=target/release/examples/loadgen

echo "== installing the peers' dependencies"
if [[ " $SERVERS " == *" fastapi "* ]]; then
  [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
fi
if [[ " $SERVERS " == *" node "* ]]; then
  npm install --prefix bench/peers --no-audit --no-fund --silent
fi

SERVER_PID=
# Starts server $1; any further arguments are NAME=value settings for Switchboard only.
start_server() {
  case "$1" in
    switchboard)
      env WORKERS=$SWITCHBOARD_WORKERS HOST=127.0.0.1 PORT=$PORT RUST_LOG=warn WS_MAX_CONNECTIONS=$IDLE_CONNECTIONS MAX_CONNECTIONS_PER_IP=0 CALL_QUEUE_LIMIT=100000 \
        "${@:2}" target/release/switchboard >"$OUT/$1.log" 2>&1 &
      ;;
    fastapi)
      bench/.venv/bin/python bench/peers/seed000_fastapi.py --port $PORT >"$OUT/$1.log" 2>&1 &
      ;;
    node)
      NODE_PATH=bench/peers/node_modules node bench/peers/seed000_node.cjs --port $PORT >"$OUT/$1.log" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not come up; see $OUT/$1.log" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  sleep 0.5
}
trap stop_server EXIT

# One calls run against a freshly started server: $1 server, $2 rate, $3 run, $4 file prefix.
calls_run() {
  start_server "$1"
  "$LOADGEN" --url "http://127.0.0.1:$PORT" --json "$OUT/$4-$1-$2-$3.json" \
    calls --pairs "$PAIRS" --rate "$2" --duration "$DURATION" >/dev/null 2>"$OUT/loadgen.err" \
    || echo "   $1 at $2/s failed: $(tail -1 "$OUT/loadgen.err")"
  stop_server
}

collapsed() {
  python3 - "$1" "$MAX_P99_MS" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["result"]
except (OSError, ValueError, KeyError):
    sys.exit(0)
bad = r["lost"] > 0 or r["misrouted"] > 0 or r["latency"]["p99_ms"] > 10 * float(sys.argv[2]) \
    or r["delivered_rate"] < 0.9 * r["offered_rate"]
sys.exit(0 if bad else 1)
PY
}

wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }

# The latency sweep: every rate of $RATES. $1 server, $2 run.
sweep() {
  for rate in $RATES; do
    calls_run "$1" "$rate" "$2" sweep
  done
}

# Find-the-max: climb $MAX_LADDER, stopping once a rate collapses (p99 over ten times the limit,
# lost messages, or under 90% delivered). report.py takes the highest rate whose median run
# passes. $1 server, $2 run.
find_max() {
  for rate in $MAX_LADDER; do
    calls_run "$1" "$rate" "$2" max
    collapsed "$OUT/max-$1-$rate-$2.json" && break
  done
  return 0
}

# Pairs per second with both sides arriving at once, on top of N customers already waiting, for
# every N of $MATCH_PREFILLS, each on a freshly started server. $1 server, $2 run.
#
# Switchboard's settings for it: CALL_QUEUE_LIMIT well above the deepest queue, which starts N
# deep and grows by however many more customers than agents the window answers, so that no
# start is refused for the limit; and CALL_CONNECT_TIMEOUT=300, since no leg of this scenario
# ever opens its socket: with the default 30 s the prefilled legs would start expiring during a
# deep prefill and its window, and the queue would no longer be N deep. The deadlines still
# exist (one per waiting leg) and their cost is part of what is measured. The peers have neither
# a queue limit nor a deadline: their queues are plain arrays that keep every leg until it is
# matched, and take the oldest with Array.shift() (Node) or list.pop(0) (FastAPI), which move
# the whole array once it is large; 100,000 waiting legs hold about 50 MB in either. After
# each Switchboard run its /api/health (health-match-*.json) gives the queue it really holds,
# which report.py holds against the depth the answers imply.
match() {
  local deepest=0 depth
  for depth in $MATCH_PREFILLS; do if (( depth > deepest )); then deepest=$depth; fi; done
  for depth in $MATCH_PREFILLS; do
    start_server "$1" CALL_QUEUE_LIMIT=$(( deepest + 1000000 )) CALL_CONNECT_TIMEOUT=300
    "$LOADGEN" --url "http://127.0.0.1:$PORT" --json "$OUT/match-$1-$depth-$2.json" \
      match --concurrency "$MATCH_CONCURRENCY" --duration "$MATCH_DURATION" --prefill "$depth" \
      >/dev/null 2>"$OUT/loadgen.err" \
      || echo "   $1 match at depth $depth failed: $(tail -1 "$OUT/loadgen.err")"
    grep -h "refused" "$OUT/loadgen.err" | sed "s/^/   $1 at depth $depth: /" || true
    curl -sf "http://127.0.0.1:$PORT/api/health" >"$OUT/health-match-$1-$depth-$2.json" || true
    stop_server
  done
}

# Sockets held open and the server's memory per socket. $1 server, $2 run.
idle() {
  start_server "$1"
  "$LOADGEN" --url "http://127.0.0.1:$PORT" --source 127.0.0.1-127.0.0.4 \
    --json "$OUT/idle-$1-$2.json" \
    idle --connections "$IDLE_CONNECTIONS" --hold 6 --server-pid "$SERVER_PID" \
    >/dev/null 2>"$OUT/loadgen.err" \
    || echo "   $1 idle failed: $(tail -1 "$OUT/loadgen.err")"
  stop_server
}

for run in $(seq "$RUNS"); do
  for server in $SERVERS; do
    echo "== run $run/$RUNS: $server"
    wants sweep && sweep "$server" "$run"
    wants max && find_max "$server" "$run"
    wants match && match "$server" "$run"
    wants idle && idle "$server" "$run"
  done
done

if wants sweep || wants max || wants match || wants idle; then
  python3 bench/report.py "$OUT" --p99-limit "$MAX_P99_MS" | tee "$OUT/table.md"
fi

# Seed 004's scenario alternates Switchboard and the seed's stack itself, run by run.
if wants agent; then
  stop_server
  echo "== seed 004 streams: switchboard and seed004_fastapi"
  OUT="$OUT/agent" RUNS="$RUNS" LEVELS="$AGENT_LEVELS" \
    bench/agent.sh target/release/switchboard "$LOADGEN"
fi
