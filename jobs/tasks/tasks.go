// Package tasks is the one list of job kinds the worker runs and the handler
// of each. Handlers call the domain packages (metering, hygiene); they hold no
// SQL of their own. It is separate from package jobs so that domain packages
// can stage jobs without importing their handlers.
package tasks

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering"
	"indicia/payments"
)

// Deps are what job handlers need. Fields are added as job kinds arrive.
type Deps struct {
	Pool  *pgxpool.Pool
	Redis *redis.Client
	Queue *jobs.Queue
	// Batches cleanses uploaded address lists (addressbook.JobKindCleanse).
	Batches *addressbook.Batches
	// COA loads change-of-address lists and matches them (coa.JobKindCOA*).
	COA *coa.Service
	// Metering voids old unused labels (JobKindSubmitRefunds); RefundAfter is their age.
	Metering    *metering.Service
	RefundAfter time.Duration
	// Payments reconciles charges, auto-refills and settles (JobKindPayments*).
	Payments *payments.Service
}

// Register adds every job kind to r.
func Register(r *jobs.Runner, d Deps) {
	if d.Batches != nil {
		r.Register(addressbook.JobKindCleanse, cleanseBatch(d.Batches))
	}
	if d.COA != nil {
		r.Register(coa.JobKindCOAImport, coaImport(d.COA))
		r.Register(coa.JobKindCOAMatch, coaMatch(d.COA))
	}
	if d.Metering != nil {
		r.Register(JobKindSubmitRefunds, submitRefunds(d.Metering, d.RefundAfter))
	}
	if d.Payments != nil {
		r.Register(JobKindPaymentsReconcile, paymentsReconcile(d.Payments))
		r.Register(JobKindPaymentsSettle, paymentsSettle(d.Payments))
	}
}
