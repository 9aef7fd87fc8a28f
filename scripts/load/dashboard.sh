#!/usr/bin/env bash
# Load test: a logged-in dashboard page under 32 concurrent clients (issue 2).
# Starts its own server on a spare port against the database of `make run`,
# logs the demo mailer in, and drives it with wrk for DURATION seconds.
# Usage: scripts/load/dashboard.sh [DURATION]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-15}"
eval "$(bash scripts/services.sh up run)"
go build -o bin/indicia .
command -v wrk >/dev/null || { echo "install wrk (apt-get install -y wrk)" >&2; exit 1; }
bin/indicia migrate >/dev/null
bin/indicia seed >/dev/null
PORT=18080
LOG_LEVEL=warn HTTP_ADDR=127.0.0.1:$PORT bin/indicia serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
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
