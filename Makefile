# The two commands of README.md. Everything else is a helper for them.
GO ?= go
# go.mod's toolchain line names the patched Go; a machine default of
# GOTOOLCHAIN=local would silently build with an older one.
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN
BIN := bin/indicia

.PHONY: run test build generate bench cluster chaos race-cluster

build:
	$(GO) build -o $(BIN) ./cmd/indicia

generate:
	$(GO) tool templ generate

run: build
	@bash scripts/run.sh

# Past one machine, on this one: HAProxy, two serves, two workers, the box,
# a PostgreSQL primary with a synchronous standby, Redis with Sentinels.
cluster: build
	@bash scripts/cluster.sh up

# The cluster under load while one part at a time is killed; prints what was lost (nothing).
chaos: build
	@bash scripts/chaos.sh full

test:
	@bash scripts/test.sh

# The box cluster's tests with real processes (leader kills, minority,
# replay after failover, key rotation across a failover) under the race
# detector; not in make test, where they run once without it.
race-cluster:
	$(GO) test -race -count=1 -timeout 40m -run 'TestKillingTheLeaderBox|TestClusterMinority|TestReplayAfterFailover|TestRotatedRecordKeySurvivesFailover' ./metering
	$(GO) test -race -count=1 -timeout 20m -run 'TestTwoBoxesNeverAcceptTheSameStep|TestClusterLog|TestClientOverMutualTLS' ./metering/box

# The purchase path under load next to pgbench; loadtest/ holds the other drivers.
bench:
	@bash loadtest/purchase.sh
