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
	if err := fundsManager(actor); err != nil {
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
		// Charges first, balance second: a refill's credit commits before its
		// charge is marked done, so a refill seen finished here is already in
		// the balance read after it, and one seen in flight stops this one.
		var today int64
		var inFlight bool
		dayStart := s.now().Truncate(24 * time.Hour)
		if err := tx.QueryRow(ctx, `SELECT
				EXISTS(SELECT 1 FROM charges WHERE meter_id = $1 AND kind = 'refill' AND status IN ('staged','unknown','charged','credited','refunding')),
				coalesce((SELECT sum(amount) FROM charges WHERE meter_id = $1 AND kind = 'refill' AND created_at >= $2 AND status NOT IN ('declined','refunded')), 0)::bigint`,
			meterID, dayStart).Scan(&inFlight, &today); err != nil {
			return fmt.Errorf("payments: refills of meter %d: %w", meterID, err)
		}
		m, err := metering.MeterStateOf(ctx, tx, meterID)
		if err != nil {
			return fmt.Errorf("payments: %w", err)
		}
		dr, accountID, status := m.DR, m.AccountID, m.Status
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
	type candidate struct{ meterID, threshold int64 }
	rows, err := s.pool.Query(ctx, `SELECT meter_id, refill_threshold FROM meter_funding WHERE mode = 'prepaid' AND refill_amount > 0 ORDER BY meter_id`)
	if err != nil {
		return 0, fmt.Errorf("payments: refill sweep: %w", err)
	}
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
		var c candidate
		err := r.Scan(&c.meterID, &c.threshold)
		return c, err
	})
	if err != nil {
		return 0, fmt.Errorf("payments: refill sweep: %w", err)
	}
	all := make([]int64, len(cands))
	for i, c := range cands {
		all[i] = c.meterID
	}
	meters, err := metering.MeterStates(ctx, s.pool, all)
	if err != nil {
		return 0, fmt.Errorf("payments: refill sweep: %w", err)
	}
	var ids []int64
	for _, c := range cands {
		if m, ok := meters[c.meterID]; ok && m.DR < c.threshold && m.Status == "active" {
			ids = append(ids, c.meterID)
		}
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
