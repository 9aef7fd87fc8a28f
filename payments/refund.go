package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
	"indicia/metering"
)

// RefundForVoid returns a voided trickle label's postage to the card it was
// charged to (the trickle fee is kept). Call it after a void of a label on a
// trickle meter commits, instead of crediting the meter; prepaid labels are
// credited back to the meter. A label whose void already credited the meter
// is refused (that would pay the postage back twice). It returns refunded=false (and no error) for a label that
// no trickle charge paid for. It is idempotent per label; a Stripe outage
// returns an error and the label stays due: call it again (the reconciler
// does, through RefundsDue).
// CardFunded reports whether a label was paid by a finished trickle charge
// (metering asks it when a label is voided, and in its audit).
func (s *Service) CardFunded(ctx context.Context, q metering.Querier, labelPublicID string) (bool, error) {
	sale, found, err := metering.LabelSaleOf(ctx, q, labelPublicID)
	if err != nil || !found {
		return false, err
	}
	var card bool
	err = q.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM charges WHERE purchase_public_id = $1 AND kind = 'trickle' AND status = 'done')`,
		sale.PurchasePublicID).Scan(&card)
	if err != nil {
		return false, fmt.Errorf("payments: funding of label %s: %w", labelPublicID, err)
	}
	return card, nil
}

// LabelPaidByCard reports whether voiding the label refunds a card rather
// than crediting the meter (the void page says which).
func (s *Service) LabelPaidByCard(ctx context.Context, labelPublicID string) (bool, error) {
	return s.CardFunded(ctx, s.pool, labelPublicID)
}

func (s *Service) RefundForVoid(ctx context.Context, labelPublicID string) (refunded bool, err error) {
	var chargeID int64
	var pi, chargePublic string
	var postage, amount, already, meterID int64
	var status string
	sale, found, err := metering.LabelSaleOf(ctx, s.pool, labelPublicID)
	if err != nil || !found {
		return false, err
	}
	postage, status, meterID = sale.Postage, sale.Status, sale.MeterID
	err = s.pool.QueryRow(ctx, `SELECT id, public_id, payment_intent_id, amount, refunded
		FROM charges WHERE purchase_public_id = $1 AND kind = 'trickle' AND status = 'done'`, sale.PurchasePublicID).
		Scan(&chargeID, &chargePublic, &pi, &amount, &already)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("payments: find charge of label %s: %w", labelPublicID, err)
	}
	if status != "voided" {
		return false, fmt.Errorf("payments: label %s is %s, not voided; refusing to refund", labelPublicID, status)
	}
	credited, err := metering.TransferExists(ctx, s.pool, metering.VoidTransferID(labelPublicID))
	if err != nil {
		return false, fmt.Errorf("payments: void credit of label %s: %w", labelPublicID, err)
	}
	if credited {
		// The postage already went back into the meter: refunding the card too would pay it twice.
		return false, fmt.Errorf("payments: label %s was credited back to its meter; not refunding the card as well", labelPublicID)
	}
	var done bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM refunds WHERE label_public_id = $1 AND status = 'succeeded')`, labelPublicID).Scan(&done); err != nil {
		return false, fmt.Errorf("payments: refund of label %s: %w", labelPublicID, err)
	}
	if done {
		return true, nil
	}
	idem := "indicia-void-" + labelPublicID
	rid, err := s.stripe.Refund(ctx, pi, postage, idem)
	if err != nil {
		return false, unavailable(err)
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO refunds (charge_id, label_public_id, amount, reason, idem_key, stripe_refund_id, status, created_at)
			VALUES ($1,$2,$3,'void',$4,$5,'succeeded',$6) ON CONFLICT (label_public_id) DO NOTHING`, chargeID, labelPublicID, postage, idem, rid, s.now())
		if err != nil {
			return fmt.Errorf("payments: store void refund: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil // a concurrent call recorded it (same Stripe refund, by our key)
		}
		if _, err := tx.Exec(ctx, `UPDATE charges SET refunded = refunded + $2, updated_at = $3 WHERE id = $1`, chargeID, postage, s.now()); err != nil {
			return fmt.Errorf("payments: mark charge refunded: %w", err)
		}
		// The voided postage left the post office's revenue for "refunds" (trigger); it goes back to the card.
		return postTransfer(ctx, tx, "voidrefund:"+labelPublicID, "void_refund", meterID, chargeID, Entry{AccRefunds, -postage}, Entry{AccCardClearing, postage})
	})
	if err != nil {
		return false, err
	}
	return true, nil
}
