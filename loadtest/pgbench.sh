#!/usr/bin/env bash
# pgbench for the same two statements as one dispense (update the meter
# row, insert the transaction row, one commit), on 200 random meters and on
# one, against $DATABASE_URL: the yardstick of the purchase benchmarks. The load
# scripts (purchase.sh, purchase_ab.sh, floor.sh) call it after their runs.
# Usage: loadtest/pgbench.sh SECONDS
set -euo pipefail
DUR="${1:?seconds}"
export PGOPTIONS="-c client_min_messages=warning"
sqldir=$(mktemp -d /tmp/ipgbench.XXXX)
trap 'rm -rf "$sqldir"; psql "$DATABASE_URL" -qc "DROP TABLE IF EXISTS bench_meters, bench_tx" 2>/dev/null || true' EXIT
psql "$DATABASE_URL" -q <<'SQL'
DROP TABLE IF EXISTS bench_meters, bench_tx;
CREATE TABLE bench_meters (id int PRIMARY KEY, ar bigint NOT NULL, dr bigint NOT NULL, piece_count bigint NOT NULL, counter bigint NOT NULL, mac bytea);
INSERT INTO bench_meters SELECT g, 0, 100000000, 0, 0, '\x00' FROM generate_series(1, 200) g;
CREATE TABLE bench_tx (id bigserial PRIMARY KEY, meter_id int NOT NULL, amount bigint NOT NULL, at timestamptz NOT NULL, hash bytea NOT NULL);
SQL
cat > "$sqldir/random.sql" <<'SQL'
\set id random(1, 200)
BEGIN;
UPDATE bench_meters SET ar = ar + 78, dr = dr - 78, piece_count = piece_count + 1, counter = counter + 1, mac = '\x01' WHERE id = :id;
INSERT INTO bench_tx (meter_id, amount, at, hash) VALUES (:id, 78, now(), '\x02');
COMMIT;
SQL
sed 's/random(1, 200)/random(1, 1)/' "$sqldir/random.sql" > "$sqldir/hot.sql"
echo "pgbench random meters:"; pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$sqldir/random.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^(tps|latency average)"
echo "pgbench one meter:";    pgbench -n -c 32 -j 2 -T "$DUR" -M prepared -f "$sqldir/hot.sql" "$DATABASE_URL" 2>/dev/null | grep -E "^(tps|latency average)"
