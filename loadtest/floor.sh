#!/usr/bin/env bash
# What this machine allows the purchase path at most:
# the purchase load against servers that do only part of a purchase (HTTP
# alone; plus two signatures; plus pgbench's statements group-committed),
# then pgbench itself, all in one run. See loadtest/floor/main.go.
# Usage: loadtest/floor.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-10}"; ROUNDS="${2:-1}"
eval "$(bash scripts/services.sh up run)"
work=$(mktemp -d /tmp/ifloor.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/floor" ./loadtest/floor
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
bash loadtest/pgbench.sh "$DUR"
