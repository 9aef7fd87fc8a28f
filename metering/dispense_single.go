package metering

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"indicia/db"
	"indicia/metering/box"
)

// dispenseSingle serves one meter's group in its own transaction: lock the
// meter, decide the requests in arrival order, one box call, store
// everything, commit, box commit. It is the path that decides every unusual
// case, so the other strategies hand it what they cannot serve (dispense.go).
func (s *Service) dispenseSingle(ctx context.Context, meterID int64, group []*pending) {
	var tamper *box.TamperError
	var d meterDispense
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		resetPending(group)
		m, err := lockMeter(ctx, tx, meterID)
		if err != nil {
			return err
		}
		if m.TamperHold != "" {
			return errTamperHold(m)
		}
		if m.Record.Status != box.StatusActive {
			return s.refuse(ctx, m, &tamper, boxError(box.ErrMeterNotActive))
		}
		if err := s.resolveKeys(ctx, tx, []keyedGroup{{m.Record.AccountID, group}}); err != nil {
			return err
		}
		accepted, pieces := allocate(m, group)
		if len(accepted) == 0 {
			// Refusals were decided on the stored record: make sure it is genuine.
			return s.refuse(ctx, m, &tamper, nil)
		}
		d = meterDispense{m: m, accepted: accepted}
		if cb := s.chunkedBoxFor(ctx, len(pieces)); cb != nil {
			err := s.dispenseChunked(ctx, tx, cb, &d, pieces)
			if berr, ok := isChunkedBoxErr(err); ok {
				if errors.As(berr, &tamper) {
					return berr
				}
				return boxError(berr)
			}
			return err
		}
		d.res, err = s.box.Dispense(ctx, m.Record, pieces)
		if err != nil {
			if errors.As(err, &tamper) {
				return err
			}
			return boxError(err)
		}
		return s.storeDispenses(ctx, tx, []*meterDispense{&d})
	})
	switch {
	case tamper != nil:
		s.raiseTamper(ctx, meterID, tamper)
		err = tamperRefusal()
	case err == nil && len(d.accepted) > 0:
		s.commitBox(ctx, d.res.Record)
	}
	s.finish(ctx, meterID, group, err, d.res.Record)
}
