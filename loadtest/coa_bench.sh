#!/usr/bin/env bash
# Change-of-address benchmark: a generated 5,000,000-row list
# loaded (streamed, standardized, COPYed) and 1,000,000 address-book entries
# matched against 1,000,000 COA records, each timed with peak memory from
# /usr/bin/time -v. Uses a throw-away database on the local PostgreSQL.
#   loadtest/coa_bench.sh [LIST_ROWS] [BOOK_ROWS] [COA_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
LIST_ROWS=${1:-5000000}
BOOK_ROWS=${2:-1000000}
COA_ROWS=${3:-1000000}
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
DB=coa_bench_$$
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
go build -o "$WORK/coagen" ./hygiene/coa/internal/coagen
psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
URL="$PGURL_BASE/$DB?sslmode=disable"

echo "== generate a $LIST_ROWS-row list"
"$WORK/coagen" -gen-list "$LIST_ROWS" -out "$WORK/list.csv"
ls -l "$WORK/list.csv"

echo "== load it (stream + standardize + COPY)"
/usr/bin/time -v "$WORK/coagen" -db "$URL" -load "$WORK/list.csv" 2> "$WORK/load.time" | grep -v DEBUG
grep -E "User time|System time|Elapsed|Maximum resident" "$WORK/load.time"

echo "== match $BOOK_ROWS book entries x $COA_ROWS COA records (fresh database)"
psql "$PGURL_BASE/postgres" -qc "DROP DATABASE $DB" -c "CREATE DATABASE $DB"
# Peak RSS of any PostgreSQL process while matching (the backend doing the joins).
( peak=0; while [ ! -f "$WORK/match.done" ]; do r=$(ps -C postgres -o rss= | sort -n | tail -1); [ "${r:-0}" -gt "$peak" ] && peak=$r; sleep 0.5; done; echo "PostgreSQL peak RSS (kbytes): $peak" > "$WORK/pg.peak" ) &
/usr/bin/time -v "$WORK/coagen" -db "$URL" -book "$BOOK_ROWS" -seed-list "$COA_ROWS" -match 2> "$WORK/match.time" | grep -v DEBUG
touch "$WORK/match.done"; wait
grep -E "User time|System time|Elapsed|Maximum resident" "$WORK/match.time"
grep -h "coa: match step" "$WORK/match.time" | sed 's/^time=[^ ]* level=DEBUG msg="coa: match step" //'
cat "$WORK/pg.peak"
