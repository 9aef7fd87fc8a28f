#!/usr/bin/env bash
# make cluster: Indicia past one machine, on this machine. Starts
#   - HAProxy on http://127.0.0.1:$CLUSTER_PORT in front of two serve processes
#     (health-checked on /readyz),
#   - two worker processes, the box (BOX_CLUSTER=3: three boxes as one raft
#     cluster), the Stripe stand-in and the mail catcher,
#   - a PostgreSQL primary with a synchronous streaming standby,
#   - Redis with a replica and three Sentinels,
# each on its own port, with its data under var/cluster (PostgreSQL's under
# /tmp/indicia-cluster-<hash>, which the postgres user can reach). Debian's
# haproxy, redis-server and postgresql are installed when missing.
# Ctrl-C stops everything it started.
#
#   scripts/cluster.sh [up]        start (make cluster)
#   scripts/cluster.sh env         print the settings a tool needs to reach it
#   scripts/cluster.sh pg-promote  promote the standby (after the primary died)
#   scripts/cluster.sh pg-rejoin   make the old primary a standby of the new one
#   scripts/cluster.sh status      which PostgreSQL and Redis node is primary
#   scripts/cluster.sh where       the same as NAME=value lines (scripts/chaos.sh)
#   scripts/cluster.sh reset       remove the cluster's data (when it is stopped)
#
# Ports (CLUSTER_PORT, default 18400): +0 HAProxy, +1 HAProxy stats,
# +11/+12 serve, +21/+22 PostgreSQL, +31/+32 Redis, +41..+43 Sentinels,
# +51 Stripe stand-in, +52 mail catcher (SMTP), +61.. the boxes' peer ports.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd -P)"
P=${CLUSTER_PORT:-18400}
CL="$ROOT/var/cluster"
RUNDIR="$CL/run"
LOGDIR="$CL/log"
HASH="$(printf %s "$ROOT" | sha1sum | cut -c1-12)"
PGBASE="/tmp/indicia-cluster-$HASH"
BIN=bin/indicia
HAPROXY_PORT=$P
STATS_PORT=$((P + 1))
SERVE_PORTS=($((P + 11)) $((P + 12)))
PG_PORTS=($((P + 21)) $((P + 22)))
REDIS_PORTS=($((P + 31)) $((P + 32)))
SENTINEL_PORTS=($((P + 41)) $((P + 42)) $((P + 43)))
STUB_PORT=$((P + 51))
SMTP_PORT=$((P + 52))
MASTER_NAME=indicia
# The number of boxes is kept with the data, so `env` and `where` agree
# with the running cluster.
BOXES=${BOX_CLUSTER:-$(cat "$CL/box-count" 2>/dev/null || echo 1)}

# box_sockets: every box's socket, comma-separated (one box: its socket).
box_sockets() {
  if [ "$BOXES" -le 1 ]; then echo "$CL/box/box.sock"; return; fi
  local i out=''
  for i in $(seq 1 "$BOXES"); do out+="${out:+,}$CL/box/b$i/box.sock"; done
  echo "$out"
}

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

pg_bin() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] || continue
    best="$d"
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

# PostgreSQL refuses to run as root; as root its servers run as postgres.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}
pg_owner() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }

cluster_env() {
  local sentinels
  sentinels="127.0.0.1:${SENTINEL_PORTS[0]},127.0.0.1:${SENTINEL_PORTS[1]},127.0.0.1:${SENTINEL_PORTS[2]}"
  cat <<EOF
export DATABASE_URL='postgres://postgres@127.0.0.1:${PG_PORTS[0]},127.0.0.1:${PG_PORTS[1]}/indicia?sslmode=disable&target_session_attrs=read-write'
export DATABASE_REPLICA_URL='postgres://postgres@127.0.0.1:${PG_PORTS[1]},127.0.0.1:${PG_PORTS[0]}/indicia?sslmode=disable&target_session_attrs=prefer-standby'
export REDIS_URL='redis://127.0.0.1:${REDIS_PORTS[0]}/0'
export REDIS_SENTINELS='$sentinels'
export REDIS_MASTER_NAME='$MASTER_NAME'
export BOX_SOCKET='$(box_sockets)'
export BASE_URL='http://127.0.0.1:$HAPROXY_PORT'
export STRIPE_STUB_ADDR='127.0.0.1:$STUB_PORT'
export SMTP_URL='smtp://127.0.0.1:$SMTP_PORT'
export INDICIA_VAR='$CL/var'
export TRUST_PROXY=true
EOF
}

install_missing() {
  local pkgs=()
  command -v haproxy >/dev/null 2>&1 || pkgs+=(haproxy)
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  pg_bin >/dev/null || pkgs+=(postgresql)
  command -v psql >/dev/null 2>&1 || pkgs+=(postgresql-client)
  [ "${#pkgs[@]}" -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing ${pkgs[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${pkgs[@]}" >&2
  # Debian's packages start their own servers on the standard ports; the
  # cluster runs its own, so leave those as the machine had them.
}

# ------------------------------------------------------------ PostgreSQL

# The primary and the standby share one configuration: whichever is primary
# waits for the other's flush before a commit returns (synchronous_commit=on
# with either name as the synchronous standby), so a purchase answered as
# committed survives losing the primary.
pg_conf() { # node port
  cat <<EOF
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$PGBASE'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
wal_log_hints = on
# pg_rewind reads the old primary's WAL back to the last common checkpoint.
wal_keep_size = 1GB
synchronous_commit = on
synchronous_standby_names = 'ANY 1 (pg1, pg2)'
max_connections = 200
shared_buffers = 128MB
EOF
}

pg_start() { # node
  local n=$1 bin
  bin="$(pg_bin)"
  as_pg "$bin/pg_ctl" -D "$PGBASE/$n" -w -t 60 -l "$PGBASE/$n.log" start >/dev/null
}

pg_init() {
  local bin owner
  bin="$(pg_bin)" || die "PostgreSQL server binaries not found"
  owner="$(pg_owner)"
  mkdir -p "$PGBASE"
  chown "$owner:" "$PGBASE"
  chmod 700 "$PGBASE"
  if [ ! -s "$PGBASE/pg1/PG_VERSION" ]; then
    log "initdb primary (pg1)"
    as_pg "$bin/initdb" -D "$PGBASE/pg1" -U postgres --auth=trust -E UTF8 --locale=C >"$LOGDIR/initdb.log" 2>&1 ||
      die "initdb failed; see $LOGDIR/initdb.log"
    pg_conf pg1 "${PG_PORTS[0]}" | as_pg tee -a "$PGBASE/pg1/postgresql.conf" >/dev/null
  fi
  if ! pg_isready -q -h 127.0.0.1 -p "${PG_PORTS[0]}" && ! pg_isready -q -h 127.0.0.1 -p "${PG_PORTS[1]}"; then
    [ -s "$PGBASE/pg1/standby.signal" ] || pg_start pg1
    if [ -s "$PGBASE/pg2/PG_VERSION" ]; then pg_start pg2; fi
  fi
  if [ ! -s "$PGBASE/pg2/PG_VERSION" ]; then
    log "base backup for the standby (pg2)"
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "${PG_PORTS[0]}" -U postgres -D "$PGBASE/pg2" -X stream -R \
      >"$LOGDIR/basebackup.log" 2>&1 || die "pg_basebackup failed; see $LOGDIR/basebackup.log"
    pg_conf pg2 "${PG_PORTS[1]}" | as_pg tee -a "$PGBASE/pg2/postgresql.conf" >/dev/null
    printf "primary_conninfo = 'host=127.0.0.1 port=%s user=postgres application_name=pg2'\n" "${PG_PORTS[0]}" |
      as_pg tee -a "$PGBASE/pg2/postgresql.auto.conf" >/dev/null
    pg_start pg2
  fi
  local i
  for i in $(seq 60); do
    if [ "$(psql -X -At -h 127.0.0.1 -p "$(pg_primary_port)" -U postgres -d postgres \
      -c "select count(*) from pg_stat_replication where sync_state in ('sync','quorum')" 2>/dev/null)" = 1 ]; then
      break
    fi
    sleep 0.5
  done
  psql -X -At -h 127.0.0.1 -p "$(pg_primary_port)" -U postgres -d postgres -c "select 1 from pg_database where datname='indicia'" | grep -q 1 ||
    psql -X -q -h 127.0.0.1 -p "$(pg_primary_port)" -U postgres -d postgres -c "create database indicia"
  log "PostgreSQL: primary on $(pg_primary_port), synchronous standby streaming"
}

pg_primary_port() {
  local port
  for port in "${PG_PORTS[@]}"; do
    if [ "$(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; then
      echo "$port"
      return
    fi
  done
  return 1
}

pg_node_of_port() { if [ "$1" = "${PG_PORTS[0]}" ]; then echo pg1; else echo pg2; fi; }
pg_other() { if [ "$1" = pg1 ]; then echo pg2; else echo pg1; fi; }

# pg-promote: the standby becomes the primary. Run it only once the old
# primary is down; DATABASE_URL's read-write session attribute then finds it.
cmd_pg_promote() {
  local port node
  for port in "${PG_PORTS[@]}"; do
    if [ "$(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      node="$(pg_node_of_port "$port")"
      log "promoting $node (port $port)"
      as_pg "$(pg_bin)/pg_ctl" -D "$PGBASE/$node" -w promote >/dev/null
      # Alone until the old primary rejoins: waiting for a standby that is
      # not there would stop every commit, so the new primary commits on its
      # own until pg-rejoin names its standby again.
      psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "alter system set synchronous_standby_names = ''" -c "select pg_reload_conf()" >/dev/null
      return
    fi
  done
  die "no standby is running"
}

# pg-rejoin: the old primary is rewound to the new timeline and started as
# its standby (pg_rewind needs wal_log_hints, set above).
cmd_pg_rejoin() {
  local primary node port bin
  bin="$(pg_bin)"
  primary="$(pg_primary_port)" || die "no primary is running"
  node="$(pg_other "$(pg_node_of_port "$primary")")"
  port=$([ "$node" = pg1 ] && echo "${PG_PORTS[0]}" || echo "${PG_PORTS[1]}")
  if pg_isready -q -h 127.0.0.1 -p "$port"; then
    log "$node is running; stopping it to rejoin"
    as_pg "$bin/pg_ctl" -D "$PGBASE/$node" -m fast -w stop >/dev/null || true
  fi
  rm -f "$PGBASE/$node/postmaster.pid"
  # pg_rewind reads the source's timeline from its control file, which a
  # promotion updates only at its next checkpoint.
  psql -X -q -h 127.0.0.1 -p "$primary" -U postgres -d postgres -c checkpoint
  log "rewinding $node onto the primary on $primary"
  if ! as_pg "$bin/pg_rewind" -D "$PGBASE/$node" --source-server="host=127.0.0.1 port=$primary user=postgres dbname=postgres" \
    >>"$LOGDIR/rewind.log" 2>&1; then
    # Without the WAL back to the divergence a rewind is impossible; a new
    # base backup of the primary always works, only slower.
    log "pg_rewind failed (see $LOGDIR/rewind.log); taking a new base backup instead"
    rm -rf "$PGBASE/$node"
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$PGBASE/$node" -X stream -R \
      >>"$LOGDIR/basebackup.log" 2>&1 || die "pg_basebackup failed; see $LOGDIR/basebackup.log"
  fi
  # Both ways copy the primary's configuration files: the node's own port
  # goes back on top.
  pg_conf "$node" "$port" | as_pg tee -a "$PGBASE/$node/postgresql.conf" >/dev/null
  as_pg touch "$PGBASE/$node/standby.signal"
  printf "primary_conninfo = 'host=127.0.0.1 port=%s user=postgres application_name=%s'\n" "$primary" "$node" |
    as_pg tee -a "$PGBASE/$node/postgresql.auto.conf" >/dev/null
  pg_start "$node"
  # Synchronous again only once the standby streams: naming one that is
  # still catching up would hold every commit until it has.
  local i
  for i in $(seq 120); do
    if [ "$(psql -X -At -h 127.0.0.1 -p "$primary" -U postgres -d postgres \
      -c "select count(*) from pg_stat_replication where application_name = '$node' and state = 'streaming'")" = 1 ]; then
      psql -X -q -h 127.0.0.1 -p "$primary" -U postgres -d postgres \
        -c "alter system reset synchronous_standby_names" -c "select pg_reload_conf()" >/dev/null
      log "$node is the synchronous standby of the primary on $primary"
      return
    fi
    sleep 0.5
  done
  die "$node did not start streaming from $primary within 60 s (see $PGBASE/$node.log); commits stay asynchronous"
}

pg_stop_all() {
  local bin n
  bin="$(pg_bin)" || return 0
  for n in pg1 pg2; do
    [ -s "$PGBASE/$n/postmaster.pid" ] || continue
    as_pg "$bin/pg_ctl" -D "$PGBASE/$n" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      as_pg "$bin/pg_ctl" -D "$PGBASE/$n" -m immediate -w stop >/dev/null 2>&1 || true
  done
}

# ------------------------------------------------------------ Redis

redis_conf() { # port [replicaof-port]
  cat <<EOF
bind 127.0.0.1
port $1
dir $CL/redis-$1
appendonly yes
appendfsync everysec
save ""
EOF
  [ -n "${2:-}" ] && echo "replicaof 127.0.0.1 $2"
  return 0
}

sentinel_conf() { # port
  cat <<EOF
bind 127.0.0.1
port $1
dir $CL/sentinel-$1
sentinel monitor $MASTER_NAME 127.0.0.1 ${REDIS_PORTS[0]} 2
sentinel down-after-milliseconds $MASTER_NAME 2000
sentinel failover-timeout $MASTER_NAME 10000
sentinel parallel-syncs $MASTER_NAME 1
EOF
}

redis_prepare() {
  local p
  for p in "${REDIS_PORTS[@]}" "${SENTINEL_PORTS[@]}"; do mkdir -p "$CL/redis-$p" "$CL/sentinel-$p"; done
  # Redis and the Sentinels rewrite their own files after a failover, so
  # they are written once and kept across restarts of the cluster.
  [ -s "$CL/redis-${REDIS_PORTS[0]}.conf" ] || redis_conf "${REDIS_PORTS[0]}" >"$CL/redis-${REDIS_PORTS[0]}.conf"
  [ -s "$CL/redis-${REDIS_PORTS[1]}.conf" ] || redis_conf "${REDIS_PORTS[1]}" "${REDIS_PORTS[0]}" >"$CL/redis-${REDIS_PORTS[1]}.conf"
  for p in "${SENTINEL_PORTS[@]}"; do
    [ -s "$CL/sentinel-$p.conf" ] || sentinel_conf "$p" >"$CL/sentinel-$p.conf"
  done
}

# ------------------------------------------------------------ HAProxy

haproxy_conf() {
  cat <<EOF
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  # A request is retried on the other serve only when it never reached the
  # first (a purchase is never sent twice by the balancer).
  retries 2
  retry-on conn-failure
  option redispatch
frontend indicia
  bind 127.0.0.1:$HAPROXY_PORT
  option forwardfor
  default_backend serves
backend serves
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
  server serve1 127.0.0.1:${SERVE_PORTS[0]} check
  server serve2 127.0.0.1:${SERVE_PORTS[1]} check
listen stats
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /
EOF
}

# ------------------------------------------------------------ status

cmd_status() {
  local port
  for port in "${PG_PORTS[@]}"; do
    printf 'postgres %s: %s\n' "$port" "$(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -c "select case when pg_is_in_recovery() then 'standby' else 'primary' end" 2>/dev/null || echo down)"
  done
  for port in "${REDIS_PORTS[@]}"; do
    printf 'redis %s: %s\n' "$port" "$(redis-cli -p "$port" role 2>/dev/null | head -n 1 || true)"
  done
  printf 'sentinel master: %s\n' "$(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | paste -sd: || true)"
}

# where: the current primaries, as NAME=value lines for the chaos script.
cmd_where() {
  local port node
  port="$(pg_primary_port || true)"
  echo "PG_PRIMARY_PORT=$port"
  if [ -n "$port" ]; then
    node="$(pg_node_of_port "$port")"
    echo "PG_PRIMARY_PID=$(head -n 1 "$PGBASE/$node/postmaster.pid" 2>/dev/null || true)"
  fi
  echo "REDIS_MASTER_PORT=$(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | sed -n 2p || true)"
  echo "RUNDIR=$RUNDIR"
  # The serving box of a cluster, as the boxes report it through /readyz.
  if [ "$BOXES" -gt 1 ]; then
    echo "BOX_LEADER=$(curl -fsS "http://127.0.0.1:$HAPROXY_PORT/readyz" 2>/dev/null | grep -o '"leader":"[^"]*"' | head -n 1 | cut -d'"' -f4 || true)"
  fi
}

# ------------------------------------------------------------ up

cmd_up() {
  install_missing
  mkdir -p "$CL" "$RUNDIR" "$LOGDIR" "$CL/box" "$CL/var"
  chmod 700 "$CL/box"
  rm -f "$RUNDIR/indicia-stopping"
  go build -o "$BIN" ./cmd/indicia
  pg_init
  redis_prepare
  haproxy_conf >"$CL/haproxy.cfg"
  eval "$(cluster_env)"

  local keystore="$CL/keystore.bin"
  [ -s "$CL/box-passphrase" ] || (umask 077; head -c 24 /dev/urandom | base64 >"$CL/box-passphrase")
  local box_env=("BOX_KEYSTORE=$keystore" "BOX_PASSPHRASE_FILE=$CL/box-passphrase" "BOX_STATE_DIR=$CL/box" "BOX_SOCKET=$BOX_SOCKET")
  [ -f "$keystore" ] || env "${box_env[@]}" "$BIN" keys init

  main_pid=$$
  sups=()
  # shellcheck source=supervise.sh
  source scripts/supervise.sh
  cleanup() {
    local rc=${1:-$?}
    trap - INT TERM EXIT
    log "stopping..."
    echo stop >>"$RUNDIR/indicia-stopping"
    local p i f
    for p in "${sups[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    # A serve finishing a request that waits on a dead database would hold
    # the stop for minutes: what is still running after 20 s is killed.
    for i in $(seq 40); do
      local alive=0
      for p in "${sups[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.5
    done
    for f in "$RUNDIR"/indicia-*.pid; do
      if [ -s "$f" ]; then
        pkill -KILL -P "$(cat "$f")" 2>/dev/null || true
        kill -KILL "$(cat "$f")" 2>/dev/null || true
      fi
      rm -f "$f"
    done
    for p in "${sups[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pg_stop_all
    rm -f "$RUNDIR/indicia-stopping"
    exit "$rc"
  }
  trap 'cleanup 130' INT
  trap 'cleanup 143' TERM
  trap cleanup EXIT

  local p
  for p in "${REDIS_PORTS[@]}"; do
    supervise "redis-$p" redis-server "$CL/redis-$p.conf" >>"$LOGDIR/redis-$p.log" 2>&1 &
    sups+=($!)
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    supervise "sentinel-$p" redis-server "$CL/sentinel-$p.conf" --sentinel >>"$LOGDIR/sentinel-$p.log" 2>&1 &
    sups+=($!)
  done
  for _ in $(seq 50); do
    redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$MASTER_NAME" >/dev/null 2>&1 && break
    sleep 0.2
  done

  if [ $((BOXES % 2)) -eq 0 ]; then die "BOX_CLUSTER=$BOXES: want an odd number"; fi
  echo "$BOXES" >"$CL/box-count"
  if [ "$BOXES" -gt 1 ]; then
    local peers='' i
    for i in $(seq 1 "$BOXES"); do peers+="${peers:+,}b$i=127.0.0.1:$((P + 60 + i))"; done
    for i in $(seq 1 "$BOXES"); do
      mkdir -p "$CL/box/b$i" && chmod 700 "$CL/box/b$i"
      supervise "box-b$i" env "${box_env[@]}" BOX_PEERS="$peers" BOX_NODE_ID="b$i" BOX_SOCKET="$CL/box/b$i/box.sock" \
        BOX_STATE_DIR="$CL/box/b$i" "$BIN" box >>"$LOGDIR/box-b$i.log" 2>&1 &
      sups+=($!)
    done
  else
    supervise box env "${box_env[@]}" "$BIN" box >>"$LOGDIR/box.log" 2>&1 &
    sups+=($!)
  fi
  supervise stripe-stub "$BIN" stripe-stub >>"$LOGDIR/stripe-stub.log" 2>&1 &
  sups+=($!)
  supervise mailcatcher "$BIN" mailcatcher -addr "127.0.0.1:$SMTP_PORT" -dir "$CL/mail" >>"$LOGDIR/mailcatcher.log" 2>&1 &
  sups+=($!)
  "$BIN" migrate
  "$BIN" seed
  supervise worker1 "$BIN" worker >>"$LOGDIR/worker1.log" 2>&1 &
  sups+=($!)
  supervise worker2 "$BIN" worker >>"$LOGDIR/worker2.log" 2>&1 &
  sups+=($!)
  supervise serve1 env HTTP_ADDR="127.0.0.1:${SERVE_PORTS[0]}" "$BIN" serve >>"$LOGDIR/serve1.log" 2>&1 &
  sups+=($!)
  supervise serve2 env HTTP_ADDR="127.0.0.1:${SERVE_PORTS[1]}" "$BIN" serve >>"$LOGDIR/serve2.log" 2>&1 &
  sups+=($!)
  supervise haproxy haproxy -db -f "$CL/haproxy.cfg" >>"$LOGDIR/haproxy.log" 2>&1 &
  sups+=($!)
  log "Indicia is serving on $BASE_URL through HAProxy (stats on http://127.0.0.1:$STATS_PORT/); logs in $LOGDIR; Ctrl-C stops everything"
  log "tools reach it with: eval \"\$(scripts/cluster.sh env)\""
  wait
}

case "${1:-up}" in
up) cmd_up ;;
env) cluster_env ;;
pg-promote) cmd_pg_promote ;;
pg-rejoin) cmd_pg_rejoin ;;
status) cmd_status ;;
where) cmd_where ;;
reset)
  # Everything the cluster keeps, gone: only when it is not running.
  if [ -n "$(ls "$RUNDIR"/indicia-*.pid 2>/dev/null)" ]; then
    for f in "$RUNDIR"/indicia-*.pid; do
      kill -0 "$(cat "$f")" 2>/dev/null && die "the cluster is running (Ctrl-C it first)"
    done
  fi
  pg_stop_all
  rm -rf "$PGBASE" "$CL"
  log "cluster data removed"
  ;;
*) die "usage: $0 [up|env|pg-promote|pg-rejoin|status|where|reset]" ;;
esac
