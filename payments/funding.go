package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// Funding modes.
const (
	ModePrepaid = "prepaid"
	ModeTrickle = "trickle"
)

// Funding is how one meter is paid for.
type Funding struct {
	MeterID         int64
	Mode            string
	RefillAmount    int64 // 0: no auto-refill
	RefillThreshold int64
	RefillDailyCap  int64
}

// AutoRefill reports whether auto-refill is on.
func (f Funding) AutoRefill() bool { return f.Mode == ModePrepaid && f.RefillAmount > 0 }

// FundingOf returns a meter's funding (prepaid without auto-refill when never set).
func (s *Service) FundingOf(ctx context.Context, meterID int64) (Funding, error) {
	f := Funding{MeterID: meterID, Mode: ModePrepaid}
	err := s.pool.QueryRow(ctx, `SELECT mode, refill_amount, refill_threshold, refill_daily_cap FROM meter_funding WHERE meter_id = $1`, meterID).
		Scan(&f.Mode, &f.RefillAmount, &f.RefillThreshold, &f.RefillDailyCap)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("payments: load funding of meter %d: %w", meterID, err)
	}
	return f, nil
}

// SetFunding changes a meter's funding mode and auto-refill.
func (s *Service) SetFunding(ctx context.Context, actor accounts.User, f Funding) error {
	if err := fundsManager(actor); err != nil {
		return err
	}
	if _, err := s.met.Meter(ctx, actor, f.MeterID); err != nil {
		return err
	}
	switch {
	case f.Mode != ModePrepaid && f.Mode != ModeTrickle:
		return apperr.Invalid("mode", "Choose trickle or prepaid.")
	case f.Mode == ModeTrickle:
		f.RefillAmount, f.RefillThreshold, f.RefillDailyCap = 0, 0, 0
	case f.RefillAmount != 0 && f.RefillAmount < s.opt.MinTopUp:
		return apperr.Invalid("refill_amount", fmt.Sprintf("The refill amount must be at least %s.", money(s.opt.MinTopUp)))
	case f.RefillAmount < 0 || f.RefillThreshold < 0 || f.RefillDailyCap < 0:
		return apperr.Invalid("refill_amount", "Amounts cannot be negative.")
	case f.RefillAmount > 0 && f.RefillDailyCap < f.RefillAmount:
		return apperr.Invalid("refill_daily_cap", "The daily cap must allow at least one refill.")
	}
	if f.Mode == ModeTrickle || f.RefillAmount > 0 {
		c, err := s.cardOf(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		if !c.HasCard() {
			return apperr.Invalid("mode", "Add a card first: trickle charging and auto-refill charge it.")
		}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO meter_funding (meter_id, mode, refill_amount, refill_threshold, refill_daily_cap, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (meter_id) DO UPDATE SET mode=$2, refill_amount=$3, refill_threshold=$4, refill_daily_cap=$5, updated_at=$6`,
		f.MeterID, f.Mode, f.RefillAmount, f.RefillThreshold, f.RefillDailyCap, s.now())
	if err != nil {
		return fmt.Errorf("payments: set funding of meter %d: %w", f.MeterID, err)
	}
	s.funding.clear()
	return nil
}

// money formats cents for messages ($1,234.56).
func money(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	d := fmt.Sprint(c / 100)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, d, c%100)
}
