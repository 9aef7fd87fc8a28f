#!/usr/bin/env bash
# Register downloads, two builds in one run: OLD and NEW are indicia
# binaries (e.g. one built from the base commit, one from HEAD) served in
# turn against the same database that loadtest/reports_bench.sh seeded
# (BENCH_DB, BENCH_DIR with its keystore), ROUNDS times each, alternating.
# Per round: the one-year register CSV (rows/s, serve's RSS growth) and the
# register as XLSX over XLSX_DAYS days for OLD and over a year for NEW
# (rows/s). Usage: OLD=path NEW=path BENCH_DB=… BENCH_DIR=… loadtest/reports_ab.sh [ROUNDS] [XLSX_DAYS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-2}"
XLSX_DAYS="${2:-30}"
eval "$(bash scripts/services.sh up run)"
work="$BENCH_DIR"
base_url="${DATABASE_URL%/*}"
export DATABASE_URL="$base_url/$BENCH_DB?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="repbench:"
PORT="${BENCH_PORT:-18090}"
"$NEW" box & box=$!
trap 'kill $box 2>/dev/null' EXIT
sleep 0.5
"$NEW" migrate >/dev/null
from=$(date -u -d '365 days ago' +%F); to=$(date -u +%F); xfrom=$(date -u -d "$XLSX_DAYS days ago" +%F)
measure() { # name binary
	HTTP_ADDR=127.0.0.1:$PORT "$2" serve & local serve=$!
	for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
	local jar tok cookie
	jar=$(mktemp)
	tok=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:$PORT/login | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
	curl -s -c "$jar" -b "$jar" -o /dev/null -d "_csrf=$tok&email=mailer@demo.indicia.test&password=demo-mailer-2026" http://127.0.0.1:$PORT/login
	cookie=$(awk '$6=="indicia_session"{print "indicia_session="$7}' "$jar")
	rm -f "$jar" "$work/ab.done"
	local rss0 t rows peak
	rss0=$(ps -o rss= -p "$serve")
	( peak=$rss0; while [ ! -f "$work/ab.done" ]; do r=$(ps -o rss= -p "$serve"); [ "${r:-0}" -gt "$peak" ] && peak=$r; sleep 0.2; done; echo "$peak" > "$work/ab.peak" ) &
	local sampler=$!
	t=$(curl -s -o "$work/ab.csv" -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/register/csv?from=$from&to=$to")
	touch "$work/ab.done"; wait "$sampler"
	rows=$(($(wc -l < "$work/ab.csv") - 1)); peak=$(cat "$work/ab.peak")
	awk -v n="$1" -v rows="$rows" -v t="$t" -v r0="$rss0" -v pk="$peak" -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {printf "%s register csv: %d rows in %.2f s = %.0f rows/s; RSS +%.1f MB; load %s\n", n, rows, t, rows/t, (pk-r0)/1024, ld}'
	local xf="$xfrom"
	[ "$1" = new ] && xf="$from"
	rows=$(($(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/register/csv?from=$xf&to=$to" | wc -l) - 1))
	t=$(curl -s -o "$work/ab.xlsx" -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/register/xlsx?from=$xf&to=$to")
	awk -v n="$1" -v rows="$rows" -v t="$t" -v sz="$(stat -c %s "$work/ab.xlsx")" -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {printf "%s register xlsx: %d rows in %.2f s = %.0f rows/s (%d bytes); load %s\n", n, rows, t, rows/t, sz, ld}'
	kill "$serve"; wait "$serve" 2>/dev/null || true
}
for _ in $(seq "$ROUNDS"); do
	measure old "$OLD"
	measure new "$NEW"
done
