package payments

import (
	"context"
	"fmt"
	"log/slog"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
)

// debitOutside takes money returned outside Indicia (a refund in Stripe's
// dashboard, a dispute) back out of the charge's meter, for every such
// refund booked but not yet taken back: on the payment paymentIntentID, or
// on every payment when it is empty (the reconciler). The meter gives what
// its descending register holds; the rest stays owed on the customer's
// ledger account. The debit is the meter's own idempotent step (keyed by
// the Stripe id), so a redelivered webhook, a concurrent one and the
// reconciler take the money once; a crash between the booking and the debit
// leaves the refund due here. It returns how many refunds it settled.
func (s *Service) debitOutside(ctx context.Context, paymentIntentID string) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.id, r.amount, r.reason, r.stripe_refund_id, c.meter_id FROM refunds r JOIN charges c ON c.id = r.charge_id
		WHERE r.meter_debited IS NULL AND r.reason LIKE 'outside_%' AND ($1 = '' OR c.payment_intent_id = $1) ORDER BY r.id LIMIT 500`, paymentIntentID)
	if err != nil {
		return 0, fmt.Errorf("payments: outside refunds due: %w", err)
	}
	type due struct {
		id, amount, meter int64
		reason, stripeID  string
	}
	var all []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.amount, &d.reason, &d.stripeID, &d.meter); err != nil {
			rows.Close()
			return 0, fmt.Errorf("payments: outside refunds due: %w", err)
		}
		all = append(all, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("payments: outside refunds due: %w", err)
	}
	settled := 0
	for _, d := range all {
		reason := metering.DebitOutsideRefund
		if d.reason == "outside_dispute" {
			reason = metering.DebitDispute
		}
		var taken int64
		got, err := s.met.Debit(ctx, accounts.System, d.meter, d.amount, reason, "outside:"+d.stripeID)
		switch ae, _ := apperr.As(err); {
		case err == nil:
			taken = got.Amount
		case ae != nil && ae.Code == "meter_not_active":
			// A retired meter holds nothing to take back; all of it stays owed.
		default:
			slog.WarnContext(ctx, "payments: outside refund not yet taken back from the meter", "refund", d.stripeID, "meter", d.meter, "err", err)
			continue
		}
		if _, err := s.pool.Exec(ctx, `UPDATE refunds SET meter_debited = $2 WHERE id = $1 AND meter_debited IS NULL`, d.id, taken); err != nil {
			return settled, fmt.Errorf("payments: mark %s taken back: %w", d.stripeID, err)
		}
		settled++
	}
	return settled, nil
}
