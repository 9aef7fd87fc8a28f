#!/usr/bin/env bash
# services_test.sh exercises scripts/services.sh on this machine:
#   (a) the normal path: `up run` and `up test` print only export lines whose
#       services answer, from any directory, and a second run is the same;
#   (b) the fresh-machine path: INDICIA_PRIVATE_SERVICES=1 starts private
#       PostgreSQL (55432) and Redis (56379) even though the system servers
#       answer; their URLs answer; `down postgres redis` stops them and leaves
#       the system servers and stripe-mock alone;
#   (c) as root only: a checkout inside a directory the postgres user cannot
#       enter still gets a private cluster (data kept under /tmp, symlinked).
# It stops only the private servers it started. Exit status 0 means pass.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SVC="$ROOT/scripts/services.sh"
FAILS=0

pass() { printf 'ok   %s\n' "$*"; }
fail() {
	printf 'FAIL %s\n' "$*"
	FAILS=$((FAILS + 1))
}
check() { # description command...
	local what="$1"
	shift
	if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}

only_exports() { # file
	! grep -qv "^export [A-Z_]*='[^']*'$" "$1"
}

pg_answers() { [ "$(psql -X -w -At -d "$1" -c 'select 1' 2>/dev/null)" = 1 ]; }
redis_answers() { [ "$(redis-cli -u "$1" ping 2>/dev/null)" = PONG ]; }
port_open() { timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
http_answers() { # url http://host:port
	local hp="${1#http://}"
	timeout 2 bash -c '
		exec 9<>/dev/tcp/'"${hp%:*}"'/'"${hp#*:}"' || exit 1
		printf "GET / HTTP/1.0\r\n\r\n" >&9
		IFS= read -r line <&9 && [ "${line#HTTP/}" != "$line" ]
	' 2>/dev/null
}

# run_up mode outfile [env...]: runs `up` from / with a clean environment for
# the variables it reads, keeping stdout apart from the stderr log.
run_up() {
	local mode="$1" out="$2"
	shift 2
	(cd / && env -u DATABASE_URL -u REDIS_URL -u INDICIA_PRIVATE_SERVICES "$@" \
		"$SVC" up "$mode" >"$out" 2>"$out.log")
}

# with_exports file command...: runs command with the file's exports applied.
with_exports() {
	local f="$1"
	shift
	(
		# shellcheck disable=SC1090
		. "$f"
		"$@"
	)
}

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "== (a) normal path"
for mode in run test; do
	if ! run_up "$mode" "$TMP/$mode.env"; then
		fail "up $mode exits 0"
		cat "$TMP/$mode.env.log"
		continue
	fi
	pass "up $mode exits 0"
	check "up $mode prints only export lines" only_exports "$TMP/$mode.env"
	(
		. "$TMP/$mode.env"
		check "$mode: DATABASE_URL answers ($DATABASE_URL)" pg_answers "$DATABASE_URL"
		check "$mode: REDIS_URL answers ($REDIS_URL)" redis_answers "$REDIS_URL"
		check "$mode: STRIPE_MOCK_URL answers ($STRIPE_MOCK_URL)" http_answers "$STRIPE_MOCK_URL"
		check "$mode: INDICIA_VAR is ./var" test "$INDICIA_VAR" = "$ROOT/var" -a -d "$INDICIA_VAR"
		if [ "$mode" = test ]; then
			check "test: CHROME_PATH is executable" test -x "$CHROME_PATH"
			for tool in dmtxread ZXingReader pdftoppm; do
				check "test: $tool installed" command -v "$tool"
			done
			check "test: database user can create databases" \
				test "$(psql -X -w -At -d "$DATABASE_URL" -c 'select rolcreatedb or rolsuper from pg_roles where rolname = current_user')" = t
		else
			check "run: CHROME_PATH not exported" test -z "${CHROME_PATH:-}"
		fi
	)
	start=$EPOCHREALTIME
	run_up "$mode" "$TMP/$mode.again" || true
	printf '     warm up %s took %.3f s\n' "$mode" "$(echo "$EPOCHREALTIME - $start" | bc)"
	check "second up $mode prints the same exports" cmp -s "$TMP/$mode.env" "$TMP/$mode.again"
done
# A DATABASE_URL that answers is used as given.
url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
if pg_answers "$url"; then
	run_up run "$TMP/given.env" DATABASE_URL="$url" || true
	check "an answering DATABASE_URL is kept" grep -qxF "export DATABASE_URL='$url'" "$TMP/given.env"
fi
run_up run "$TMP/bad.env" DATABASE_URL="postgres://postgres@127.0.0.1:1/x" REDIS_URL="redis://127.0.0.1:1/0" || true
check "a dead DATABASE_URL falls back to a server that answers" \
	with_exports "$TMP/bad.env" bash -c 'psql -X -w -At -d "$DATABASE_URL" -c "select 1" | grep -qx 1'
check "a dead REDIS_URL falls back to a server that answers" \
	with_exports "$TMP/bad.env" bash -c '[ "$(redis-cli -u "$REDIS_URL" ping)" = PONG ]'

echo "== (b) private services (INDICIA_PRIVATE_SERVICES=1)"
started_here=0
port_open 55432 || started_here=1
start=$EPOCHREALTIME
if run_up test "$TMP/private.env" INDICIA_PRIVATE_SERVICES=1; then
	printf '     private up test took %.3f s\n' "$(echo "$EPOCHREALTIME - $start" | bc)"
	pass "private up test exits 0"
	check "private up prints only export lines" only_exports "$TMP/private.env"
	(
		. "$TMP/private.env"
		check "private DATABASE_URL is on 55432 ($DATABASE_URL)" test "${DATABASE_URL#*127.0.0.1:55432/}" != "$DATABASE_URL"
		check "private REDIS_URL is on 56379 ($REDIS_URL)" test "$REDIS_URL" = redis://127.0.0.1:56379/0
		check "private DATABASE_URL answers" pg_answers "$DATABASE_URL"
		check "private REDIS_URL answers" redis_answers "$REDIS_URL"
		check "private cluster runs with fsync off in test mode" \
			test "$(psql -X -w -At -d "$DATABASE_URL" -c 'show fsync')" = off
	)
	start=$EPOCHREALTIME
	run_up test "$TMP/private.again" INDICIA_PRIVATE_SERVICES=1 || true
	printf '     warm private up test took %.3f s\n' "$(echo "$EPOCHREALTIME - $start" | bc)"
	check "second private up prints the same exports" cmp -s "$TMP/private.env" "$TMP/private.again"
	run_up run "$TMP/private.run" INDICIA_PRIVATE_SERVICES=1 || true
	check "private up run gives database indicia" \
		grep -qxF "export DATABASE_URL='postgres://postgres@127.0.0.1:55432/indicia?sslmode=disable'" "$TMP/private.run"
	check "private indicia database answers" \
		pg_answers "postgres://postgres@127.0.0.1:55432/indicia?sslmode=disable"
else
	fail "private up test exits 0"
	cat "$TMP/private.env.log"
fi
# Leave stripe-mock running: other work on this machine may be using it.
"$SVC" down postgres redis 2>"$TMP/down.log" || fail "down exits 0"
check "down stops private PostgreSQL" bash -c '! timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/55432"'
check "down stops private Redis" bash -c '! timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/56379"'
check "system PostgreSQL still answers" pg_answers "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
check "system Redis still answers" redis_answers redis://127.0.0.1:6379/0
check "stripe-mock still answers" http_answers http://127.0.0.1:12111
[ "$started_here" = 1 ] || echo "     note: 55432 answered before the test began"

if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
	echo "== (c) checkout in a directory postgres cannot enter"
	hidden="$TMP/hidden"
	mkdir -p "$hidden/repo/scripts"
	chmod 700 "$TMP" "$hidden"
	cp "$SVC" "$hidden/repo/scripts/services.sh"
	if (cd / && env -u DATABASE_URL -u REDIS_URL INDICIA_PRIVATE_SERVICES=1 \
		"$hidden/repo/scripts/services.sh" up run >"$TMP/hidden.env" 2>"$TMP/hidden.log"); then
		pass "up in a root-only checkout exits 0"
		check "its ./var/postgres is a symlink into /tmp" test -L "$hidden/repo/var/postgres"
		check "its DATABASE_URL answers" \
			with_exports "$TMP/hidden.env" bash -c 'psql -X -w -At -d "$DATABASE_URL" -c "select 1" | grep -qx 1'
	else
		fail "up in a root-only checkout exits 0"
		cat "$TMP/hidden.log"
	fi
	data="$(readlink -f "$hidden/repo/var/postgres" || true)"
	"$hidden/repo/scripts/services.sh" down postgres redis 2>>"$TMP/hidden.log" || fail "down in root-only checkout"
	check "down stops that cluster" bash -c '! timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/55432"'
	# The data lives outside $TMP: remove it with the checkout.
	case "$data" in /tmp/indicia-pg-*/data) rm -rf "${data%/data}" ;; esac
fi

if [ "$FAILS" -gt 0 ]; then
	echo "services_test: $FAILS failure(s)"
	exit 1
fi
echo "services_test: all passed"
