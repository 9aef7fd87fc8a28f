package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering"
	"indicia/metering/box"
)

// TopUp charges the card and credits the meter (prepaid funding).
func (s *Service) TopUp(ctx context.Context, actor accounts.User, meterID, amount int64, clientKey string) (Charge, error) {
	if err := ownerOnly(actor); err != nil {
		return Charge{}, err
	}
	if amount < s.opt.MinTopUp || amount > metering.MaxCredit {
		return Charge{}, apperr.Invalid("amount", fmt.Sprintf("Top up at least %s.", money(s.opt.MinTopUp)))
	}
	m, err := s.met.Meter(ctx, actor, meterID)
	if err != nil {
		return Charge{}, err
	}
	if m.Record.AccountID != actor.AccountID {
		return Charge{}, apperr.NotFound("No such meter.")
	}
	// Refuse before charging what the meter would refuse to credit (the
	// charge would only be refunded again).
	switch {
	case m.Record.Status == box.StatusRetired:
		return Charge{}, apperr.Conflict("amount", fmt.Sprintf("Meter %s is retired and cannot take funds. Nothing was charged.", m.Record.Serial))
	case m.TamperHold != "":
		return Charge{}, apperr.Conflict("amount", fmt.Sprintf("Meter %s is held after a tamper alert and cannot take funds until the vendor releases it. Nothing was charged.", m.Record.Serial))
	}
	card, err := s.cardOf(ctx, actor.AccountID)
	if err != nil {
		return Charge{}, err
	}
	if !card.HasCard() {
		return Charge{}, apperr.Payment("no_card", "Add a card first.")
	}
	c, existing, err := s.stage(ctx, Charge{AccountID: actor.AccountID, MeterID: meterID, UserID: actor.ID, Kind: KindTopUp,
		Amount: amount, CustomerID: card.CustomerID, PaymentMethodID: card.PaymentMethodID, CardBrand: card.Brand, CardLast4: card.Last4}, clientKey)
	if err != nil {
		return c, err
	}
	if existing && (c.Status == StatusDone || c.Status == StatusDeclined) {
		if c.Status == StatusDeclined {
			return c, declineError(c)
		}
		return c, nil
	}
	return s.run(ctx, actor, c)
}

// MaybeRefill charges the meter's auto-refill when its descending register is
// below the threshold and today's cap allows; concurrent callers fire it once.
// Without auto-refill (or when it fails) it sends the low-balance email.
func (s *Service) MaybeRefill(ctx context.Context, meterID int64) (bool, error) {
	f, err := s.FundingOf(ctx, meterID)
	if err != nil || f.Mode != ModePrepaid {
		return false, err
	}
	var c Charge
	staged := false
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		staged = false
		// The funding row lock serializes every refill decision for this meter.
		err := tx.QueryRow(ctx, `SELECT refill_amount, refill_threshold, refill_daily_cap FROM meter_funding WHERE meter_id = $1 AND mode = 'prepaid' FOR UPDATE`,
			meterID).Scan(&f.RefillAmount, &f.RefillThreshold, &f.RefillDailyCap)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("payments: lock funding of meter %d: %w", meterID, err)
		}
		// One statement, one snapshot: a refill's credit commits before its
		// charge is marked done, so a snapshot sees it either in flight or
		// credited, never finished with the old balance.
		var dr, accountID, today int64
		var status string
		var inFlight bool
		dayStart := s.now().Truncate(24 * time.Hour)
		if err := tx.QueryRow(ctx, `SELECT m.dr, m.account_id, m.status,
				EXISTS(SELECT 1 FROM charges WHERE meter_id = m.id AND kind = 'refill' AND status IN ('staged','unknown','charged','credited','refunding')),
				coalesce((SELECT sum(amount) FROM charges WHERE meter_id = m.id AND kind = 'refill' AND created_at >= $2 AND status NOT IN ('declined','refunded')), 0)::bigint
			FROM meters m WHERE m.id = $1`, meterID, dayStart).Scan(&dr, &accountID, &status, &inFlight, &today); err != nil {
			return fmt.Errorf("payments: read meter %d: %w", meterID, err)
		}
		if dr >= f.RefillThreshold || status != "active" || f.RefillAmount == 0 {
			return nil
		}
		if inFlight || today+f.RefillAmount > f.RefillDailyCap {
			return nil
		}
		card, err := s.cardOf(ctx, accountID)
		if err != nil || !card.HasCard() {
			return err
		}
		now := s.now()
		c = Charge{PublicID: "ch_" + publicID(), AccountID: accountID, MeterID: meterID, Kind: KindRefill, Status: StatusStaged, Amount: f.RefillAmount,
			CustomerID: card.CustomerID, PaymentMethodID: card.PaymentMethodID, CardBrand: card.Brand, CardLast4: card.Last4}
		c.IdemKey = "indicia-" + c.PublicID
		err = tx.QueryRow(ctx, `INSERT INTO charges (public_id, account_id, meter_id, kind, status, idem_key, postage, fee, amount, customer_id,
			payment_method_id, card_brand, card_last4, created_at, updated_at) VALUES ($1,$2,$3,'refill','staged',$4,0,0,$5,$6,$7,$8,$9,$10,$10) RETURNING id`,
			c.PublicID, accountID, meterID, c.IdemKey, c.Amount, c.CustomerID, c.PaymentMethodID, c.CardBrand, c.CardLast4, now).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("payments: stage refill: %w", err)
		}
		staged = true
		return nil
	})
	if err != nil {
		return false, err
	}
	if !staged {
		s.lowBalanceCheck(ctx, meterID, f)
		return false, nil
	}
	c, err = s.run(ctx, accounts.System, c)
	if err != nil {
		s.notify(ctx, meterID, "refill_failed", "Auto-refill failed",
			fmt.Sprintf("The auto-refill of %s for your meter could not be charged: %v\nAdd funds or update your card on the billing page.", money(c.Amount), err))
		return true, err
	}
	return true, nil
}

// RefillSweep runs MaybeRefill on every prepaid meter with auto-refill whose
// balance is below its threshold (the worker's safety net beside the check
// after each purchase). It returns how many refills fired.
func (s *Service) RefillSweep(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT f.meter_id FROM meter_funding f JOIN meters m ON m.id = f.meter_id
		WHERE f.mode = 'prepaid' AND f.refill_amount > 0 AND m.dr < f.refill_threshold AND m.status = 'active'`)
	if err != nil {
		return 0, fmt.Errorf("payments: refill sweep: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("payments: refill sweep: %w", err)
	}
	n := 0
	for _, id := range ids {
		fired, err := s.MaybeRefill(ctx, id)
		if fired && err == nil {
			n++
		}
	}
	return n, nil
}
