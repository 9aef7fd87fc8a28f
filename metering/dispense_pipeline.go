package metering

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/metering/box"
)

// Pipelined purchases on one meter. Coalescing makes the requests of a busy
// meter one group per box call and commit; run strictly one after the other
// (lock, box, store and commit, then the next group), the groups would leave
// the box idle while PostgreSQL stores and PostgreSQL idle while the box
// signs. So a group whose box step has answered publishes its new record as
// the meter's flight and hands the lead on at once (handoff.go); the next
// group asks the box for a step chained on that record (box.DispenseChained)
// while the first one stores and commits. Once the first one has committed,
// the next locks the row, checks that it holds the record its step was built
// on, confirms the step with the box under that lock (box.Confirm), publishes
// its own flight and stores. At most two steps of a meter are pending in the
// box.
//
// Which groups may be pipelined, and where the others go, is decided by
// chooseStrategy (dispense.go). The box's rules for chained steps
// (metering/box/chained.go) make a step discarded before its confirmation
// fail that confirmation, so the database never stores a step the box forgot.

var errChainBroken = errors.New("metering: the meter row is not the record the chained step was built on")

// dispensePipelined serves a group on the step the previous group of the
// meter is committing (chooseStrategy decided it may). It reports false,
// having stored nothing, when the group must take the ordinary path instead.
func (s *Service) dispensePipelined(ctx context.Context, g meterGroup) bool {
	group, h := g.reqs, g.h
	resetPending(group)
	m := g.prev.m
	for _, p := range group {
		if p.actor.AccountID != m.Record.AccountID {
			p.err = apperr.NotFound("No such meter.")
		}
	}
	accepted, pieces := allocate(m, group)
	if len(accepted) == 0 {
		return false // refusals are decided on the stored record
	}
	res, err := s.box.DispenseChained(ctx, m.Record, pieces)
	if err != nil {
		if !errors.Is(err, box.ErrStale) {
			slog.WarnContext(ctx, "metering: chained dispense refused; taking the ordinary path", "serial", m.Record.Serial, "err", err)
		}
		return false
	}
	d := &meterDispense{m: m, accepted: accepted, res: res}
	err = s.storeChained(ctx, d, h)
	h.settle(err == nil)
	if err != nil {
		if !errors.Is(err, errChainBroken) && !errors.Is(err, box.ErrStale) {
			slog.WarnContext(ctx, "metering: chained dispense not stored; taking the ordinary path", "serial", m.Record.Serial, "err", err)
		}
		return false
	}
	if s.opt.OnChained != nil {
		s.opt.OnChained(len(res.Pieces))
	}
	// The box commit is off the critical path: the meter's next step
	// presents or confirms this record anyway, which commits it too.
	go s.commitBox(context.WithoutCancel(ctx), res.Record)
	s.finish(ctx, m.ID, group, nil, res.Record)
	return true
}

// storeChained stores a chained step in one transaction of two round trips.
// The first sends BEGIN, the row lock and the store statements together
// (the lock waits for the previous group's commit; PostgreSQL answers the
// whole batch at once). The row is then checked to be the record the step
// was built on and the step confirmed with the box, still under the lock,
// and the new record is published for the next group. The second round trip
// is COMMIT, sent only once the confirmation came back; a failed check or
// confirmation rolls the rows back.
func (s *Service) storeChained(ctx context.Context, d *meterDispense, h *handoff) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("metering: store chained step: %w", err)
	}
	t := &pipeTx{conn: conn}
	next := d.res.Record
	checked := errChainBroken // until the row is seen and the step confirmed
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(lockMetersSQL, []int64{d.m.ID}).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			row, err := scanMeter(rows)
			if err != nil {
				return err
			}
			if row.TamperHold != "" || row.Record.Counter != d.m.Record.Counter ||
				row.Record.Hash() != d.m.Record.Hash() || !bytes.Equal(row.Record.MAC, d.m.Record.MAC) {
				return errChainBroken
			}
			// Under the lock: from here no other caller can make the box
			// drop the step before this transaction ends.
			if err := s.box.Confirm(ctx, next.Serial, next.Counter, next.Hash()); err != nil {
				return fmt.Errorf("metering: confirm chained step: %w", err)
			}
			checked = nil
			published := row
			published.Record = next
			h.publish(published)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return checked
	})
	r := s.storeRowsOf([]*meterDispense{d})
	if err := s.assignTracking(ctx, r, []*meterDispense{d}); err != nil {
		t.abort(ctx)
		return err
	}
	r.queue(b)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		t.abort(ctx)
		return err
	}
	return t.commitWith(ctx, &pgx.Batch{})
}
