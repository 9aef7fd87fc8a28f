#!/usr/bin/env bash
# make run: make sure PostgreSQL and Redis answer, migrate, seed the demo
# accounts, start every Indicia process and serve http://localhost:8080.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh up run)"
BIN=bin/indicia
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "stopping..." >&2
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/services.sh down || true
}
trap cleanup INT TERM EXIT

"$BIN" migrate
"$BIN" seed
# Each process is started only when this binary has that subcommand, so run.sh
# stays true as the box and the worker arrive.
for sub in box worker; do
  if "$BIN" --help | grep -q "^  $sub "; then
    "$BIN" "$sub" &
    pids+=($!)
  fi
done
"$BIN" serve &
pids+=($!)
echo "Indicia is serving on ${BASE_URL:-http://localhost:8080} (Ctrl-C stops everything)" >&2
wait -n "${pids[@]}"
