package metering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
)

// step is one box operation on a locked meter: it returns the new record and
// its transaction records, or an error. after runs in the same transaction.
type step func(ctx context.Context, m Meter) (box.Record, []box.TxRecord, error)

// apply runs one box operation with the hand-off protocol: lock the row, ask
// the box, store its answer and commit, then tell the box to commit too.
func (s *Service) apply(ctx context.Context, meterID int64, op step, after func(pgx.Tx, Meter, box.Record) error) (Meter, error) {
	var out Meter
	var tamper *box.TamperError
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := lockMeter(ctx, tx, meterID)
		if err != nil {
			return err
		}
		if m.TamperHold != "" {
			return errTamperHold(m)
		}
		rec, txs, err := op(ctx, m)
		if err != nil {
			if errors.As(err, &tamper) {
				return err
			}
			return boxError(err)
		}
		now := s.now()
		if err := storeRecord(ctx, tx, m.ID, rec, now); err != nil {
			return err
		}
		if err := insertTxRecords(ctx, tx, m.ID, txs); err != nil {
			return err
		}
		if after != nil {
			if err := after(tx, m, rec); err != nil {
				return err
			}
		}
		m.Record, m.UpdatedAt = rec, now
		out = m
		return nil
	})
	if tamper != nil {
		s.raiseTamper(ctx, meterID, tamper)
		return Meter{}, tamperRefusal()
	}
	if err != nil {
		return Meter{}, err
	}
	s.commitBox(ctx, out.Record)
	return out, nil
}

// commitBox tells the box the database committed. A failure here is safe: the
// next operation on the meter presents the new record and the box commits then.
func (s *Service) commitBox(ctx context.Context, rec box.Record) {
	if err := s.box.Commit(ctx, rec.Serial, rec.Counter); err != nil {
		slog.WarnContext(ctx, "metering: box commit deferred to the next operation", "serial", rec.Serial, "counter", rec.Counter, "err", err)
	}
}

func errTamperHold(m Meter) error {
	return apperr.Conflict("meter", fmt.Sprintf("Meter %s is suspended after a tamper alert; a vendor admin must investigate it.", m.Record.Serial))
}

func tamperRefusal() error {
	return &apperr.Error{Kind: apperr.KindConflict, Code: "tamper", Field: "meter",
		Message: "The meter record failed its security check. Nothing was dispensed; the meter is suspended and the vendor has been alerted."}
}

// boxError turns the box's refusals into errors a person understands.
func boxError(err error) error {
	switch {
	case errors.Is(err, box.ErrInsufficientFunds):
		return &apperr.Error{Kind: apperr.KindPayment, Code: "insufficient_funds", Field: "postage",
			Message: "The meter does not hold enough postage for this. Add funds and try again.", Err: err}
	case errors.Is(err, box.ErrMeterNotActive):
		return &apperr.Error{Kind: apperr.KindConflict, Code: "meter_not_active", Field: "meter",
			Message: "This meter is not active, so it cannot do that.", Err: err}
	case errors.Is(err, box.ErrBadRequest):
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid", Message: cleanBoxMessage(err), Err: err}
	case errors.Is(err, box.ErrUnavailable):
		return apperr.Unavailable("Metering unavailable: too few secure boxes answer to dispense safely. Nothing was charged or dispensed; please try again later.", err)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return apperr.Unavailable("The secure box did not answer. Nothing was charged or dispensed; please try again.", err)
}

func cleanBoxMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"box: bad request: ", "box: "} {
		if i := len(p); len(msg) > i && msg[:i] == p {
			msg = msg[i:]
		}
	}
	return msg
}
