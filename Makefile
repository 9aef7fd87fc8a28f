# The two commands of README.md. Everything else is a helper for them.
GO ?= go
# go.mod's toolchain line names the patched Go; a machine default of
# GOTOOLCHAIN=local would silently build with an older one.
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN
BIN := bin/indicia

.PHONY: run test build generate bench cluster chaos

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

# The purchase path under load next to pgbench; loadtest/ holds the other drivers.
bench:
	@bash loadtest/purchase.sh
