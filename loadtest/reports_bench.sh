#!/usr/bin/env bash
# Reports benchmark: a throw-away database seeded by `indicia seed`, then a
# large label history COPYed by reports/internal/reportgen (LABELS for the
# demo mailer's account, ACCOUNTS other accounts with OTHER labels each,
# over the last year). Against a real `indicia serve` it measures
#   - the one-year spend summary of the large account (RUNS requests, p50/p95),
#   - the one-year register CSV download: rows/s and serve's RSS growth,
#   - the one-year register as XLSX: rows/s,
#   - the same register streamed in process (reportgen -measure): rows/s,
#     time to the first row and the Go heap.
# Usage: loadtest/reports_bench.sh [LABELS] [ACCOUNTS] [OTHER] [RUNS]
# Seeding five million labels takes a quarter of an hour: with BENCH_DB and
# BENCH_DIR set, the database and the box keystore are kept, and a second
# run with REUSE=1 only migrates (new migrations, new rollups) and measures.
set -euo pipefail
cd "$(dirname "$0")/.."
LABELS="${1:-1000000}"
ACCOUNTS="${2:-999}"
OTHER="${3:-1000}"
RUNS="${4:-20}"
eval "$(bash scripts/services.sh up run)"
go build -o bin/indicia ./cmd/indicia
go build -o bin/reportgen ./reports/internal/reportgen
DB="${BENCH_DB:-indicia_repbench}"
REUSE="${REUSE:-0}"
if [ -n "${BENCH_DIR:-}" ]; then
	work="$BENCH_DIR"; mkdir -p "$work"; rm -f "$work/reg.done"
	trap 'kill $(jobs -p) 2>/dev/null' EXIT
else
	work=$(mktemp -d /tmp/irep.XXXX)
	trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fi
base_url="${DATABASE_URL%/*}"
if [ "$REUSE" != 1 ]; then
	psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
fi
export DATABASE_URL="$base_url/$DB?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="repbench:"
mkdir -p "$work/box" && chmod 700 "$work/box"
[ "$REUSE" = 1 ] || bin/indicia keys init >/dev/null
bin/indicia box & sleep 0.5
bin/indicia migrate >/dev/null
if [ "$REUSE" != 1 ]; then
	bin/indicia seed >/dev/null
	bin/reportgen -db "$DATABASE_URL" -labels "$LABELS" -accounts "$ACCOUNTS" -other-labels "$OTHER"
fi
psql "$DATABASE_URL" -Atc "SELECT 'labels in the database: ' || count(*) FROM indicia"
PORT="${BENCH_PORT:-18090}"
HTTP_ADDR=127.0.0.1:$PORT bin/indicia serve & serve=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
jar=$(mktemp)
tok=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:$PORT/login | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "_csrf=$tok&email=mailer@demo.indicia.test&password=demo-mailer-2026" http://127.0.0.1:$PORT/login
cookie=$(awk '$6=="indicia_session"{print "indicia_session="$7}' "$jar")
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); date: $(date -u +%F)"
from=$(date -u -d '365 days ago' +%F); to=$(date -u +%F)

echo "== one-year spend summary by month (download of the summary alone), $RUNS runs"
for _ in $(seq "$RUNS"); do
	curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/summary/csv?from=$from&to=$to&group=month"
done | sort -n > "$work/summary.times"
awk '{a[NR]=$1} END {printf "summary: p50 %.1f ms, p95 %.1f ms, max %.1f ms (n=%d)\n", a[int(NR*0.5+0.5)]*1000, a[int(NR*0.95+0.5)]*1000, a[NR]*1000, NR}' "$work/summary.times"
curl -s -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/summary/csv?from=$from&to=$to&group=month" | tail -1

echo "== one-year register CSV"
rss0=$(ps -o rss= -p "$serve")
( peak=$rss0; while [ ! -f "$work/reg.done" ]; do r=$(ps -o rss= -p "$serve"); [ "${r:-0}" -gt "$peak" ] && peak=$r; sleep 0.2; done; echo "$peak" > "$work/reg.peak" ) &
sampler=$!
t=$(curl -s -o "$work/register.csv" -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/register/csv?from=$from&to=$to")
touch "$work/reg.done"; wait "$sampler"
rows=$(($(wc -l < "$work/register.csv") - 1))
peak=$(cat "$work/reg.peak")
awk -v rows="$rows" -v t="$t" -v r0="$rss0" -v pk="$peak" 'BEGIN {printf "register: %d rows in %.2f s = %.0f rows/s; serve RSS %.1f MB before, peak %.1f MB (+%.1f MB)\n", rows, t, rows/t, r0/1024, pk/1024, (pk-r0)/1024}'
ls -l "$work/register.csv" | awk '{print "register file: " $5 " bytes"}'

echo "== one-year register as XLSX (PostgreSQL's CSV into internal/xlsxstream)"
t=$(curl -s -o "$work/register.xlsx" -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT/reports/register/xlsx?from=$from&to=$to")
awk -v rows="$rows" -v t="$t" 'BEGIN {printf "register xlsx: %d rows in %.2f s = %.0f rows/s\n", rows, t, rows/t}'
ls -l "$work/register.xlsx" | awk '{print "register xlsx file: " $5 " bytes"}'

echo "== the same register without HTTP through Go values (reports.StreamRegister into encoding/csv: the JSON pages' path)"
bin/reportgen -db "$DATABASE_URL" -measure
