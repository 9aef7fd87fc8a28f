#!/usr/bin/env bash
# Load test of the whole purchase path next to pgbench on the same
# PostgreSQL for the same two statements (update the meter row, insert the
# transaction row, one commit). Prints both, for docs/BENCHMARKS.md.
# Usage: loadtest/purchase.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-15}"
eval "$(bash scripts/services.sh up run)"
go build -o bin/indicia ./cmd/indicia && go build -o bin/purchase-load ./loadtest/purchase
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

bash loadtest/pgbench.sh "$DUR"
