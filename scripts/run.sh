#!/usr/bin/env bash
# make run: make sure PostgreSQL and Redis answer, create the box keystore on
# first run, start the secure box, migrate, seed the demo accounts, start the
# worker and the web server on http://localhost:8080.
# Each long-running process is supervised: one that dies is started again
# (after 1 s, doubling up to 30 s while it keeps dying), the others keep
# running. Their pids are in var/run/indicia-<name>.pid.
# Ctrl-C stops everything this script started (including private services).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh up run)"
BIN=bin/indicia
RUNDIR=var/run
mkdir -p var/box "$RUNDIR" && chmod 700 var/box
rm -f "$RUNDIR/indicia-stopping"

# The box's freshness store belongs to one database: a store that remembers
# another database's meters takes this one's new meters for replays, and the
# seed fails. Unless BOX_STATE_DIR is set, each database (named and numbered
# by the server, so a dropped and re-created one is new) gets its own
# directory; a store from before this layout moves to the database in use.
db_id=$(psql -X -w -q -At "$DATABASE_URL" -c \
  "SELECT current_database() || '-' || oid FROM pg_database WHERE datname = current_database()") ||
  { echo "run.sh: cannot read the database's name from DATABASE_URL" >&2; exit 1; }
db_id=$(printf %s "$db_id" | tr -c 'A-Za-z0-9_-' '_')
adopt_state() { # adopt_state OLD_DIR NEW_DIR: move a pre-layout store into NEW_DIR
  local old=$1 new=$2 f
  [ -d "$new" ] && return 0
  mkdir -p "$new" && chmod 700 "$new"
  for f in "$old"/*; do
    case "$(basename "$f")" in db-*|box.sock|b[0-9]*) ;; *) [ -e "$f" ] && mv "$f" "$new"/ ;; esac
  done
  return 0
}
if [ -z "${BOX_STATE_DIR:-}" ] && [ "${BOX_CLUSTER:-1}" -le 1 ]; then
  BOX_STATE_DIR="var/box/db-$db_id"
  adopt_state var/box "$BOX_STATE_DIR"
fi

# The box's settings go to the box alone: they are taken out of this
# script's environment, so serve, worker and the tools never see them. The
# demo passphrase lives in a file only this user can read; production gives
# it to the box from a secret store (deploy/systemd).
box_env=("BOX_KEYSTORE=${BOX_KEYSTORE:-var/keystore.bin}")
for v in BOX_PASSPHRASE BOX_PASSPHRASE_FILE BOX_STATE_DIR BOX_ALLOWED_UIDS; do
  if [ -n "${!v:-}" ]; then box_env+=("$v=${!v}"); fi
done
if [ -z "${BOX_PASSPHRASE:-}" ] && [ -z "${BOX_PASSPHRASE_FILE:-}" ]; then
  box_env+=(BOX_PASSPHRASE_FILE=var/box-passphrase)
  if [ ! -s var/box-passphrase ]; then
    (umask 077; head -c 24 /dev/urandom | base64 > var/box-passphrase)
  fi
fi
keystore="${BOX_KEYSTORE:-var/keystore.bin}"
unset BOX_KEYSTORE BOX_PASSPHRASE BOX_PASSPHRASE_FILE BOX_STATE_DIR BOX_ALLOWED_UIDS
# KEYSTORE=pkcs11 keeps the box's keys in a PKCS#11 token: the one named by
# PKCS11_MODULE and PKCS11_TOKEN_LABEL, or else a SoftHSM2 token in
# var/softhsm (scripts/services.sh softhsm installs and initialises it).
if [ "${KEYSTORE:-file}" = pkcs11 ]; then
  if [ -z "${PKCS11_MODULE:-}" ]; then
    eval "$(bash scripts/services.sh softhsm)"
  fi
  box_env+=(KEYSTORE=pkcs11)
  # A box cluster on the token keeps its freshness apart from the file
  # keystore's: a state directory belongs to one vendor root, and the box
  # refuses another's.
  cluster_dir=var/box-cluster-pkcs11
  for v in PKCS11_MODULE PKCS11_TOKEN_LABEL PKCS11_PIN PKCS11_PIN_FILE SOFTHSM2_CONF; do
    if [ -n "${!v:-}" ]; then box_env+=("$v=${!v}"); fi
  done
  unset KEYSTORE PKCS11_MODULE PKCS11_TOKEN_LABEL PKCS11_PIN PKCS11_PIN_FILE SOFTHSM2_CONF
  # An empty token gets the box's keys; a wrong PIN fails here, loudly.
  if ! env "${box_env[@]}" "$BIN" keys fingerprint >/dev/null 2>var/run/keys-check.err; then
    if grep -q "no vendor root" var/run/keys-check.err; then
      env "${box_env[@]}" "$BIN" keys init
    else
      cat var/run/keys-check.err >&2
      exit 1
    fi
  fi
elif [ ! -f "$keystore" ]; then
  env "${box_env[@]}" "$BIN" keys init
fi
cluster_dir=${cluster_dir:-var/box-cluster}
if [ "${BOX_CLUSTER:-1}" -gt 1 ]; then
  # As for one box: each database's cluster keeps its own state.
  for b in "$cluster_dir"/b[0-9]*; do
    [ -d "$b" ] && adopt_state "$b" "$cluster_dir/db-$db_id/$(basename "$b")" && { rmdir "$b" 2>/dev/null || true; }
  done
  cluster_dir="$cluster_dir/db-$db_id"
fi

explain_mismatch() {
  cat >&2 <<EOF

run.sh: the keystore $keystore does not belong to the database at DATABASE_URL
(the message above names the roots). Restarting will not help. Either:
  - use the keystore this database was created with: BOX_KEYSTORE=<its path>
    and BOX_PASSPHRASE_FILE=<its passphrase file> make run, or
  - use a fresh database for this keystore: DATABASE_URL=<an empty database> make run
    (or drop the 'indicia' database if its data is disposable).
EOF
}

main_pid=$$
sups=()
cleanup() {
  local rc=${1:-$?}
  trap - INT TERM EXIT
  echo "stopping..." >&2
  if [ -s "$RUNDIR/indicia-stopping" ]; then rc=$(cat "$RUNDIR/indicia-stopping"); fi
  echo stop >> "$RUNDIR/indicia-stopping"
  for p in "${sups[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$RUNDIR/indicia-stopping"
  bash scripts/services.sh down postgres redis || true
  exit "$rc"
}
trap 'cleanup 130' INT
trap 'cleanup 143' TERM
trap cleanup EXIT

source scripts/supervise.sh

# BOX_CLUSTER=3 (any odd number) starts that many boxes as one raft cluster
# on this machine, each with its own socket, state and peer port
# (127.0.0.1:7201..., or from BOX_PEER_PORT+1); serve and worker get every
# socket in BOX_SOCKET and follow the leader. The default is one box, as
# before.
BOX_CLUSTER=${BOX_CLUSTER:-1}
if [ "$BOX_CLUSTER" -gt 1 ]; then
  if [ $((BOX_CLUSTER % 2)) -eq 0 ]; then echo "run.sh: BOX_CLUSTER=$BOX_CLUSTER: want an odd number" >&2; exit 2; fi
  peers='' sockets=''
  peer_base=${BOX_PEER_PORT:-7200}
  for i in $(seq 1 "$BOX_CLUSTER"); do
    peers+="${peers:+,}b$i=127.0.0.1:$((peer_base + i))"
    sockets+="${sockets:+,}$cluster_dir/b$i/box.sock"
  done
  for i in $(seq 1 "$BOX_CLUSTER"); do
    mkdir -p "$cluster_dir/b$i" && chmod 700 "$cluster_dir" "$cluster_dir/b$i"
    supervise "box-b$i" env "${box_env[@]}" BOX_PEERS="$peers" BOX_NODE_ID="b$i" \
      BOX_SOCKET="$cluster_dir/b$i/box.sock" BOX_STATE_DIR="$cluster_dir/b$i" "$BIN" box &
    sups+=($!)
  done
  export BOX_SOCKET="$sockets"
else
  supervise box env "${box_env[@]}" "$BIN" box &
  sups+=($!)
fi
# Notification emails go to a local catcher (files under var/mail) unless SMTP_URL names a real server.
if [ -z "${SMTP_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/1025) 2>/dev/null; then
  supervise mailcatcher "$BIN" mailcatcher &
  sups+=($!)
fi
"$BIN" migrate
rc=0
"$BIN" seed || rc=$?
if [ "$rc" -eq "$EXIT_MISMATCH" ]; then explain_mismatch; fi
if [ "$rc" -ne 0 ]; then exit "$rc"; fi
supervise worker "$BIN" worker &
sups+=($!)
supervise serve "$BIN" serve &
sups+=($!)
echo "Indicia is serving on ${BASE_URL:-http://localhost:8080} (Ctrl-C stops everything)" >&2
wait
