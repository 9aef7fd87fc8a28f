package tasks

import (
	"context"
	"encoding/json"
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

// RunPayments is the worker's payments clock until ctx ends: every interval
// the reconciler and the auto-refill sweep; every hour (and at start) the
// settlement of yesterday (final) and today (so far). Each step is safe to
// run on several workers at once (charge leases, refill row locks, settlement
// replaces its day), so it needs no queue.
func RunPayments(ctx context.Context, p *payments.Service, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var settled time.Time
	for {
		if res, err := p.Reconcile(ctx); err != nil {
			slog.WarnContext(ctx, "tasks: payments reconciler", "err", err)
		} else if res != (payments.ReconcileResult{}) {
			slog.InfoContext(ctx, "tasks: payments reconciler", "finished", res.Finished, "refunded", res.Refunded, "declined", res.Declined,
				"pending", res.Pending, "void_refunds", res.VoidRefunds)
		}
		if _, err := p.RefillSweep(ctx); err != nil {
			slog.WarnContext(ctx, "tasks: auto-refill sweep", "err", err)
		}
		if now := time.Now().UTC(); now.Sub(settled) >= time.Hour {
			for _, day := range []time.Time{now.AddDate(0, 0, -1), now} {
				if _, err := p.Settle(ctx, day); err != nil {
					slog.WarnContext(ctx, "tasks: settlement", "day", day.Format(time.DateOnly), "err", err)
				}
			}
			settled = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
