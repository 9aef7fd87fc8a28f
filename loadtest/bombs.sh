#!/usr/bin/env bash
# Sends the hostile inputs of loadtest/bombs (XLSX and gzip bombs, long CSV
# lines, huge JSON names, big bodies, an over-long Idempotency-Key, a JPEG
# whose frame header sits past 64 KB) to a running `make run` started from
# this directory, and prints serve's and worker's peak RSS before and after.
# Usage: loadtest/bombs.sh [-base http://127.0.0.1:8080] [-key <demo API key from `indicia seed`>]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./loadtest/bombs "$@"
