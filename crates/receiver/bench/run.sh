#!/usr/bin/env bash
# Receiver benchmark on loopback: starts a release receiver on a fresh database (rate limit off),
# loads it with the `load` example (every response awaited; checks rows stored == 201s) and then
# with wrk (crates/receiver/bench/tickets.lua; `apt-get install -y wrk`), and checks the rows again.
# Usage: crates/receiver/bench/run.sh [connections=32] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/../../.."
connections=${1:-32}
seconds=${2:-20}
cargo build --release -p triage-receiver --bin triage-receiver --example load
work=$(mktemp -d)
start_receiver() {
  rm -f "$work"/bench.sqlite* "$work/out"
  RUST_LOG=warn target/release/triage-receiver --bind 127.0.0.1:0 --db "$work/bench.sqlite" \
    --policy www/policies/priority-p1-p4.json --rate-limit-per-minute 0 --admin-token bench \
    >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q '^listening on ' "$work/out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$work/out")
}
stop_receiver() { kill -TERM "$pid"; wait "$pid"; }
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== load example: $connections connections, ${seconds}s"
start_receiver
target/release/examples/load --url "$url" --connections "$connections" --seconds "$seconds" --admin-token bench
stop_receiver

if command -v wrk >/dev/null; then
  echo "== wrk: 2 threads, $connections connections, ${seconds}s"
  start_receiver
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s crates/receiver/bench/tickets.lua "$url" | tee "$work/wrk"
  stop_receiver
  rows=$(sqlite3 "$work/bench.sqlite" 'SELECT COUNT(*) FROM tickets' 2>/dev/null || echo '?')
  created=$(sed -n 's/^responses: 201=\([0-9]*\).*/\1/p' "$work/wrk")
  # wrk drops the responses still in flight when its time is up, so up to one per connection
  # may be stored without being counted.
  echo "rows stored: $rows; 201 responses counted by wrk: $created (in flight at the end: $((rows - created)))"
fi
