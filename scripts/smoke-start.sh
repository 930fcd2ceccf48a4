#!/usr/bin/env bash
# Smoke test of the quick start on the embedded database: `npm start` with no
# DATABASE_URL answers /health/ready within 30 s, Module 5 is seeded, demo users
# are printed once, and data written before a restart is there after it. Needs `npm run build`.
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

token() {
  curl -fsS -X POST "http://127.0.0.1:$port/v1/auth/token" \
    --data-urlencode grant_type=password --data-urlencode username=admin@demo.local \
    --data-urlencode "password=$1" | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token'
}

started=$(date +%s%N)
start
echo "smoke: ready after $(( ($(date +%s%N) - started) / 1000000 )) ms on a fresh data folder"
password=$(awk '$2 == "admin@demo.local" { print $3 }' "$log")
[ -n "$password" ] || { echo "smoke: no demo admin password printed on first start" >&2; cat "$log" >&2; exit 1; }
user_id=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/users" -H "authorization: Bearer $(token "$password")" \
  -H 'content-type: application/json' \
  -d '{"email":"smoke@test.example","displayName":"Smoke","roles":["learner"]}' |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).id')
echo "smoke: created user $user_id"
counts=$(curl -fsS "http://127.0.0.1:$port/v1/modules/05-monitoring-logging-and-incident-response" \
  -H "authorization: Bearer $(token "$password")" | node -pe '
    const m = JSON.parse(require("fs").readFileSync(0));
    [m.objectives.length, m.sections.length, m.activities.length,
     m.activities.reduce((n, a) => n + a.steps.length, 0), m.checklistItems.length,
     m.checklistItems.filter((i) => i.activity).length, m.knowledgeCheck.knowledgeCheckQuestions,
     m.knowledgeCheck.bankQuestions >= 24].join(" ")')
[ "$counts" = "4 9 8 32 11 8 6 true" ] || { echo "smoke: Module 5 not as expected: $counts" >&2; exit 1; }
echo "smoke: Module 5 seeded at first start (objectives sections activities steps items linked kc bank>=24: $counts)"

# One process per data folder: while the API runs, the CLI refuses, says why, and writes nothing.
set +e
cli_out=$(env -u DATABASE_URL DATA_DIR="$data_dir" PORT="$port" node dist/src/users/user-create.cli.js \
  --email cli@test.example --role admin --password cli-password-1 2>&1)
cli_status=$?
set -e
[ "$cli_status" -eq 75 ] || { echo "smoke: user:create beside the running API exited $cli_status: $cli_out" >&2; exit 1; }
grep -q "is using the embedded database" <<<"$cli_out" && grep -q "POST http://127.0.0.1:$port/v1/users" <<<"$cli_out" ||
  { echo "smoke: user:create did not say why or how: $cli_out" >&2; exit 1; }
echo "smoke: user:create beside the running API refused (exit 75) and named the API's pid and the route to use"
stop

# With the API stopped the CLI may open the folder; what it says it created, the API then has.
env -u DATABASE_URL DATA_DIR="$data_dir" node dist/src/users/user-create.cli.js \
  --email cli@test.example --role admin --password cli-password-1 | grep -q "^Created admin cli@test.example" ||
  { echo "smoke: user:create on the stopped API's folder did not create the user" >&2; exit 1; }

start
found=$(curl -fsS "http://127.0.0.1:$port/v1/users/$user_id" -H "authorization: Bearer $(token "$password")" |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).email')
[ "$found" = "smoke@test.example" ] || { echo "smoke: user lost across restart" >&2; exit 1; }
cli_token=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/auth/token" --data-urlencode grant_type=password \
  --data-urlencode username=cli@test.example --data-urlencode password=cli-password-1 |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
[ -n "$cli_token" ] || { echo "smoke: the user made by user:create cannot sign in" >&2; exit 1; }
echo "smoke: the user user:create made while the API was stopped signs in after the restart"
[ "$(stat -c %a "$data_dir/jwt-secret")" = 600 ] || { echo "smoke: jwt-secret is not owner-only" >&2; exit 1; }
grep -c "Demo users (shown once" "$log" | grep -qx 1 || { echo "smoke: demo users printed more than once" >&2; exit 1; }
echo "smoke: restarted; the user is still there and demo credentials were printed once"
stop
echo "smoke: passed"
