package payments

import (
	"context"
	"fmt"
	"log/slog"

	"indicia/accounts"
)

// ReconcileResult counts what one reconciler pass did.
type ReconcileResult struct {
	Finished, Refunded, Declined, Pending int
	VoidRefunds                           int
	// OutsideDebits counts refunds made outside Indicia taken back from
	// their meters (left by a crash between the booking and the debit).
	OutsideDebits int
}

// Reconcile finishes or refunds every charge left half-way for longer than
// the grace period (a crash, an outage): a staged charge is re-sent to Stripe
// with the same idempotency key (Stripe answers what it did the first time)
// and then finished; a charge whose mailer was told to try again (unknown) is
// refunded if it went through; a charged or credited one is finished; a
// refund is completed. It also refunds voided trickle labels still due, and
// takes refunds made outside Indicia back from their meters.
func (s *Service) Reconcile(ctx context.Context) (ReconcileResult, error) {
	var res ReconcileResult
	rows, err := s.pool.Query(ctx, `SELECT id FROM charges WHERE status IN ('staged','unknown','charged','credited','refunding')
		AND updated_at < $1 ORDER BY id LIMIT 500`, s.now().Add(-s.opt.Grace))
	if err != nil {
		return res, fmt.Errorf("payments: reconcile: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		c, ok, err := s.claim(ctx, id)
		if err != nil {
			return res, err
		}
		if !ok {
			res.Pending++ // someone is driving it right now
			continue
		}
		c, err = s.drive(ctx, accounts.System, c, c.Status == StatusUnknown)
		s.release(id)
		switch c.Status {
		case StatusDone:
			res.Finished++
		case StatusRefunded:
			res.Refunded++
		case StatusDeclined:
			res.Declined++
		default:
			res.Pending++
			slog.WarnContext(ctx, "payments: reconciler left a charge unfinished", "charge", c.PublicID, "status", c.Status, "err", err)
		}
	}
	labels, err := s.pool.Query(ctx, `SELECT i.public_id FROM indicia i JOIN purchases p ON p.id = i.purchase_id
		JOIN charges c ON c.purchase_public_id = p.public_id AND c.kind = 'trickle' AND c.status = 'done'
		WHERE i.status = 'voided' AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.label_public_id = i.public_id) LIMIT 500`)
	if err != nil {
		return res, fmt.Errorf("payments: voided labels due: %w", err)
	}
	var due []string
	for labels.Next() {
		var id string
		if err := labels.Scan(&id); err != nil {
			labels.Close()
			return res, err
		}
		due = append(due, id)
	}
	labels.Close()
	for _, id := range due {
		if ok, err := s.RefundForVoid(ctx, id); err != nil {
			slog.WarnContext(ctx, "payments: void refund still due", "label", id, "err", err)
		} else if ok {
			res.VoidRefunds++
		}
	}
	n, err := s.debitOutside(ctx, "")
	res.OutsideDebits = n
	if err != nil {
		return res, err
	}
	return res, nil
}
