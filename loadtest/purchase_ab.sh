#!/usr/bin/env bash
# A/B of the purchase path between git revisions, alternated in one run so
# that whatever else loads the machine hits every build alike (see
# docs/BENCHMARKS.md). Each run gets a fresh database,
# keystore, box and server; pgbench runs once at the end on the same server.
# Usage: loadtest/purchase_ab.sh SECONDS ROUNDS REV...
#   e.g. loadtest/purchase_ab.sh 10 2 44d8b9c HEAD
# AB_PORT and AB_DB move serve off 18081 and the database off indicia_ab
# when another load test holds them.
set -euo pipefail
cd "$(dirname "$0")/.."
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
go build -o "$work/purchase-load" ./loadtest/purchase
for rev in "$@"; do
	git worktree add -q --detach "$work/src-$rev" "$rev"
	# Builds from before cmd/indicia have the command at the module root.
	pkg=./cmd/indicia; [ -d "$work/src-$rev/cmd/indicia" ] || pkg=.
	(cd "$work/src-$rev" && go build -o "$work/indicia-$rev" "$pkg")
done
base_url="${DATABASE_URL%/*}"
db="${AB_DB:-indicia_ab}"
export DATABASE_URL="$base_url/$db?sslmode=disable" BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin"
export BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box" LOG_LEVEL=warn REDIS_PREFIX="ab:" HTTP_ADDR=127.0.0.1:${AB_PORT:-18081}
echo "machine: $(nproc) cores, kernel $(uname -r); date: $(date -u '+%F %H:%M') UTC"
for round in $(seq "$ROUNDS"); do
	for rev in "$@"; do
		bin="$work/indicia-$rev"
		psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" 2>/dev/null
		rm -rf "$work/box" "$work/keystore.bin"; mkdir -p "$work/box"; chmod 700 "$work/box"
		"$bin" keys init >/dev/null
		"$bin" box & box_pid=$!; sleep 0.5
		"$bin" migrate >/dev/null
		"$bin" serve & serve_pid=$!
		for _ in $(seq 100); do curl -sf http://$HTTP_ADDR/healthz >/dev/null && break; sleep 0.1; done
		echo "== round $round, $rev"
		"$work/purchase-load" -url "http://$HTTP_ADDR" -mode random -meters 200 -clients 32 -duration "${DUR}s"
		"$work/purchase-load" -url "http://$HTTP_ADDR" -mode hot -clients 32 -duration "${DUR}s"
		kill "$serve_pid" "$box_pid"; wait "$serve_pid" "$box_pid" 2>/dev/null || true
	done
done
bash loadtest/pgbench.sh "$DUR"
