#!/usr/bin/env bash
# A/B of the purchase path between git revisions, alternated in one run so
# that whatever else loads the machine hits every build alike (issue 3;
# docs/BENCHMARKS.md, "Third session"). Each run gets a fresh database,
# keystore, box and server; pgbench runs once at the end on the same server.
# Usage: scripts/load/purchase_ab.sh SECONDS ROUNDS REV...
#   e.g. scripts/load/purchase_ab.sh 10 2 44d8b9c HEAD
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:?seconds}"; ROUNDS="${2:?rounds}"; shift 2
[ $# -ge 1 ] || { echo "usage: $0 SECONDS ROUNDS REV..." >&2; exit 2; }
eval "$(bash scripts/services.sh up run)"
work=$(mktemp -d /tmp/iab.XXXX)
cleanup() {
	set +e
	kill $(jobs -p) 2>/dev/null
	for w in "$work"/src-*; do git worktree remove --force "$w" 2>/dev/null; done
	rm -rf "$work"
	git worktree prune
}
trap cleanup EXIT
go build -o "$work/purchase-load" ./scripts/load/purchase
for rev in "$@"; do
	git worktree add -q --detach "$work/src-$rev" "$rev"
	(cd "$work/src-$rev" && go build -o "$work/indicia-$rev" .)
done
base_url="${DATABASE_URL%/*}"
export DATABASE_URL="$base_url/indicia_ab?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="ab:" HTTP_ADDR=127.0.0.1:18081
echo "machine: $(nproc) cores, kernel $(uname -r); date: $(date -u '+%F %H:%M') UTC"
for round in $(seq "$ROUNDS"); do
	for rev in "$@"; do
		bin="$work/indicia-$rev"
		psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS indicia_ab WITH (FORCE)" -c "CREATE DATABASE indicia_ab" 2>/dev/null
		rm -rf "$work/box" "$work/keystore.bin"; mkdir -p "$work/box"; chmod 700 "$work/box"
		"$bin" keys init >/dev/null
		"$bin" box & box_pid=$!; sleep 0.5
		"$bin" migrate >/dev/null
		"$bin" serve & serve_pid=$!
		for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
		echo "== round $round, $rev"
		"$work/purchase-load" -mode random -meters 200 -clients 32 -duration "${DUR}s"
		"$work/purchase-load" -mode hot -clients 32 -duration "${DUR}s"
		kill "$serve_pid" "$box_pid"; wait "$serve_pid" "$box_pid" 2>/dev/null || true
	done
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
