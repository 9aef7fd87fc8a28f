#!/usr/bin/env bash
# Label history benchmark: one large account (LABELS labels over three years)
# among OTHERS accounts of PER labels each, COPYed by a generator, then the
# history's pages (first page, deep cursor, every filter) timed through
# metering.ListLabels, ITERS queries each, p50/p95/max. Uses a throw-away
# database on the local PostgreSQL.
#   loadtest/label_history_bench.sh [LABELS] [OTHERS] [PER] [ITERS]
set -euo pipefail
cd "$(dirname "$0")/.."
LABELS=${1:-1000000}
OTHERS=${2:-0}
PER=${3:-0}
ITERS=${4:-200}
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
DB=label_history_bench_$$
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
go build -o "$WORK/labelgen" ./metering/internal/labelgen
psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
URL="$PGURL_BASE/$DB?sslmode=disable"
echo "== seed: $LABELS labels in the large account, $OTHERS accounts x $PER"
"$WORK/labelgen" -db "$URL" -labels "$LABELS" -others "$OTHERS" -per "$PER" 2>&1 | grep -v "level=\(INFO\|DEBUG\)"
psql "$URL" -Atc "SELECT 'indicia table + indexes: ' || pg_size_pretty(pg_total_relation_size('indicia'))"
echo "== bench"
"$WORK/labelgen" -db "$URL" -bench -iters "$ITERS" 2>&1 | grep -v "level=\(INFO\|DEBUG\)"
