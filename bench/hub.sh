# Sourced by the bench scripts that start hubs one at a time.
#   start_server BINARY LOG [NAME=value ...]  a fresh hub on 127.0.0.1:$PORT with $WORKERS
#                                             workers, a temporary database, RUST_LOG=warn
#                                             and the settings given; waits until it answers
#   stop_server                               stops it and removes its database
# SERVER_PID holds the running hub's process id.

SERVER_PID=
SERVER_DATA=
start_server() {
  local binary=$1 log=$2
  shift 2
  SERVER_DATA=$(mktemp -d)
  env DATABASE_PATH="$SERVER_DATA/switchboard.db" WORKERS="$WORKERS" HOST=127.0.0.1 PORT="$PORT" \
    RUST_LOG=warn "$@" "$binary" >>"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "$binary did not come up; see $log" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$SERVER_DATA"
  sleep 0.5
}
