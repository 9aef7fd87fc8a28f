package metering

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/box"
)

// Debit reasons: money that left us outside the meter and is taken back out
// of it.
const (
	DebitOutsideRefund = "outside_refund"  // a refund made in Stripe's dashboard
	DebitDispute       = "outside_dispute" // a card dispute
)

// Debited is what a debit took: Amount out of the meter (at most what its
// descending register held), of Requested.
type Debited struct {
	Meter     Meter
	Amount    int64
	Requested int64
}

// errDebitDone stops a debit whose transfer is already stored; errNothingHeld
// one on a meter with an empty register. Neither asks the box.
var (
	errDebitDone   = errors.New("metering: debit already stored")
	errNothingHeld = errors.New("metering: nothing to debit")
)

// Debit takes up to amount out of the meter's descending register: the box
// lowers it in one signed step and the transaction box signs the transfer
// (stored with a negative amount), both in one transaction under the meter's
// row lock, like a credit. It takes what the register holds when that is
// less; the caller keeps the rest as owed. transferID makes it idempotent:
// a repeat, or a concurrent twin that waited for the lock, takes nothing
// more and answers what the first one took.
func (s *Service) Debit(ctx context.Context, actor accounts.User, meterID, amount int64, reason, transferID string) (Debited, error) {
	if actor.Role != accounts.RoleAdmin && actor.Role != accounts.RoleSystem {
		return Debited{}, apperr.Forbidden("Only vendor admins and the system debit meters.")
	}
	if amount <= 0 || amount > MaxCredit {
		return Debited{}, apperr.Invalid("amount", "Enter an amount between $0.01 and $10,000,000.00.")
	}
	if transferID == "" || len(transferID) > 128 {
		return Debited{}, apperr.Invalid("transfer_id", "A debit needs a transfer ID of 1 to 128 characters.")
	}
	if d, ok, err := s.debitDone(ctx, meterID, amount, transferID); ok || err != nil {
		return d, err
	}
	var take int64
	m, err := s.apply(ctx, meterID, func(ctx context.Context, m Meter) (box.Record, []box.TxRecord, error) {
		// The row lock is held: a twin that debited first has committed,
		// so its transfer is visible now.
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM funds_transfers WHERE transfer_id = $1`, transferID).Scan(&n); err != nil {
			return box.Record{}, nil, fmt.Errorf("metering: check debit: %w", err)
		}
		if n > 0 {
			return box.Record{}, nil, errDebitDone
		}
		take = min(amount, m.Record.DR)
		if take <= 0 {
			return box.Record{}, nil, errNothingHeld
		}
		rec, t, err := s.box.Debit(ctx, m.Record, take, transferID)
		return rec, []box.TxRecord{t}, err
	}, func(tx pgx.Tx, m Meter, rec box.Record) error {
		return s.recordTransfer(ctx, tx, actor, m, -take, reason, transferID)
	})
	switch {
	case errors.Is(err, errDebitDone):
		d, _, err := s.debitDone(ctx, meterID, amount, transferID)
		return d, err
	case errors.Is(err, errNothingHeld):
		m, err := s.Meter(ctx, accounts.System, meterID)
		return Debited{Meter: m, Requested: amount}, err
	case err != nil:
		return Debited{}, err
	}
	return Debited{Meter: m, Amount: take, Requested: amount}, nil
}

// debitDone answers a debit whose transfer is already stored (ok), or
// refuses the same transfer ID used for something else.
func (s *Service) debitDone(ctx context.Context, meterID, amount int64, transferID string) (Debited, bool, error) {
	var doneMeter, doneAmount int64
	err := s.pool.QueryRow(ctx, `SELECT meter_id, amount FROM funds_transfers WHERE transfer_id = $1`, transferID).Scan(&doneMeter, &doneAmount)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Debited{}, false, nil
	case err != nil:
		return Debited{}, false, fmt.Errorf("metering: check debit: %w", err)
	case doneMeter != meterID || doneAmount >= 0 || -doneAmount > amount:
		return Debited{}, false, apperr.Conflict("transfer_id", fmt.Sprintf("Transfer ID %q was already used for a different transfer. Use a new transfer ID for a new debit.", transferID))
	}
	m, err := s.Meter(ctx, accounts.System, meterID)
	if err != nil {
		return Debited{}, false, err
	}
	return Debited{Meter: m, Amount: -doneAmount, Requested: amount}, true, nil
}
