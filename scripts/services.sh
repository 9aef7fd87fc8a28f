#!/usr/bin/env bash
# services.sh makes sure every service Indicia needs answers, on this machine
# or on a fresh Debian 12 machine that has only Go.
#
# Usage:
#   eval "$(scripts/services.sh up [run|test])"  # default mode: run
#   scripts/services.sh down [postgres|redis|stripe-mock ...]
#                                   # stop what this script started (default all)
#   scripts/services.sh tools-bench               # install wrk for load tests
#   eval "$(scripts/services.sh softhsm)"         # SoftHSM2 token for KEYSTORE=pkcs11
#
# `up` logs progress to stderr and prints only eval-able `export NAME='value'`
# lines to stdout: DATABASE_URL, REDIS_URL, STRIPE_MOCK_URL, INDICIA_VAR and,
# in test mode, CHROME_PATH.
#
# Order of preference for each service:
#   PostgreSQL: $DATABASE_URL if it answers; else 127.0.0.1:5432 as user
#     postgres without a password (database indicia, or indicia_test in test
#     mode); else a private cluster in ./var/postgres on 127.0.0.1:55432.
#   Redis: $REDIS_URL if it answers; else 127.0.0.1:6379; else a private
#     redis-server on 127.0.0.1:56379 with its files in ./var/redis.
#   stripe-mock: 127.0.0.1:12111 if it answers; else `go tool stripe-mock`
#     (pinned in go.mod) started in the background.
# Missing system packages are installed with apt-get (via sudo when not root).
#
# Environment:
#   INDICIA_PRIVATE_SERVICES=1  ignore DATABASE_URL, REDIS_URL and the system
#     servers, and use (starting if needed) the private PostgreSQL and Redis.
#     scripts/services_test.sh uses it to exercise the fresh-machine path.
set -euo pipefail

# Everything except the final export lines goes to stderr: fd 3 keeps the
# real stdout so no command's chatter can break the caller's eval.
exec 3>&1 1>&2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VAR="$ROOT/var"
RUN="$VAR/run"
LOG="$VAR/log"

SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
PRIVATE_PG_PORT=55432
PRIVATE_REDIS_PORT=56379
STRIPE_HTTP=127.0.0.1:12111
STRIPE_HTTPS=127.0.0.1:12112

# A short per-checkout directory outside the repository: unix socket paths
# are limited to about 107 bytes, and the postgres user may be unable to
# traverse the repository's path (e.g. under /root).
HASH="$(printf %s "$ROOT" | sha1sum | cut -c1-12)"
PG_RUNDIR="/tmp/indicia-pg-$HASH"

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
export PGCONNECT_TIMEOUT=3

# ---------------------------------------------------------------- apt-get

APT_UPDATED=0

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo DEBIAN_FRONTEND=noninteractive "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

# apt_install installs the given packages in one apt-get call, running
# apt-get update at most once per invocation. The lock timeout waits for
# another apt run to finish instead of failing.
apt_install() {
	[ "$#" -gt 0 ] || return 0
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
	if [ "$APT_UPDATED" -eq 0 ]; then
		log "apt-get update"
		as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
		APT_UPDATED=1
	fi
	log "apt-get install -y $*"
	as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >&2
}

# ---------------------------------------------------------------- probes

# tcp_open reports whether something accepts connections on host:port,
# using bash's /dev/tcp so it works before any client tool is installed.
tcp_open() {
	timeout 2 bash -c "exec 9<>/dev/tcp/$1/$2" 2>/dev/null
}

# http_answers reports whether host:port speaks HTTP.
http_answers() {
	timeout 2 bash -c '
		exec 9<>/dev/tcp/'"$1"'/'"$2"' || exit 1
		printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "'"$1"'" >&9
		IFS= read -r line <&9 || exit 1
		case "$line" in HTTP/*) exit 0 ;; *) exit 1 ;; esac
	' 2>/dev/null
}

# pg_bin_dir prints the newest installed PostgreSQL server's bin directory.
pg_bin_dir() {
	local d best=""
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] || continue
		if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n 1)" = "$d" ]; then
			best="$d"
		fi
	done
	[ -n "$best" ] && printf '%s\n' "$best"
}

# pg_query runs one SQL statement as user postgres against a TCP server.
pg_query() { # port db sql
	psql -X -w -q -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3" 2>/dev/null
}

# pg_probe prints "<can create databases> <db exists>" (t/f each) for user
# postgres on a local port, or nothing when the server does not let us in:
# one psql call keeps the warm path quick.
pg_probe() { # port db
	pg_query "$1" postgres "select r.rolcreatedb or r.rolsuper,
		exists (select 1 from pg_database where datname = '$2')
		from pg_roles r where r.rolname = current_user" | tr '|' ' ' || true
}

redis_ping() { # url
	[ "$(redis-cli -u "$1" ping 2>/dev/null)" = PONG ]
}

# detached closes every descriptor above stderr and then runs the command,
# so a server it leaves behind holds neither the caller's stdout pipe (the
# caller's $(...) would wait forever) nor our lock file. It replaces the
# current shell: call it in a subshell or with &.
detached() {
	local fd
	for fd in /proc/self/fd/*; do
		fd="${fd##*/}"
		if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
	done
	if declare -F "$1" >/dev/null; then
		"$@"
		exit
	fi
	exec "$@"
}

private_wanted() { [ "${INDICIA_PRIVATE_SERVICES:-0}" = 1 ]; }

# ---------------------------------------------------------------- packages

# plan_packages lists, in one go, every package this run will need, so a
# fresh machine gets one apt-get call. It guesses from cheap TCP probes;
# ensure_* install anything the guess missed.
plan_packages() { # mode
	local pkgs=()
	if ! command -v psql >/dev/null 2>&1 || ! command -v pg_isready >/dev/null 2>&1; then
		pkgs+=(postgresql-client)
	fi
	if [ -z "$(pg_bin_dir)" ]; then
		if private_wanted || { [ -z "${DATABASE_URL:-}" ] && ! tcp_open 127.0.0.1 5432; }; then
			pkgs+=(postgresql)
		fi
	fi
	command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-tools)
	if ! command -v redis-server >/dev/null 2>&1; then
		if private_wanted || { [ -z "${REDIS_URL:-}" ] && ! tcp_open 127.0.0.1 6379; }; then
			pkgs+=(redis-server)
		fi
	fi
	if [ "$1" = test ]; then
		[ -x /usr/bin/chromium ] || pkgs+=(chromium)
		command -v dmtxread >/dev/null 2>&1 || pkgs+=(dmtx-utils)
		command -v ZXingReader >/dev/null 2>&1 || pkgs+=(zxing-cpp-tools)
		command -v pdftoppm >/dev/null 2>&1 || pkgs+=(poppler-utils)
		[ -e "$SOFTHSM_MODULE" ] || pkgs+=(softhsm2)
	fi
	apt_install "${pkgs[@]}"
}

# ---------------------------------------------------------------- PostgreSQL

# run_as_pg runs a PostgreSQL server binary as the postgres user when we are
# root (initdb and postgres refuse to run as root), else as ourselves. It
# starts from / because the repository may not be readable by postgres.
run_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

pg_owner() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

# pg_data_dir prints the private cluster's data directory, creating it.
# It is ./var/postgres when the server's user can reach it. When it cannot
# (a checkout under /root, say, whose parents are mode 0700) we do not loosen
# permissions on the user's directories; the data lives in
# /tmp/indicia-pg-<hash>/data instead and ./var/postgres is a symlink to it.
pg_data_dir() {
	local owner want="$VAR/postgres" alt="$PG_RUNDIR/data"
	owner="$(pg_owner)"
	if [ -L "$want" ]; then
		mkdir -p "$alt"
		chown "$owner:" "$alt" && chmod 700 "$alt"
		printf '%s\n' "$alt"
		return
	fi
	mkdir -p "$want"
	chown "$owner:" "$want" && chmod 700 "$want"
	if run_as_pg test -w "$want" -a -x "$want"; then
		printf '%s\n' "$want"
		return
	fi
	log "postgres cannot reach $want; keeping the data in $alt (symlinked)"
	rmdir "$want" 2>/dev/null || die "$want is not empty but unreachable by postgres"
	mkdir -p "$alt"
	chown "$owner:" "$alt" && chmod 700 "$alt"
	ln -s "$alt" "$want"
	printf '%s\n' "$alt"
}

start_private_pg() { # mode
	local bin data owner t0
	t0=$(date +%s.%N)
	bin="$(pg_bin_dir)" || true
	if [ -z "$bin" ]; then
		apt_install postgresql
		bin="$(pg_bin_dir)" || die "initdb not found after installing postgresql"
	fi
	owner="$(pg_owner)"
	mkdir -p "$PG_RUNDIR"
	chown "$owner:" "$PG_RUNDIR" && chmod 700 "$PG_RUNDIR"
	data="$(pg_data_dir)"
	if [ ! -s "$data/PG_VERSION" ]; then
		log "initdb $data"
		run_as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >>"$LOG/postgres.log" 2>&1 ||
			die "initdb failed; see $LOG/postgres.log"
	fi
	local opts="-c listen_addresses=127.0.0.1 -p $PRIVATE_PG_PORT -k $PG_RUNDIR"
	if [ "$1" = test ]; then
		# Throwaway test data: durability is not worth the fsyncs.
		opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	fi
	log "starting private PostgreSQL on 127.0.0.1:$PRIVATE_PG_PORT ($data)"
	# The log is opened by this shell, so the server need not reach ./var.
	(detached run_as_pg "$bin/pg_ctl" -D "$data" -w -t 60 -o "$opts" start) >>"$LOG/postgres.log" 2>&1 ||
		die "PostgreSQL did not start; see $LOG/postgres.log"
	head -n 1 "$data/postmaster.pid" >"$RUN/postgres.pid"
	log "private PostgreSQL up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
}

create_db() { # port db
	log "creating database $2 on port $1"
	pg_query "$1" postgres "create database \"$2\"" >/dev/null ||
		die "could not create database $2 on 127.0.0.1:$1"
}

ensure_postgres() { # mode -> sets DB_URL
	local db=indicia probe
	[ "$1" = test ] && db=indicia_test
	if ! private_wanted; then
		if [ -n "${DATABASE_URL:-}" ]; then
			if pg_isready -q -d "$DATABASE_URL" -t 3; then
				log "PostgreSQL: using \$DATABASE_URL"
				DB_URL="$DATABASE_URL"
				return
			fi
			log "PostgreSQL: \$DATABASE_URL does not answer; trying local servers"
		fi
		probe="$(pg_probe 5432 "$db")"
		case "$probe" in
		"t t") ;;
		"t f") create_db 5432 "$db" ;;
		"f "*) log "PostgreSQL: user postgres on 127.0.0.1:5432 cannot create databases" ;;
		*) log "PostgreSQL: 127.0.0.1:5432 does not let user postgres in without a password" ;;
		esac
		if [ "${probe%% *}" = t ]; then
			log "PostgreSQL: using 127.0.0.1:5432/$db"
			DB_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
			return
		fi
	fi
	probe="$(pg_probe "$PRIVATE_PG_PORT" "$db")"
	if [ -z "$probe" ]; then
		start_private_pg "$1"
		probe="$(pg_probe "$PRIVATE_PG_PORT" "$db")"
		[ -n "$probe" ] || die "private PostgreSQL does not answer on $PRIVATE_PG_PORT"
	fi
	[ "$probe" = "t t" ] || create_db "$PRIVATE_PG_PORT" "$db"
	log "PostgreSQL: using private 127.0.0.1:$PRIVATE_PG_PORT/$db"
	DB_URL="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/$db?sslmode=disable"
}

# ---------------------------------------------------------------- Redis

ensure_redis() { # -> sets RD_URL
	if ! private_wanted; then
		if [ -n "${REDIS_URL:-}" ]; then
			if redis_ping "$REDIS_URL"; then
				log "Redis: using \$REDIS_URL"
				RD_URL="$REDIS_URL"
				return
			fi
			log "Redis: \$REDIS_URL does not answer; trying local servers"
		fi
		if redis_ping redis://127.0.0.1:6379/0; then
			log "Redis: using 127.0.0.1:6379"
			RD_URL=redis://127.0.0.1:6379/0
			return
		fi
	fi
	RD_URL="redis://127.0.0.1:$PRIVATE_REDIS_PORT/0"
	if ! redis_ping "$RD_URL"; then
		command -v redis-server >/dev/null 2>&1 || apt_install redis-server
		mkdir -p "$VAR/redis"
		log "starting private Redis on 127.0.0.1:$PRIVATE_REDIS_PORT"
		(detached redis-server --daemonize yes --bind 127.0.0.1 --port "$PRIVATE_REDIS_PORT" \
			--save '' --appendonly no --dir "$VAR/redis" \
			--pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log") ||
			die "redis-server failed; see $LOG/redis.log"
		local i
		for i in $(seq 50); do
			redis_ping "$RD_URL" && break
			sleep 0.1
		done
		redis_ping "$RD_URL" || die "private Redis does not answer; see $LOG/redis.log"
	fi
	log "Redis: using private 127.0.0.1:$PRIVATE_REDIS_PORT"
}

# ---------------------------------------------------------------- stripe-mock

ensure_stripe_mock() {
	if http_answers "${STRIPE_HTTP%:*}" "${STRIPE_HTTP#*:}"; then
		log "stripe-mock: using $STRIPE_HTTP"
		return
	fi
	command -v go >/dev/null 2>&1 || die "go not found (needed for go tool stripe-mock)"
	log "stripe-mock: building (go tool, pinned in go.mod) and starting on $STRIPE_HTTP"
	# `go tool -n` builds the pinned tool and prints its path; running the
	# binary directly makes the pid file name the server itself, not a
	# `go` parent process.
	local bin
	bin="$(cd "$ROOT" && go tool -n stripe-mock)" || die "could not build stripe-mock"
	[ -x "$bin" ] || die "go tool -n stripe-mock gave no executable: $bin"
	# setsid: a Ctrl-C in the caller's terminal must not take it down;
	# `down` stops it.
	detached setsid nohup "$bin" -http-addr "$STRIPE_HTTP" -https-addr "$STRIPE_HTTPS" \
		>>"$LOG/stripe-mock.log" 2>&1 </dev/null &
	echo $! >"$RUN/stripe-mock.pid"
	local i
	for i in $(seq 100); do
		http_answers "${STRIPE_HTTP%:*}" "${STRIPE_HTTP#*:}" && break
		kill -0 "$(cat "$RUN/stripe-mock.pid")" 2>/dev/null || die "stripe-mock exited; see $LOG/stripe-mock.log"
		sleep 0.1
	done
	http_answers "${STRIPE_HTTP%:*}" "${STRIPE_HTTP#*:}" || die "stripe-mock does not answer; see $LOG/stripe-mock.log"
	log "stripe-mock: up"
}

# ---------------------------------------------------------------- commands

# shq quotes a value for the eval-able export lines.
shq() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }

emit() { printf 'export %s=%s\n' "$1" "$(shq "$2")" >&3; }

cmd_up() {
	local mode="${1:-run}"
	case "$mode" in run | test) ;; *) die "unknown mode '$mode' (want run or test)" ;; esac
	mkdir -p "$RUN" "$LOG"
	# One `up` at a time per checkout: two callers must not both initdb.
	exec 8>"$RUN/services.lock"
	flock 8

	plan_packages "$mode"
	DB_URL="" RD_URL=""
	ensure_postgres "$mode"
	ensure_redis
	ensure_stripe_mock
	if [ "$mode" = test ]; then
		[ -x /usr/bin/chromium ] || apt_install chromium
		local missing=()
		command -v dmtxread >/dev/null 2>&1 || missing+=(dmtx-utils)
		command -v ZXingReader >/dev/null 2>&1 || missing+=(zxing-cpp-tools)
		command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
		# The box tests make their own SoftHSM2 tokens (metering/box).
		[ -e "$SOFTHSM_MODULE" ] || missing+=(softhsm2)
		apt_install "${missing[@]}"
	fi

	emit DATABASE_URL "$DB_URL"
	emit REDIS_URL "$RD_URL"
	emit STRIPE_MOCK_URL "http://$STRIPE_HTTP"
	[ "$mode" = test ] && emit CHROME_PATH /usr/bin/chromium
	emit INDICIA_VAR "$VAR"
}

# cmd_softhsm makes a SoftHSM2 token labelled "indicia" for KEYSTORE=pkcs11
# in ./var/softhsm, with its own configuration (never the system's tokens),
# a random user PIN in var/softhsm/pin and SO PIN in var/softhsm/so-pin, and
# prints the box's settings for it. `indicia keys init` then makes the keys.
cmd_softhsm() {
	[ -e "$SOFTHSM_MODULE" ] || apt_install softhsm2
	local dir="$VAR/softhsm"
	mkdir -p "$dir/tokens"
	chmod 700 "$dir"
	exec 8>"$dir/.lock"
	flock 8
	export SOFTHSM2_CONF="$dir/softhsm2.conf"
	if [ ! -s "$SOFTHSM2_CONF" ]; then
		printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir/tokens" >"$SOFTHSM2_CONF"
	fi
	(
		umask 077
		[ -s "$dir/pin" ] || head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$dir/pin"
		[ -s "$dir/so-pin" ] || head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$dir/so-pin"
	)
	if ! softhsm2-util --show-slots 2>/dev/null | grep -Eq '^[[:space:]]*Label:[[:space:]]+indicia[[:space:]]*$'; then
		log "initialising SoftHSM2 token 'indicia' in $dir"
		softhsm2-util --init-token --free --label indicia --so-pin "$(cat "$dir/so-pin")" --pin "$(cat "$dir/pin")" >&2
	fi
	emit SOFTHSM2_CONF "$SOFTHSM2_CONF"
	emit KEYSTORE pkcs11
	emit PKCS11_MODULE "$SOFTHSM_MODULE"
	emit PKCS11_TOKEN_LABEL indicia
	emit PKCS11_PIN_FILE "$dir/pin"
}

# stop_pid stops a process from a pid file if it is still the named program.
stop_pid() { # pidfile name
	local pid
	[ -s "$1" ] || return 0
	pid="$(cat "$1")"
	if kill -0 "$pid" 2>/dev/null && grep -qa "$2" "/proc/$pid/cmdline" 2>/dev/null; then
		log "stopping $2 (pid $pid)"
		kill "$pid"
		local i
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$1"
}

# cmd_down stops the named private services (default: all three). It only
# touches what this script started: the cluster in ./var/postgres and the
# processes named by pid files in ./var/run.
cmd_down() {
	local want=("$@") svc data bin
	[ "${#want[@]}" -gt 0 ] || want=(postgres redis stripe-mock)
	mkdir -p "$RUN" "$LOG"
	exec 8>"$RUN/services.lock"
	flock 8
	for svc in "${want[@]}"; do
		case "$svc" in
		postgres)
			data="$(readlink -f "$VAR/postgres" 2>/dev/null || true)"
			if [ -n "$data" ] && [ -s "$data/postmaster.pid" ]; then
				bin="$(pg_bin_dir)" || true
				if [ -n "$bin" ]; then
					log "stopping private PostgreSQL"
					(detached run_as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop) >>"$LOG/postgres.log" 2>&1 || true
				fi
			fi
			rm -f "$RUN/postgres.pid"
			;;
		redis) stop_pid "$RUN/redis.pid" redis-server ;;
		stripe-mock) stop_pid "$RUN/stripe-mock.pid" stripe-mock ;;
		*) die "unknown service '$svc' (want postgres, redis or stripe-mock)" ;;
		esac
	done
}

case "${1:-}" in
up) cmd_up "${2:-run}" ;;
down)
	shift
	cmd_down "$@"
	;;
tools-bench)
	command -v wrk >/dev/null 2>&1 || apt_install wrk
	;;
softhsm) cmd_softhsm ;;
*)
	die "usage: $0 up [run|test] | down [postgres|redis|stripe-mock ...] | tools-bench | softhsm"
	;;
esac
