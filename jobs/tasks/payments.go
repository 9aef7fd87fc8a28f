package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"indicia/jobs"
	"indicia/payments"
)

// Job kinds of card funding.
const (
	JobKindPaymentsReconcile = "payments_reconcile"
	JobKindPaymentsSettle    = "payments_settle"
)

// paymentsReconcile finishes or refunds charges left half-way, runs due
// auto-refills and refunds voided trickle labels.
func paymentsReconcile(p *payments.Service) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, _ *jobs.Progress) (any, error) {
		res, err := p.Reconcile(ctx)
		if err != nil {
			return nil, err
		}
		refills, err := p.RefillSweep(ctx)
		return map[string]any{"reconciled": res, "refills": refills}, err
	}
}

// paymentsSettle writes one day's settlement for the post ({"day":"2006-01-02"}).
func paymentsSettle(p *payments.Service) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, _ *jobs.Progress) (any, error) {
		var in struct {
			Day string `json:"day"`
		}
		if err := json.Unmarshal(j.Payload, &in); err != nil {
			return nil, fmt.Errorf("tasks: settle: bad payload %s: %w", j.Payload, asynq.SkipRetry)
		}
		day, err := time.Parse(time.DateOnly, in.Day)
		if err != nil {
			return nil, fmt.Errorf("tasks: settle: bad day %q: %w", in.Day, asynq.SkipRetry)
		}
		st, err := p.Settle(ctx, day)
		if err != nil {
			return nil, err
		}
		return map[string]any{"day": in.Day, "total": st.Total, "offices": len(st.Offices)}, nil
	}
}

// paymentsScheduled is the payments clock: every interval the reconciler
// and, on its own clock, the auto-refill sweep; every hour (and at start) the
// settlement of yesterday (final) and today (so far). Each step is safe to
// run on several workers at once (charge leases, refill row locks, settlement
// replaces its day), so it needs no queue.
func paymentsScheduled(p *payments.Service, every time.Duration) []jobs.Every {
	return []jobs.Every{
		{Name: "payments reconciler", Interval: every, Run: func(ctx context.Context) error {
			res, err := p.Reconcile(ctx)
			if err == nil && res != (payments.ReconcileResult{}) {
				slog.InfoContext(ctx, "tasks: payments reconciler", "finished", res.Finished, "refunded", res.Refunded, "declined", res.Declined,
					"pending", res.Pending, "void_refunds", res.VoidRefunds)
			}
			return err
		}},
		{Name: "auto-refill sweep", Interval: every, Run: func(ctx context.Context) error {
			_, err := p.RefillSweep(ctx)
			return err
		}},
		{Name: "settlement", Interval: time.Hour, Run: func(ctx context.Context) error {
			now := time.Now().UTC()
			var errs []error
			for _, day := range []time.Time{now.AddDate(0, 0, -1), now} {
				if _, err := p.Settle(ctx, day); err != nil {
					errs = append(errs, fmt.Errorf("settle %s: %w", day.Format(time.DateOnly), err))
				}
			}
			return errors.Join(errs...)
		}},
	}
}
