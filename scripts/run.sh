#!/usr/bin/env bash
# make run: make sure PostgreSQL and Redis answer, create the box keystore on
# first run, start the secure box, migrate, seed the demo accounts, start the
# worker and the web server on http://localhost:8080.
# Ctrl-C stops everything this script started (including private services).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh up run)"
BIN=bin/indicia
mkdir -p var/box && chmod 700 var/box

# The box's keystore and its passphrase. The demo passphrase lives in a file
# only this user can read; production passes BOX_PASSPHRASE_FILE from a secret store.
export BOX_KEYSTORE="${BOX_KEYSTORE:-var/keystore.bin}"
if [ -z "${BOX_PASSPHRASE:-}" ] && [ -z "${BOX_PASSPHRASE_FILE:-}" ]; then
  export BOX_PASSPHRASE_FILE=var/box-passphrase
  if [ ! -s "$BOX_PASSPHRASE_FILE" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 > "$BOX_PASSPHRASE_FILE")
  fi
fi
if [ ! -f "$BOX_KEYSTORE" ]; then
  "$BIN" keys init
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "stopping..." >&2
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/services.sh down postgres redis || true
}
trap cleanup INT TERM EXIT

"$BIN" box &
pids+=($!)
# Notification emails go to a local catcher (files under var/mail) unless SMTP_URL names a real server.
if [ -z "${SMTP_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/1025) 2>/dev/null; then
  "$BIN" mailcatcher &
  pids+=($!)
fi
"$BIN" migrate
"$BIN" seed
"$BIN" worker &
pids+=($!)
"$BIN" serve &
pids+=($!)
echo "Indicia is serving on ${BASE_URL:-http://localhost:8080} (Ctrl-C stops everything)" >&2
wait -n "${pids[@]}"
