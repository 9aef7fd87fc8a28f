#!/usr/bin/env bash
# make chaos: starts `make cluster`, runs the chaos load through its load
# balancer (loadtest/chaos: prepaid and trickle purchases, single and batch,
# change-of-address list jobs, address lists for batch cleansing) and
# SIGKILLs one component at a time, with recovery in between:
#   serve      a serve process (HAProxy sends the load to the other; the
#              supervisor restarts it)
#   worker     a worker process (the other one carries the queue)
#   box        the leader of the three-box raft cluster (full runs start the
#              box as one): the others elect a new leader, serve and worker
#              follow it, the supervisor restarts the killed box, which
#              rejoins and catches up
#   redis      the Redis master (the Sentinels promote the replica; the old
#              master comes back as its replica)
#   postgres   the PostgreSQL primary (the standby is promoted; the old
#              primary is rewound and rejoins as the standby)
# After each kill: `indicia audit` is clean, every label a client was given is
# in the database, no tamper alert was raised. At the end, once the
# reconciler and the queue are idle: no card charge is left without its
# label or its refund, no charge was made twice, every job staged is done or
# dead. It prints the table (component, client errors during the outage,
# seconds until purchases succeed again, purchases lost, double charges) to
# var/cluster/chaos/table.md and exits non-zero when anything was lost.
#
#   scripts/chaos.sh [full|short]   short: one serve kill and one Redis failover
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-full}
case "$MODE" in
full) STEPS=(serve worker box redis postgres) BOXES=3 ;;
short) STEPS=(serve redis) BOXES=1 ;;
*) echo "usage: $0 [full|short]" >&2; exit 2 ;;
esac
WARM=${CHAOS_WARM:-8}
# cluster.sh reads it (up, env and where agree on the boxes).
export BOX_CLUSTER=$BOXES
OUT=var/cluster/chaos
log() { printf 'chaos: %s\n' "$*" >&2; }

go build -o bin/indicia ./cmd/indicia
go build -o bin/chaos ./loadtest/chaos

cluster_pid=''
driver_pid=''
finish() {
  local rc=$?
  [ -n "$driver_pid" ] && kill -TERM "$driver_pid" 2>/dev/null || true
  if [ -n "$cluster_pid" ]; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  exit "$rc"
}
trap finish EXIT INT TERM

# A fresh cluster each run: its data is what the checks read.
bash scripts/cluster.sh reset
mkdir -p var/cluster/log "$OUT"
bash scripts/cluster.sh up >"var/cluster/log/cluster.out" 2>&1 &
cluster_pid=$!
eval "$(bash scripts/cluster.sh env)"
# Ready when the balancer has answered 200 four times in a row: HAProxy may
# still mark a serve down from its first checks just after one answered.
ok=0
for _ in $(seq 1200); do
  if curl -fsS -o /dev/null "$BASE_URL/readyz" 2>/dev/null; then ok=$((ok + 1)); else ok=0; fi
  [ "$ok" -ge 4 ] && break
  kill -0 "$cluster_pid" 2>/dev/null || { tail -n 30 var/cluster/log/cluster.out >&2; exit 1; }
  sleep 0.5
done
[ "$ok" -ge 4 ] || { log "the cluster did not become ready"; exit 1; }
log "cluster ready on $BASE_URL"

psqlp() { psql -X -At -d "$DATABASE_URL" -c "$1"; }
now_ms() { date +%s%3N; }

bin/chaos -url "$BASE_URL" -out "$OUT" >"$OUT/driver.out" 2>&1 &
driver_pid=$!
sleep "$WARM"

# first_ok_after T: when the first purchase sent after T (ms) was answered
# as new (201), waiting up to 120 s: a purchase sent before the kill may have
# been carried out by the killed component already, and a 200 is a retry
# answered from what was stored before.
first_ok_after() {
  local t=$1 i ok
  for i in $(seq 240); do
    ok=$(awk -F'\t' -v t="$t" '$4 > t && $2 == "ok" && $3 == 201 {print $1; exit}' "$OUT/events.tsv" 2>/dev/null || true)
    if [ -n "$ok" ]; then echo "$ok"; return; fi
    sleep 0.5
  done
  echo ""
}

errors_between() { awk -F'\t' -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 == "retry" {n++} END {print n+0}' "$OUT/events.tsv"; }
# session_between A B: what the logged-in browser saw: errors (never allowed), busy (503) and log-ins asked.
session_between() { awk -F'\t' -v a="$1" -v b="$2" '$1 >= a && $1 <= b {if ($2 == "session-error") e++; if ($2 == "session-busy") y++; if ($2 == "session-login") l++} END {printf "%d / %d / %d", e, y, l}' "$OUT/events.tsv"; }

lost_labels() {
  sort -u "$OUT/labels.txt" >"$OUT/labels.sorted"
  psqlp "SELECT public_id FROM indicia" | sort -u >"$OUT/db-labels.sorted"
  comm -23 "$OUT/labels.sorted" "$OUT/db-labels.sorted" | wc -l
}

audit_ok() { if bin/indicia audit >"$OUT/audit-$1.out" 2>&1; then echo clean; else echo FAILED; fi; }
tamper_open() { psqlp "SELECT count(*) FROM tamper_alerts"; }

pid_of() { cat "var/cluster/run/indicia-$1.pid"; }
# killed: the SIGKILL goes out now; its time (ms) is where recovery counts from.
killed() { now_ms >"$OUT/killed-at"; kill -KILL "$@"; }

kill_step() {
  local step=$1 where
  eval "$(bash scripts/cluster.sh where)"
  case "$step" in
  serve) killed "$(pid_of serve1)" ;;
  worker) killed "$(pid_of worker1)" ;;
  box)
    [ -n "${BOX_LEADER:-}" ] || { log "box: no leader reported on /readyz"; return 1; }
    log "box: the leader is $BOX_LEADER"
    killed "$(pid_of "box-$BOX_LEADER")"
    ;;
  redis)
    local child sup
    child=$(pid_of "redis-$REDIS_MASTER_PORT")
    sup=$(ps -o ppid= -p "$child" | tr -d ' ')
    # The supervisor would start the old master again at once, before the
    # Sentinels notice it is gone: hold it until they have promoted the
    # replica, so this is a failover and not a restart.
    kill -STOP "$sup"
    killed "$child"
    for _ in $(seq 120); do
      where=$(redis-cli -p "${REDIS_SENTINELS##*:}" sentinel get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | sed -n 2p || true)
      [ -n "$where" ] && [ "$where" != "$REDIS_MASTER_PORT" ] && break
      sleep 0.5
    done
    log "redis: the Sentinels promoted $where"
    kill -CONT "$sup"
    ;;
  postgres)
    killed "$PG_PRIMARY_PID"
    sleep 2
    bash scripts/cluster.sh pg-promote
    ;;
  esac
}

after_step() {
  case "$1" in
  postgres) bash scripts/cluster.sh pg-rejoin ;;
  esac
}

printf '| component | client errors during the outage | seconds until purchases succeed again | purchases lost | double charges | audit | tamper alerts | web session: errors / 503 / asked to log in |\n|---|---|---|---|---|---|---|---|\n' >"$OUT/table.md"
failed=0
for step in "${STEPS[@]}"; do
  log "killing $step"
  t0=$(now_ms)
  kill_step "$step"
  t0=$(cat "$OUT/killed-at")
  t1=$(first_ok_after "$t0")
  if [ -z "$t1" ]; then
    secs="never (120 s)"
    errs=$(errors_between "$t0" "$(now_ms)")
    failed=1
  else
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b-a)/1000}')
    errs=$(errors_between "$t0" "$t1")
  fi
  after_step "$step"
  if [ "$step" = box ]; then
    eval "$(bash scripts/cluster.sh where)"
    log "box: the leader is now ${BOX_LEADER:-unknown}"
  fi
  sleep "$WARM"
  # The audit compares registers with the box, so it runs on a quiet
  # database: no purchase starts until it is done.
  touch "$OUT/pause"
  for _ in $(seq 600); do [ -e "$OUT/paused" ] && break; sleep 0.5; done
  lost=$(lost_labels)
  audit=$(audit_ok "$step")
  tamper=$(tamper_open)
  doubles=$(psqlp "SELECT count(*) FROM (SELECT account_id, client_key FROM charges WHERE client_key IS NOT NULL AND status IN ('charged','credited','done') GROUP BY 1, 2 HAVING count(*) > 1) d")
  rm -f "$OUT/pause"
  sess=$(session_between "$t0" "$(now_ms)")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$step" "$errs" "$secs" "$lost" "$doubles" "$audit" "$tamper" "$sess" >>"$OUT/table.md"
  log "$step: errors $errs, back after $secs s, lost $lost, double charges $doubles, audit $audit, tamper alerts $tamper"
  if [ "$lost" != 0 ] || [ "$audit" != clean ] || [ "$tamper" != 0 ] || [ "$doubles" != 0 ] || [ "${sess%% *}" != 0 ]; then failed=1; fi
done

log "stopping the load; finishing the purchases in flight"
kill -TERM "$driver_pid"
wait "$driver_pid" || true
driver_pid=''
cat "$OUT/driver.out" >&2

# The reconciler and the queue finish on their own time: wait for both.
open_charges=''
for _ in $(seq 180); do
  open_charges=$(psqlp "SELECT count(*) FROM charges WHERE status IN ('staged','unknown','charged','credited','refunding')")
  open_jobs=$(psqlp "SELECT count(*) FROM jobs WHERE status IN ('queued','running')")
  open_cleanses=$(psqlp "SELECT count(*) FROM cleanse_batches WHERE finished_at IS NULL")
  [ "$open_charges" = 0 ] && [ "$open_jobs" = 0 ] && [ "$open_cleanses" = 0 ] && break
  sleep 1
done
lost=$(lost_labels)
# A trickle charge that took the card's money ends either with its purchase's
# labels or refunded.
unlabelled=$(psqlp "SELECT count(*) FROM charges c WHERE c.kind = 'trickle' AND c.status = 'done' AND NOT EXISTS (SELECT 1 FROM purchases p JOIN indicia i ON i.purchase_id = p.id WHERE p.public_id = c.purchase_public_id)")
doubles=$(psqlp "SELECT count(*) FROM (SELECT account_id, client_key FROM charges WHERE client_key IS NOT NULL AND status IN ('charged','credited','done') GROUP BY 1, 2 HAVING count(*) > 1) d")
audit=$(audit_ok final)
{
  echo
  echo "After the load stopped and the reconciler and queue went idle:"
  echo
  echo "| check | result |"
  echo "|---|---|"
  echo "| labels a client was given, missing from the database | $lost |"
  echo "| charges still open (reconciler) | $open_charges |"
  echo "| jobs queued or running | $open_jobs |"
  echo "| cleansing lists uploaded / finished / upload attempts failed | $(psqlp "SELECT count(*) || ' / ' || count(finished_at) FROM cleanse_batches") / $(awk -F'\t' '$2=="cleanse-failed"{n++} END{print n+0}' "$OUT/events.tsv") |"
  echo "| trickle charges done without a label | $unlabelled |"
  echo "| double charges | $doubles |"
  echo "| indicia audit | $audit |"
  echo "| open tamper alerts | $(tamper_open) |"
  echo "| purchases answered / retried attempts | $(awk -F'\t' '$2=="ok"{o++} $2=="retry"{r++} END{print o+0 " / " r+0}' "$OUT/events.tsv") |"
} >>"$OUT/table.md"
cat "$OUT/table.md"
if [ "$lost" != 0 ] || [ "$open_charges" != 0 ] || [ "$open_jobs" != 0 ] || [ "$open_cleanses" != 0 ] || [ "$unlabelled" != 0 ] || [ "$doubles" != 0 ] || [ "$audit" != clean ]; then
  failed=1
fi
exit "$failed"
