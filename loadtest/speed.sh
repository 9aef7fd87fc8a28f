#!/usr/bin/env bash
# The purchase path against what this machine allows, in one run, on one
# private PostgreSQL cluster (fsync on, pg_stat_statements loaded):
#   1. the floor: loadtest/floor's group-commit server, random meters;
#   2. the real path (box + serve), 32 clients, one label per API request,
#      prepaid: random meters, then one hot meter; for the random run, the
#      CPU each process spent per purchase (serve, box, PostgreSQL, driver),
#      pprof CPU profiles of serve and box, and pg_stat_statements;
#   3. pgbench's two statements on random meters and on one row;
# then the ratios. Profiles and statements go to OUT (default var/speed).
# Usage: loadtest/speed.sh [SECONDS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
# Fixed ports and a private cluster: one run at a time on a machine.
exec 9>/tmp/indicia-speed.lock
flock 9
DUR="${1:-10}"; OUT="${2:-var/speed}"
export GOTOOLCHAIN=auto
eval "$(bash scripts/services.sh up run 2>/dev/null)"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d /tmp/ispeed.XXXX); chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
pgdata="$work/pg"; pgport=15439
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }
cleanup() {
	set +e
	kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
	as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/floor" ./loadtest/floor
go build -o "$work/indicia" ./cmd/indicia
go build -o "$work/purchase-load" ./loadtest/purchase

mkdir "$pgdata"; [ "$(id -u)" -eq 0 ] && chown postgres: "$pgdata"
as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
# The machine's own server's settings (autovacuum off, fsync on), plus statistics.
as_pg "$pgbin/pg_ctl" -D "$pgdata" -w -l "$pgdata/log" -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdata -c autovacuum=off \
	-c shared_buffers=128MB -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" start >/dev/null
base="postgres://postgres@127.0.0.1:$pgport"
psql "$base/postgres" -qc "CREATE DATABASE indicia_speed"
export DATABASE_URL="$base/indicia_speed?sslmode=disable"
psql "$DATABASE_URL" -qc "CREATE EXTENSION pg_stat_statements"
pm=$(head -n1 "$pgdata/postmaster.pid")

# cpu PID: CPU ticks of the process, and of its reaped children.
cpu() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }
# pgcpu: CPU ticks of the whole cluster (live processes, plus those reaped).
pgcpu() {
	local t; t=$(cpu "$pm")
	for c in $(pgrep -P "$pm"); do t=$((t + $(awk '{print $14+$15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
	echo "$t"
}
hz=$(getconf CLK_TCK)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r), $(go version | cut -d' ' -f3), PostgreSQL $(psql "$DATABASE_URL" -Atc 'show server_version') (private cluster, fsync=$(psql "$DATABASE_URL" -Atc 'show fsync')); $(date -u '+%F %H:%M') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The floor.
"$work/floor" serve -level db & fpid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18090/ && break; sleep 0.1; done
floor=$("$work/floor" load -duration "${DUR}s" -label "floor (group commit, random):")
kill "$fpid"; wait "$fpid" 2>/dev/null || true
echo "$floor"

# 2. The real path.
export BOX_SOCKET="$work/box/box.sock" BOX_KEYSTORE="$work/keystore.bin" BOX_PASSPHRASE="load test passphrase" BOX_STATE_DIR="$work/box"
export LOG_LEVEL=warn REDIS_PREFIX="load:" HTTP_ADDR=127.0.0.1:18081
mkdir -p "$work/box" && chmod 700 "$work/box"
"$work/indicia" keys init >/dev/null
PPROF_ADDR=127.0.0.1:16062 "$work/indicia" box & bpid=$!
sleep 0.5
"$work/indicia" migrate >/dev/null
env -u BOX_KEYSTORE -u BOX_PASSPHRASE -u BOX_STATE_DIR PPROF_ADDR=127.0.0.1:16061 "$work/indicia" serve & spid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
# Accounts, meters and keys first, so the measured runs only buy.
"$work/purchase-load" -mode random -meters 200 -duration 1s -keys "$work/keys-random" >/dev/null
"$work/purchase-load" -mode hot -duration 1s -keys "$work/keys-hot" >/dev/null
psql "$DATABASE_URL" -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
s0=$(cpu "$spid"); b0=$(cpu "$bpid"); p0=$(pgcpu)
curl -s -o "$OUT/serve.pprof" "http://127.0.0.1:16061/debug/pprof/profile?seconds=$((DUR - 2))" & c1=$!
curl -s -o "$OUT/box.pprof" "http://127.0.0.1:16062/debug/pprof/profile?seconds=$((DUR - 2))" & c2=$!
random=$("$work/purchase-load" -mode random -meters 200 -clients 32 -duration "${DUR}s" -keys "$work/keys-random")
s1=$(cpu "$spid"); b1=$(cpu "$bpid"); p1=$(pgcpu)
wait "$c1" "$c2" || true
psql "$DATABASE_URL" -P pager=off -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round((total_exec_time / calls * 1000)::numeric, 0) AS us_per_call,
	rows, round((100 * total_exec_time / sum(total_exec_time) OVER ())::numeric, 1) AS pct, wal_records, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
	FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25" >"$OUT/pg_stat_statements.txt"
hot=$("$work/purchase-load" -mode hot -clients 32 -duration "${DUR}s" -keys "$work/keys-hot")
echo "purchases, random meters: $random"
echo "purchases, one hot meter: $hot"
n=$(field ok "$random")
awk -v n="$n" -v hz="$hz" -v s=$((s1 - s0)) -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v d="$(field driver_cpu_per_ok "$random")" 'BEGIN{
	us = 1e6 / hz / n
	printf "CPU per purchase (random meters): serve %.0f µs, box %.0f µs, PostgreSQL %.0f µs, total %.0f µs (+ driver %s)\n", s*us, b*us, p*us, (s+b+p)*us, d }'
kill "$spid" "$bpid"; wait "$spid" "$bpid" 2>/dev/null || true

# 3. pgbench, then the ratios.
pg=$(bash loadtest/pgbench.sh "$DUR")
echo "$pg"
pgr=$(awk '/random meters/{f=1} f && /^tps/{print $3; exit}' <<<"$pg")
pgh=$(awk '/one meter/{f=1} f && /^tps/{print $3; exit}' <<<"$pg")
echo "ratios: random purchases / floor = $(ratio "$(field tps "$random")" "$(field tps "$floor")") (target >= 0.8, p99 $(field p99 "$random"), target <= 25ms);" \
	"random purchases / pgbench random = $(ratio "$(field tps "$random")" "$pgr");" \
	"hot meter / pgbench one row = $(ratio "$(field tps "$hot")" "$pgh") (target >= 3)"
echo "profiles: $OUT/serve.pprof, $OUT/box.pprof (go tool pprof -top); statements: $OUT/pg_stat_statements.txt"
