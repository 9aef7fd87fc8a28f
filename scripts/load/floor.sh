#!/usr/bin/env bash
# What this machine allows the purchase path at most (issue 3, point 12):
# the purchase load against servers that do only part of a purchase (HTTP
# alone; plus two signatures; plus pgbench's statements group-committed),
# then pgbench itself, all in one run. See scripts/load/floor/main.go.
# Usage: scripts/load/floor.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-10}"; ROUNDS="${2:-1}"
eval "$(bash scripts/services.sh up run)"
work=$(mktemp -d /tmp/ifloor.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/floor" ./scripts/load/floor
base_url="${DATABASE_URL%/*}"
psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS indicia_floor WITH (FORCE)" -c "CREATE DATABASE indicia_floor"
export DATABASE_URL="$base_url/indicia_floor?sslmode=disable"
echo "machine: $(nproc) cores, kernel $(uname -r), PostgreSQL $(psql "$DATABASE_URL" -Atc 'show server_version'), fsync=$(psql "$DATABASE_URL" -Atc 'show fsync'); date: $(date -u '+%F %H:%M') UTC"
run() { # level, load flags...
	local level=$1; shift
	"$work/floor" serve -level "$level" & local pid=$!
	for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18090/ && break; sleep 0.1; done
	"$work/floor" load -duration "${DUR}s" "$@"
	kill "$pid"; wait "$pid" 2>/dev/null || true
}
for round in $(seq "$ROUNDS"); do
	run http -label "round $round http only:               "
	run sign -label "round $round http + 2 signatures:      "
	run db -label "round $round + group commit, random:   "
	run db -hot -label "round $round + group commit, one meter:"
done
psql "$DATABASE_URL" -q <<'SQL'
CREATE TABLE bench_meters (id int PRIMARY KEY, ar bigint NOT NULL, dr bigint NOT NULL, piece_count bigint NOT NULL, counter bigint NOT NULL, mac bytea);
INSERT INTO bench_meters SELECT g, 0, 100000000, 0, 0, '\x00' FROM generate_series(1, 200) g;
CREATE TABLE bench_tx (id bigserial PRIMARY KEY, meter_id int NOT NULL, amount bigint NOT NULL, at timestamptz NOT NULL, hash bytea NOT NULL);
SQL
cat > "$work/random.sql" <<'SQL'
\set id random(1, 200)
BEGIN;
UPDATE bench_meters SET ar = ar + 78, dr = dr - 78, piece_count = piece_count + 1, counter = counter + 1, mac = '\x01' WHERE id = :id;
INSERT INTO bench_tx (meter_id, amount, at, hash) VALUES (:id, 78, now(), '\x02');
COMMIT;
SQL
sed 's/random(1, 200)/random(1, 1)/' "$work/random.sql" > "$work/hot.sql"
echo "pgbench random meters:"; pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$work/random.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^tps"
echo "pgbench one meter:";    pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$work/hot.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^tps"
