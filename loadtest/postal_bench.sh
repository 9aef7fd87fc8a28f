#!/usr/bin/env bash
# Postal control room benchmark: ZIPS accounts, each with one meter at its
# own origin ZIP and PER labels over three years (5,000,000 labels over
# 1,000 origin ZIPs by default), COPYed by the label generator; then the
# day-by-origin rollup is brought up to date and the nightly forecast run
# once (both timed), and every /postal view is timed ITERS times through
# the service calls its handler makes, p50/p95/max. Uses a throw-away
# database on the local PostgreSQL. The label history's trigram index is
# dropped before seeding: no postal view reads it and it triples the seed.
#   loadtest/postal_bench.sh [ZIPS] [PER] [ITERS]
set -euo pipefail
cd "$(dirname "$0")/.."
ZIPS=${1:-1000}
PER=${2:-5000}
ITERS=${3:-100}
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
DB=postal_bench_$$
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
go build -o "$WORK/labelgen" ./metering/internal/labelgen
psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
URL="$PGURL_BASE/$DB?sslmode=disable"
"$WORK/labelgen" -db "$URL" 2>&1 | grep -v "level=\(INFO\|DEBUG\)" || true
psql "$URL" -qc "DROP INDEX IF EXISTS indicia_recipient_trgm_idx"
echo "== seed: $ZIPS origin ZIPs x $PER labels"
"$WORK/labelgen" -db "$URL" -origins "$ZIPS" -per "$PER" 2>&1 | grep -v "level=\(INFO\|DEBUG\)"
psql "$URL" -Atc "SELECT 'indicia table + indexes: ' || pg_size_pretty(pg_total_relation_size('indicia'))"
echo "== bench (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
"$WORK/labelgen" -db "$URL" -postal -iters "$ITERS" 2>&1 | grep -v "level=\(INFO\|DEBUG\)"
