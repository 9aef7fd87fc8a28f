#!/usr/bin/env bash
# Load test: a logged-in dashboard page under 32 concurrent clients.
# Starts its own server on a spare port against the database of `make run`,
# logs the demo mailer in, and drives it with wrk for DURATION seconds.
# Usage: loadtest/dashboard.sh [DURATION]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
eval "$(bash scripts/services.sh up run)"
go build -o bin/indicia ./cmd/indicia
command -v wrk >/dev/null || bash scripts/services.sh tools-bench
# A throw-away database and box of its own, so the run measures a known state.
work=$(mktemp -d /tmp/idash.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
base_url="${DATABASE_URL%/*}"
psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS indicia_dash WITH (FORCE)" -c "CREATE DATABASE indicia_dash"
export DATABASE_URL="$base_url/indicia_dash?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="dash:"
mkdir -p "$work/box" && chmod 700 "$work/box"
bin/indicia keys init >/dev/null
bin/indicia box & sleep 0.5
bin/indicia migrate >/dev/null
bin/indicia seed >/dev/null
PORT=18080
HTTP_ADDR=127.0.0.1:$PORT bin/indicia serve &
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
jar=$(mktemp)
tok=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:$PORT/login | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "_csrf=$tok&email=mailer@demo.indicia.test&password=demo-mailer-2026" http://127.0.0.1:$PORT/login
cookie=$(awk '$6=="indicia_session"{print "indicia_session="$7}' "$jar")
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }
curl -sf -H "Cookie: $cookie" http://127.0.0.1:$PORT/dashboard | grep -q customer-id || { echo "dashboard did not render" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); date: $(date -u +%F)"
wrk -t2 -c32 -d"${DURATION}s" --latency -H "Cookie: $cookie" http://127.0.0.1:$PORT/dashboard
# Server-side time from the server's own histogram (excludes wrk and the network stack).
curl -s http://127.0.0.1:$PORT/metrics | grep 'indicia_http_request_duration_seconds_bucket{method="GET",route="/dashboard"' || true
