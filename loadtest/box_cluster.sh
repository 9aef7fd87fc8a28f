#!/usr/bin/env bash
# Purchases per second and p99 on one box process against a three-box raft
# cluster, in the same run (alternating, two rounds each), with batched
# dispensing over 16 meters from 32 concurrent purchasers through metering
# and PostgreSQL. Usage: loadtest/box_cluster.sh [duration per phase, 20s]
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto
eval "$(bash scripts/services.sh up test)"
echo "load before: $(uptime)"
BOX_CLUSTER_LOAD=1 BOX_CLUSTER_LOAD_DURATION="${1:-20s}" \
  go test ./metering -run '^TestBoxClusterLoad$' -count=1 -v -timeout 20m 2>&1 | grep -E "_test.go:|PASS|FAIL|^ok|panic"
echo "load after: $(uptime)"
