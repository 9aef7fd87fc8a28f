#!/usr/bin/env bash
# Runs every fuzz target (func Fuzz* in a _test.go file) for the given time
# each, one target per go test invocation as -fuzz requires.
#   scripts/fuzz.sh          5 s each (make test runs 4 s each)
#   scripts/fuzz.sh 10m      a longer hunt
#   scripts/fuzz.sh 1m FuzzX one target
# New failing inputs are written under the package's testdata/fuzz and then
# replay in every plain go test run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-5s}
only=${2:-} # a target name to run alone
# FUZZ_SKIP: space-separated package:target pairs to leave out, e.g.
# ./hygiene/address:FuzzParse (their seed corpus still runs in every plain
# go test).
skip=" ${FUZZ_SKIP:-} "
failed=()
while read -r file; do
	pkg=./$(dirname "${file#./}")
	for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		[ -z "$only" ] || [ "$only" = "$target" ] || continue
		if [ -z "$only" ] && [[ "$skip" == *" $pkg:$target "* ]]; then
			echo "fuzz: $pkg $target skipped (FUZZ_SKIP)" >&2
			continue
		fi
		echo "fuzz: $pkg $target ($fuzztime)" >&2
		# Every target runs even after a failure, so one bug hides no other.
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" </dev/null || failed+=("$pkg $target")
	done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./var/' | sort)
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
