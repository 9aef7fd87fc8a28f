#!/usr/bin/env bash
# Load test of the whole purchase path (issue 3), next to pgbench on the same
# PostgreSQL for the same two statements (update the meter row, insert the
# transaction row, one commit). Prints both, for docs/BENCHMARKS.md.
# Usage: scripts/load/purchase.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-15}"
eval "$(bash scripts/services.sh up run)"
go build -o bin/indicia . && go build -o bin/purchase-load ./scripts/load/purchase
work=$(mktemp -d /tmp/iload.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
base_url="${DATABASE_URL%/*}"
psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS indicia_load WITH (FORCE)" -c "CREATE DATABASE indicia_load"
export DATABASE_URL="$base_url/indicia_load?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="load:" HTTP_ADDR=127.0.0.1:18081
mkdir -p "$work/box" && chmod 700 "$work/box"
bin/indicia keys init >/dev/null
bin/indicia box & sleep 0.5
bin/indicia migrate >/dev/null
bin/indicia serve & 
for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r), PostgreSQL $(psql "$DATABASE_URL" -Atc 'show server_version'), fsync=$(psql "$DATABASE_URL" -Atc 'show fsync'); date: $(date -u +%F)"
bin/purchase-load -mode random -meters 200 -clients 32 -duration "${DUR}s"
bin/purchase-load -mode hot -clients 32 -duration "${DUR}s"

# pgbench: the same two statements as one dispense, on 200 random meters and on one.
psql "$DATABASE_URL" -q <<'SQL'
DROP TABLE IF EXISTS bench_meters, bench_tx;
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
echo "pgbench random meters:"; pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$work/random.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^(tps|latency average)"
echo "pgbench one meter:";    pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$work/hot.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^(tps|latency average)"
