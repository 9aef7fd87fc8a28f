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
			var ch stripe.Charge
			if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
				return fmt.Errorf("payments: decode %s: %w", ev.Type, err)
			}
			pi := ""
			if ch.PaymentIntent != nil {
				pi = ch.PaymentIntent.ID
			}
			var recorded int64
			err := tx.QueryRow(ctx, `SELECT coalesce(sum(refunded), 0)::bigint FROM charges WHERE payment_intent_id = $1`, pi).Scan(&recorded)
			if err != nil {
				return err
			}
			if recorded != ch.AmountRefunded {
				// Our own refund's event can arrive before we record it; a
				// refund made in Stripe's dashboard shows up here for good.
				slog.InfoContext(ctx, "payments: Stripe refund total differs from ours", "payment_intent", pi,
					"stripe_refunded", ch.AmountRefunded, "recorded", recorded)
			}
			return nil
		case "charge.dispute.created":
			var d stripe.Dispute
			if err := json.Unmarshal(ev.Data.Raw, &d); err != nil {
				return fmt.Errorf("payments: decode %s: %w", ev.Type, err)
			}
			pi := ""
			if d.PaymentIntent != nil {
				pi = d.PaymentIntent.ID
			}
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
			return nil
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	for _, c := range alerts {
		if ev.Type == "charge.dispute.created" {
			s.alert(ctx, c, "dispute", fmt.Sprintf("Charge %s (%s) on meter %d is disputed (%s); the meter is suspended for credit abuse.",
				c.PublicID, c.PaymentIntentID, c.MeterID, c.DeclineMessage))
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
