#!/usr/bin/env bash
# Change-of-address match, two (or more) builds alternately on one seeded
# database:
# each run clones the seed (CREATE DATABASE … TEMPLATE) and times coagen
# -match; prints each step's seconds, the whole match, the client's CPU and
# PostgreSQL's CPU (the run's backend and its parallel workers, read from
# /proc every 0.1 s), the load average and an md5 of every match written
# (equal for two builds that choose the same matches).
#   loadtest/coa_match_ab.sh SEED_DB ROUNDS COAGEN_A COAGEN_B [COAGEN_C…]
# Seed once with: coagen -db URL/SEED_DB -book 1000000 -seed-list 1000000,
# then VACUUM ANALYZE. Build each coagen from its tree:
#   go build -o /tmp/coagen-x ./hygiene/coa/internal/coagen
set -euo pipefail
SEED=$1 ROUNDS=$2
shift 2
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
OUT=$(mktemp -d)
pgcpu() { # sum of utime+stime (s) of the backends of database $1 and their parallel workers, until $2 exists
	python3 - "$1" "$2" <<'PY'
import os, sys, time
db, stop = sys.argv[1], sys.argv[2]
hz = os.sysconf('SC_CLK_TCK'); seen = {}
while True:
    done = os.path.exists(stop)
    backends = set()
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            cmd = open(f'/proc/{p}/cmdline').read()
            st = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
        except OSError: continue
        if cmd.startswith('postgres: ') and (f' {db} ' in cmd or 'parallel worker' in cmd):
            seen[p] = (int(st[11]) + int(st[12])) / hz
    if done: break
    time.sleep(0.1)
print(f'{sum(seen.values()):.1f}')
PY
}
run() { # label binary n
	local db=coa_ab_$$_$3_$RANDOM
	psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $db TEMPLATE $SEED"
	rm -f "$OUT/stop"; pgcpu "$db" "$OUT/stop" > "$OUT/cpu" &
	local load; load=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -f '%U %S' -o "$OUT/time" "$2" -db "$PGURL_BASE/$db?sslmode=disable" -match > "$OUT/out" 2> "$OUT/err"
	touch "$OUT/stop"; wait
	# The matches written (every chosen result is a new match on the seed).
	local sum; sum=$(psql "$PGURL_BASE/$db" -Atc "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', entry_id, record_id, final_id, list_id,
		code, tier, name_match, old_key, new_key, status), E'\n' ORDER BY entry_id, final_id, code)) FROM coa_matches")
	psql "$PGURL_BASE/postgres" -qc "DROP DATABASE $db"
	local steps; steps=$(grep -h 'coa: match step' "$OUT/err" | grep -v 'step=analyze\|work memory\|step=lock' |
		sed -E 's/.*step=("[^"]*"|[^ ]*).* seconds=([0-9.]+).*/\1=\2/' | awk -F= '{printf "%s=%.2f ", $1, $2}')
	printf '%s load=%s %s client_cpu=%s pg_cpu=%s matches=%s | %s\n' "$1" "$load" "$(grep -o 'in [0-9.]* s' "$OUT/out")" \
		"$(awk '{print $1+$2}' "$OUT/time")" "$(cat "$OUT/cpu")" "$sum" "$steps"
}
for i in $(seq 1 "$ROUNDS"); do
	for bin in "$@"; do
		run "$(basename "$bin")" "$bin" "$i"
	done
done
rm -rf "$OUT"
