#!/usr/bin/env bash
# Postal control room benchmark: ZIPS accounts, each with one meter at its
# own origin ZIP and PER labels over three years (5,000,000 labels over
# 1,000 origin ZIPs by default), COPYed by the label generator; then the
# day-by-origin rollup is brought up to date and the nightly forecast run
# once (both timed), and every /postal view is timed ITERS times through
# the service calls its handler makes, p50/p95/max. The label history's
# trigram index is dropped before seeding: no postal view reads it and it
# triples the seed.
#   loadtest/postal_bench.sh [ZIPS] [PER] [ITERS]
# Environment:
#   BENCH_DB=name  keep the database under this name (default: a throw-away
#                  one, dropped at the end); seeding 5 M labels takes half
#                  an hour.
#   REUSE=1        with BENCH_DB: skip creating and seeding; migrate the
#                  kept database (new migrations, new rollups) and measure.
#   BASE_REV=rev   also build that commit's label generator and time its
#                  views and this tree's alternately (new, base, new, base)
#                  on the same data, for a before/after ratio in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
ZIPS=${1:-1000}
PER=${2:-5000}
ITERS=${3:-100}
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
REUSE=${REUSE:-0}
WORK=$(mktemp -d)
if [ -n "${BENCH_DB:-}" ]; then
	DB=$BENCH_DB
	trap 'rm -rf "$WORK"' EXIT
else
	[ "$REUSE" != 1 ] || { echo "REUSE=1 needs BENCH_DB" >&2; exit 2; }
	DB=postal_bench_$$
	trap 'rm -rf "$WORK"; psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
fi
go build -o "$WORK/labelgen" ./metering/internal/labelgen
if [ -n "${BASE_REV:-}" ]; then
	mkdir -p "$WORK/base"
	git archive "$BASE_REV" | tar -x -C "$WORK/base"
	(cd "$WORK/base" && go build -o "$WORK/labelgen_base" ./metering/internal/labelgen)
fi
URL="$PGURL_BASE/$DB?sslmode=disable"
quiet() { grep -v "level=\(INFO\|DEBUG\)" || true; }
if [ "$REUSE" != 1 ]; then
	psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
	"$WORK/labelgen" -db "$URL" 2>&1 | quiet
	psql "$URL" -qc "DROP INDEX IF EXISTS indicia_recipient_trgm_idx"
	echo "== seed: $ZIPS origin ZIPs x $PER labels"
	"$WORK/labelgen" -db "$URL" -origins "$ZIPS" -per "$PER" 2>&1 | quiet
	# Index-only scans need the visibility map, which autovacuum keeps in production.
	psql "$URL" -qc "VACUUM ANALYZE"
else
	# Migrate first (new rollups fill here), so the timing below reads them.
	"$WORK/labelgen" -db "$URL" 2>&1 | quiet
	psql "$URL" -qc "VACUUM ANALYZE"
fi
psql "$URL" -Atc "SELECT 'labels: ' || count(*) || ', indicia table + indexes: ' || pg_size_pretty(pg_total_relation_size('indicia')) FROM indicia"
bench() { # name binary
	echo "== $1 (load average: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC)"
	"$2" -db "$URL" -postal -iters "$ITERS" 2>&1 | quiet
}
if [ -n "${BASE_REV:-}" ]; then
	# This tree first: its rollup brings the days up to date in the current
	# rollup's shape, so the base finds nothing of its own to add.
	bench "this tree" "$WORK/labelgen"
	bench "base $BASE_REV" "$WORK/labelgen_base"
	bench "this tree" "$WORK/labelgen"
	bench "base $BASE_REV" "$WORK/labelgen_base"
else
	bench "this tree" "$WORK/labelgen"
fi
