// Package db opens the PostgreSQL pool, applies and checks the embedded
// migrations (goose, which migrates from an embedded FS and keeps its own version
// table), and offers Transact, which runs a function in one transaction and
// retries it on serialization failures and deadlocks. Each domain package owns
// its own SQL; this package owns no table. Resolvable is the one statement
// shared by the alert tables (tamper alerts, fraud signals, payment alerts),
// which their owning packages name.
package db
