package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
)

// ErrBadSignature is a webhook whose Stripe-Signature does not verify.
var ErrBadSignature = apperr.Invalid("Stripe-Signature", "The webhook signature does not verify.")

// WebhookResult says what a webhook did.
type WebhookResult struct {
	EventID   string
	Type      string
	Duplicate bool
}

// HandleWebhook checks the signature and handles each event once: a payment
// failure is recorded on its charge, a refund is noted, a dispute suspends
// the meter for credit abuse and alerts the vendor admin. Stripe may deliver
// an event more than once; a redelivery is recorded as a duplicate and ignored.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) (WebhookResult, error) {
	ev, err := s.stripe.ParseWebhook(payload, signature)
	if err != nil {
		return WebhookResult{}, ErrBadSignature
	}
	res := WebhookResult{EventID: ev.ID, Type: string(ev.Type)}
	// Network calls before the transaction: the refunds of a refunded charge.
	var outside []StripeRefund
	var outsidePI string
	if ev.Type == "charge.refunded" {
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return res, fmt.Errorf("payments: decode %s: %w", ev.Type, err)
		}
		if ch.PaymentIntent != nil {
			outsidePI = ch.PaymentIntent.ID
		}
		all, err := s.stripe.ListRefunds(ctx, outsidePI)
		if err != nil {
			// Stripe delivers the event again; nothing is recorded yet.
			return res, unavailable(err)
		}
		for _, r := range all {
			if !r.Ours && r.Status != "failed" && r.Status != "canceled" {
				outside = append(outside, r)
			}
		}
	}
	var dispute stripe.Dispute
	if ev.Type == "charge.dispute.created" {
		if err := json.Unmarshal(ev.Data.Raw, &dispute); err != nil {
			return res, fmt.Errorf("payments: decode %s: %w", ev.Type, err)
		}
		if dispute.PaymentIntent != nil {
			outsidePI = dispute.PaymentIntent.ID
		}
	}
	var suspend []int64
	var alerts []Charge
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		suspend, alerts = nil, nil
		tag, err := tx.Exec(ctx, `INSERT INTO stripe_events (event_id, type, received_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, ev.ID, ev.Type, s.now())
		if err != nil {
			return fmt.Errorf("payments: record event %s: %w", ev.ID, err)
		}
		if tag.RowsAffected() == 0 {
			res.Duplicate = true
			return nil
		}
		switch ev.Type {
		case "payment_intent.payment_failed":
			var pi stripe.PaymentIntent
			if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
				return fmt.Errorf("payments: decode %s: %w", ev.Type, err)
			}
			code, msg := "", ""
			if pi.LastPaymentError != nil {
				code, msg = string(pi.LastPaymentError.DeclineCode), pi.LastPaymentError.Msg
			}
			// Only a charge still waiting for Stripe's answer changes here; the
			// synchronous answer usually got there first.
			_, err := tx.Exec(ctx, `UPDATE charges SET status = 'declined', payment_intent_id = $2, decline_code = $3, decline_message = $4, updated_at = $5
				WHERE public_id = $1 AND status IN ('staged','unknown')`, pi.Metadata["charge"], pi.ID, code, msg, s.now())
			return err
		case "charge.refunded":
			// Refunds made outside Indicia (Stripe's dashboard) are booked
			// here; our own carry RefundMark and are booked where they are made.
			for _, r := range outside {
				c, booked, err := s.bookOutside(ctx, tx, outsidePI, "refund", r.ID, r.Amount)
				if err != nil {
					return err
				}
				if booked {
					suspend = append(suspend, c.MeterID)
					alerts = append(alerts, c)
				}
			}
			return nil
		case "charge.dispute.created":
			d, pi := dispute, outsidePI
			var c Charge
			err := tx.QueryRow(ctx, `SELECT id, public_id, account_id, meter_id FROM charges WHERE payment_intent_id = $1`, pi).
				Scan(&c.ID, &c.PublicID, &c.AccountID, &c.MeterID)
			if errors.Is(err, pgx.ErrNoRows) {
				slog.WarnContext(ctx, "payments: dispute on an unknown payment", "payment_intent", pi)
				return nil
			}
			if err != nil {
				return err
			}
			c.PaymentIntentID, c.DeclineMessage = pi, string(d.Reason)
			suspend = append(suspend, c.MeterID)
			alerts = append(alerts, c)
			// The disputed amount is withdrawn from us now; book it like a refund.
			if _, _, err := s.bookOutside(ctx, tx, pi, "dispute", d.ID, d.Amount); err != nil {
				return err
			}
			return nil
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	// Money returned outside Indicia leaves the meter too, after the booking
	// committed (a box step has its own transaction). A redelivered event
	// finishes what a crash left here; so does the reconciler.
	if outsidePI != "" {
		if _, err := s.debitOutside(ctx, outsidePI); err != nil {
			slog.ErrorContext(ctx, "payments: take an outside refund back from the meter", "payment_intent", outsidePI, "err", err)
		}
	}
	for _, c := range alerts {
		switch ev.Type {
		case "charge.dispute.created":
			s.alert(ctx, c, "dispute", fmt.Sprintf("Charge %s (%s) on meter %d is disputed (%s); the meter is suspended for credit abuse.",
				c.PublicID, c.PaymentIntentID, c.MeterID, c.DeclineMessage))
		case "charge.refunded":
			s.alert(ctx, c, "outside_refund", fmt.Sprintf("%s of charge %s (%s) was refunded outside Indicia (refund %s); the meter gives back what it holds, the account owes the rest, and meter %d is suspended for credit abuse.",
				money(c.Refunded), c.PublicID, c.PaymentIntentID, c.DeclineMessage, c.MeterID))
		}
	}
	for _, id := range suspend {
		if _, err := s.met.Suspend(ctx, accounts.System, id, box.ReasonCreditAbuse); err != nil {
			// The alert is stored; an admin can suspend by hand.
			slog.ErrorContext(ctx, "payments: suspend meter after dispute", "meter", id, "err", err)
		}
	}
	return res, nil
}

// bookOutside books money Stripe returned to the card without us (a refund
// in Stripe's dashboard, a dispute) once per Stripe object, in the webhook's
// transaction: a refunds row, the charge's refunded total, and a ledger
// transfer from card clearing to what the customer owes. booked is false for
// an object already booked or a payment that is not ours. The returned
// charge carries the amount in Refunded and the Stripe id in DeclineMessage.
func (s *Service) bookOutside(ctx context.Context, tx pgx.Tx, paymentIntentID, reason, stripeID string, amount int64) (Charge, bool, error) {
	var c Charge
	if amount <= 0 {
		return c, false, nil
	}
	err := tx.QueryRow(ctx, `SELECT id, public_id, account_id, meter_id FROM charges WHERE payment_intent_id = $1 AND payment_intent_id <> '' FOR UPDATE`,
		paymentIntentID).Scan(&c.ID, &c.PublicID, &c.AccountID, &c.MeterID)
	if errors.Is(err, pgx.ErrNoRows) {
		slog.WarnContext(ctx, "payments: money returned on an unknown payment", "payment_intent", paymentIntentID, "reason", reason)
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("payments: charge of %s: %w", paymentIntentID, err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO refunds (charge_id, amount, reason, idem_key, stripe_refund_id, status, created_at)
		VALUES ($1,$2,$3,$4,$5,'succeeded',$6) ON CONFLICT (idem_key) DO NOTHING`, c.ID, amount, "outside_"+reason, "stripe:"+stripeID, stripeID, s.now())
	if err != nil {
		return c, false, fmt.Errorf("payments: record %s %s: %w", reason, stripeID, err)
	}
	if tag.RowsAffected() == 0 {
		return c, false, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE charges SET refunded = refunded + $2, updated_at = $3 WHERE id = $1`, c.ID, amount, s.now()); err != nil {
		return c, false, fmt.Errorf("payments: mark charge refunded: %w", err)
	}
	// The card got the money back, so the customer owes it: their ledger
	// account goes below zero by that much.
	if err := postTransfer(ctx, tx, "outside:"+stripeID, "outside_"+reason, c.MeterID, c.ID,
		Entry{AccCardClearing, amount}, Entry{accCustomer(c.AccountID), -amount}); err != nil {
		return c, false, err
	}
	c.PaymentIntentID, c.Refunded, c.DeclineMessage = paymentIntentID, amount, stripeID
	return c, true, nil
}
