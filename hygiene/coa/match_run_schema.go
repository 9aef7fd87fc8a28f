package coa

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A run's working tables (coa_keys, coa_entries, coa_top, coa_hard, coa_chosen) are
// unlogged tables in a schema of the run's own, first on the transaction's
// search path, rather than temporary tables: PostgreSQL never reads a
// temporary table from a parallel worker, so every 1 M-row join and
// aggregate of a run would use one core. The schema is created inside the
// run's transaction and dropped before it commits, so a run that fails or is
// cut off (client gone, server crash) leaves no table behind: its creation
// is rolled back with everything else, and no sweep is needed. The schema is
// named for the run's transaction, so runs never share a table even if they
// overlapped.

// runSettings applies to the run's transaction only. Memory: the joins and
// aggregates of a million rows each spilled to temporary files with less.
// Parallel plans: the default costs rate a Gather of a million rows dearer
// than doing the work on one core, which is not so for the wide hash joins
// of a run. No JIT: compiling the scope's recursive query cost more than it
// saved (measured in docs/BENCHMARKS.md).
const runSettings = `SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true),
	set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.01', true)`

// createRunSchema creates the run's schema and puts it first on the search
// path; it returns its name.
func createRunSchema(ctx context.Context, tx pgx.Tx) (string, error) {
	var xid int64
	if err := tx.QueryRow(ctx, `SELECT txid_current()`).Scan(&xid); err != nil {
		return "", fmt.Errorf("working tables: %w", err)
	}
	name := fmt.Sprintf("coa_run_%d", xid)
	if _, err := tx.Exec(ctx, `CREATE SCHEMA `+name); err != nil {
		return "", fmt.Errorf("working tables: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1 || ', ' || current_setting('search_path'), true)`, name); err != nil {
		return "", fmt.Errorf("working tables: %w", err)
	}
	return name, nil
}

// dropRunSchema is the statement that drops the run's schema and its tables.
func dropRunSchema(name string) string {
	return `DROP SCHEMA ` + name + ` CASCADE`
}
