# shellcheck shell=bash
# supervise.sh is sourced by run.sh and cluster.sh: it defines supervise,
# which keeps one long-running process alive.
#
# The caller sets RUNDIR (pid files), main_pid (the script to stop when a
# keystore does not belong to the database) and may define explain_mismatch.

# Exit status 78 from an indicia command: the box's keystore is not the one
# the database was created with (the command printed both fingerprints).
EXIT_MISMATCH=78

# supervise NAME CMD...: runs CMD in the background and starts it again when
# it exits, with exponential backoff (reset after a minute up). TERM stops the
# command and the supervisor. A keystore mismatch stops everything.
supervise() {
  local name=$1 delay=1 child='' rc started
  shift
  trap 'trap - TERM; if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi; rm -f "$RUNDIR/indicia-$name.pid"; exit 0' TERM
  while :; do
    started=$SECONDS
    "$@" &
    child=$!
    echo "$child" > "$RUNDIR/indicia-$name.pid"
    rc=0
    wait "$child" || rc=$?
    child=''
    if [ -e "$RUNDIR/indicia-stopping" ]; then exit 0; fi
    if [ "$rc" -eq "$EXIT_MISMATCH" ]; then
      if declare -F explain_mismatch >/dev/null; then explain_mismatch; fi
      echo "$rc" > "$RUNDIR/indicia-stopping"
      kill -TERM "$main_pid" 2>/dev/null
      exit "$rc"
    fi
    if [ $((SECONDS - started)) -ge 60 ]; then delay=1; fi
    echo "${0##*/}: $name exited with status $rc; starting it again in ${delay}s" >&2
    sleep "$delay" &
    child=$!
    wait "$child" || true
    child=''
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}
