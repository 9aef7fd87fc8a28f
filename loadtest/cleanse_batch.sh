#!/usr/bin/env bash
# Measures a 1,000,000-row batch cleansing from upload to downloadable result
# against the local PostgreSQL (DATABASE_URL or the default of db/dbtest):
# generates the CSV, imports and COPYs it (upload), cleanses it on every core
# (the worker's job) and streams the result CSV. Prints the stage times, the
# peak Go heap during the worker stage, and the peak RSS of the whole process
# (upload + worker + download in one, so an upper bound for the worker).
# Usage: [BATCH_FORMAT=xlsx] loadtest/cleanse_batch.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
bin="$(mktemp -d)/addressbook.test"
go test -c -o "$bin" ./hygiene/addressbook
cd hygiene/addressbook
BATCH_ROWS="$rows" /usr/bin/time -v "$bin" -test.run '^$' -test.bench '^BenchmarkBatchMillion$' -test.benchtime 1x -test.v 2>&1 |
	grep -E 'BenchmarkBatchMillion|rows,|Maximum resident|Elapsed \(wall'
rm -rf "$(dirname "$bin")"
