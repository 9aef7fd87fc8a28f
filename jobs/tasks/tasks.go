// Package tasks is the one list of job kinds the worker runs and the handler
// of each. Handlers call the domain packages (metering, hygiene); they hold no
// SQL of their own. It is separate from package jobs so that domain packages
// can stage jobs without importing their handlers.
package tasks

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/accounts"
	"indicia/email"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering"
	"indicia/payments"
	"indicia/reports"
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
	// Payments reconciles charges, auto-refills and settles (JobKindPayments*),
	// every PaymentsEvery (default a minute).
	Payments      *payments.Service
	PaymentsEvery time.Duration
	// AlertMail sends the vendor admins' alert emails (JobKindAdminAlert).
	AlertMail func(ctx context.Context, to, subject, body string) error
	// UploadRetention is how long uploaded personal data is kept (config
	// UPLOAD_RETENTION); UploadDir holds the change-of-address list files.
	UploadRetention time.Duration
	UploadDir       string
	// Mail retries emails whose first attempt failed (email.JobKindSend).
	Mail email.Sender
	// Reports makes each month's statements (on the 1st, or when a worker
	// that was down starts) and emails them through StatementMail.
	Reports       *reports.Service
	StatementMail reports.Mailer
	BaseURL       string
	// Accounts sends again the one-time links whose first email failed
	// (accounts.JobKindLinkEmail), minting fresh ones.
	Accounts *accounts.Service
}

// Register adds every job kind to r.
func Register(r *jobs.Runner, d Deps) {
	if d.Mail != nil {
		r.Register(email.JobKindSend, sendEmail(d.Mail))
	}
	if d.Accounts != nil {
		r.Register(accounts.JobKindLinkEmail, sendLinkEmail(d.Accounts))
	}
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
	if d.AlertMail != nil && d.Pool != nil {
		r.Register(JobKindAdminAlert, sendAdminAlert(d.Pool, d.AlertMail))
	}
	if d.Payments != nil {
		r.Register(JobKindPaymentsReconcile, paymentsReconcile(d.Payments))
		r.Register(JobKindPaymentsSettle, paymentsSettle(d.Payments))
	}
}

// Scheduled is the work the worker runs on clocks rather than from the queue:
// the payments reconciler, the auto-refill sweep, settlement, the monthly
// statements, and the daily
// claim of the refund job (one submit_refunds job per UTC day, claimed in
// PostgreSQL so however many workers run, a day gets exactly one; a worker
// that was down catches up when it starts). jobs.RunScheduled runs each on
// its own so a sick job kind or a panic in one of them stops none of the others.
func Scheduled(d Deps) []jobs.Every {
	var out []jobs.Every
	if d.Payments != nil {
		out = append(out, paymentsScheduled(d.Payments, d.PaymentsEvery)...)
	}
	if d.UploadRetention > 0 && (d.COA != nil || d.Batches != nil) {
		out = append(out, jobs.Every{Name: "upload retention", Interval: time.Hour, Run: func(ctx context.Context) error {
			return PurgeUploads(ctx, d, time.Now())
		}})
	}
	if d.Metering != nil && d.Queue != nil {
		out = append(out, jobs.Every{Name: "refund schedule", Interval: time.Hour, Run: func(ctx context.Context) error {
			return ScheduleRefundsOnce(ctx, d.Queue, d.Metering, time.Now())
		}})
	}
	if d.Metering != nil {
		out = append(out, fraudSweep(d.Metering), forecastRun(d.Metering), postalRollup(d.Metering))
		if d.Queue != nil {
			out = append(out, boxWatch(d.Metering, d.Metering, d.Queue), keyRotation(d.Metering, d.Metering, d.Queue))
		}
	}
	if d.Reports != nil {
		// Hourly, for the month before this one: on the 1st it runs within
		// the hour, and a month whose statements exist is a cheap no-op.
		out = append(out, jobs.Every{Name: "monthly statements", Interval: time.Hour, Run: func(ctx context.Context) error {
			now := time.Now().UTC()
			_, err := d.Reports.GenerateStatements(ctx, now.AddDate(0, 0, -now.Day()), d.StatementMail, d.BaseURL)
			return err
		}})
	}
	return out
}
