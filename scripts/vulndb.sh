#!/usr/bin/env bash
# Builds the Go vulnerability database that govulncheck reads (-db file://…)
# into var/vulndb, only when it is missing or from another snapshot. The
# machine cannot reach vuln.go.dev, but the module proxy serves golang.org/x/vulndb,
# whose data/osv holds every report as OSV JSON; vulndb's own indexdb command
# writes the v1 layout (index/db.json, index/modules.json, index/vulns.json, ID/*.json).
# Prints the database directory. Bump VULNDB to a newer snapshot to refresh.
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB=golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
out=var/vulndb
if [ ! -f "$out/index/db.json" ] || [ "$(cat "$out/.snapshot" 2>/dev/null)" != "$VULNDB" ]; then
	src=$(go mod download -json "$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$src/data/osv" ] || { echo "vulndb: $VULNDB has no data/osv" >&2; exit 1; }
	rm -rf "$out.tmp" && mkdir -p var
	go run "${VULNDB%@*}/cmd/indexdb@${VULNDB#*@}" -vulns "$src/data/osv" -out "$out.tmp" >&2
	echo "$VULNDB" >"$out.tmp/.snapshot"
	rm -rf "$out" && mv "$out.tmp" "$out"
fi
echo "$PWD/$out"
