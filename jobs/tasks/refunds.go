package tasks

import (
	"context"
	"fmt"
	"time"

	"indicia/jobs"
	"indicia/metering"
)

// JobKindSubmitRefunds voids, as the system, unused labels past the refund age.
const JobKindSubmitRefunds = "submit_refunds"

// DefaultRefundAfter is the refund age when Deps.RefundAfter is zero (config REFUND_AFTER).
const DefaultRefundAfter = 45 * 24 * time.Hour

// refundBatch bounds one job; the next day's run takes the rest.
const refundBatch = 10_000

// submitRefunds runs metering.Service.SubmitRefunds. It is idempotent: a
// retried job finds only the labels the first attempt did not void.
func submitRefunds(m *metering.Service, after time.Duration) jobs.HandlerFunc {
	if after <= 0 {
		after = DefaultRefundAfter
	}
	return func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		run, err := m.SubmitRefunds(ctx, after, refundBatch, func(done, total int) {
			p.Set(ctx, int64(done), int64(total), fmt.Sprintf("%d of %d labels submitted for refund", done, total))
		})
		if err != nil {
			return nil, fmt.Errorf("tasks: submit refunds: %w", err)
		}
		return run, nil
	}
}

// ScheduleRefundsOnce submits the job of now's UTC day unless it was already submitted.
func ScheduleRefundsOnce(ctx context.Context, q *jobs.Queue, m *metering.Service, now time.Time) error {
	day := now.UTC()
	claimed, err := m.ClaimRefundDay(ctx, day)
	if err != nil || !claimed {
		return err
	}
	id, err := q.Submit(ctx, jobs.New{Kind: JobKindSubmitRefunds, Payload: map[string]string{"day": day.Format("2006-01-02")}})
	if err != nil {
		return fmt.Errorf("tasks: submit refund job: %w", err)
	}
	return m.SetRefundJob(ctx, day, id)
}
