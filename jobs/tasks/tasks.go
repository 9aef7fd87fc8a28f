// Package tasks is the one list of job kinds the worker runs and the handler
// of each. Handlers call the domain packages (metering, hygiene); they hold no
// SQL of their own. It is separate from package jobs so that domain packages
// can stage jobs without importing their handlers.
package tasks

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/hygiene"
	"indicia/jobs"
)

// Deps are what job handlers need. Fields are added as job kinds arrive.
type Deps struct {
	Pool  *pgxpool.Pool
	Redis *redis.Client
	Queue *jobs.Queue
	// Batches cleanses uploaded address lists (hygiene.JobKindCleanse).
	Batches *hygiene.Batches
}

// Register adds every job kind to r.
func Register(r *jobs.Runner, d Deps) {
	if d.Batches != nil {
		r.Register(hygiene.JobKindCleanse, cleanseBatch(d.Batches))
	}
}
