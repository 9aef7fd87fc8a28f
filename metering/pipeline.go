package metering

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/metering/box"
)

// Pipelined purchases on one meter. Coalescing makes the requests of a busy
// meter one group per box call and commit, but the groups of one meter used
// to run strictly one after the other: lock, box, store and commit, then
// the next group. Now a group whose box step has answered publishes its new
// record as the meter's flight and hands the lead on at once; the next group
// asks the box for a step chained on that record (box.DispenseChained) while
// the first one stores and commits. Once the first one has committed, the
// next locks the row, checks that it holds the record its step was built on,
// confirms the step with the box under that lock (box.Confirm), publishes its
// own flight and stores. At most two steps of a meter are pending in the box.
//
// Anything out of the ordinary goes back to the ordinary path, which locks
// first and decides as before: a previous group that failed, a row that is
// not the expected record, a box that answers stale, a request with an
// idempotency key (looking keys up needs the transaction), a meter under a
// tamper hold. The box's rules for chained steps (metering/box/chained.go)
// make a step discarded before its confirmation fail that confirmation, so
// the database never stores a step the box forgot.

// flight is the meter's latest record as far as this process knows: the
// record of a group whose box step answered (its commit may still be open),
// which the next group of the meter chains on.
type flight struct {
	m Meter
}

// handoff is one group's hold on its meter's lead: it is passed to the next
// waiter once, at publish or at release, whichever comes first.
type handoff struct {
	s       *Service
	meterID int64
	q       *meterQueue
	handed  bool
	fl      *flight
}

// publish makes m (carrying the group's new record) the meter's flight and
// hands the lead on, so the next group is signed while this one commits.
func (h *handoff) publish(m Meter) {
	if h == nil || h.s.opt.NoPipeline {
		return
	}
	fl := &flight{m: m}
	h.s.mu.Lock()
	h.q.flight = fl
	if !h.handed && len(h.q.waiting) > 0 {
		h.handed = true
		close(h.q.waiting[0].lead)
	}
	h.s.mu.Unlock()
	h.fl = fl
}

// settle records whether the published flight's commit succeeded. A
// committed record stays the meter's flight while the meter is busy, so the
// next group can still chain on it; a failed one is forgotten.
func (h *handoff) settle(ok bool) {
	if h == nil || h.fl == nil {
		return
	}
	if !ok {
		h.s.mu.Lock()
		if h.q.flight == h.fl {
			h.q.flight = nil
		}
		h.s.mu.Unlock()
	}
	h.fl = nil
}

// release ends the group's hold: the lead goes to the next waiter unless
// publish already passed it on.
func (h *handoff) release() {
	h.settle(false) // every path settles before; this only guards a forgotten one
	s, q := h.s, h.q
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.handed {
		return
	}
	h.handed = true
	if len(q.waiting) > 0 {
		close(q.waiting[0].lead)
		return
	}
	q.running = false
	if s.queues[h.meterID] == q {
		delete(s.queues, h.meterID)
	}
}

var errChainBroken = errors.New("metering: the meter row is not the record the chained step was built on")

// chainable reports whether a group may take the pipelined path.
func (s *Service) chainable(group []*pending) bool {
	if s.opt.NoPipeline || s.opt.Committers < 0 || s.noChain.Load() {
		return false
	}
	n := 0
	for _, p := range group {
		if p.req.IdempotencyKey != "" {
			return false
		}
		n += len(p.req.Pieces)
	}
	return n <= fastPathMaxPieces
}

// dispenseChained serves a group on the step the previous group of the
// meter is committing. It reports false, having stored nothing, when the
// group must take the ordinary path instead.
func (s *Service) dispenseChained(ctx context.Context, group []*pending, prev *flight, h *handoff) bool {
	if !s.chainable(group) {
		return false
	}
	resetPending(group)
	m := prev.m
	for _, p := range group {
		if p.actor.AccountID != m.Record.AccountID {
			p.err = apperr.NotFound("No such meter.")
		}
	}
	accepted, pieces := allocate(m, group)
	if len(accepted) == 0 || m.TamperHold != "" || m.Record.Status != box.StatusActive {
		return false // refusals are decided on the stored record
	}
	res, err := s.box.DispenseChained(ctx, m.Record, pieces)
	if err != nil {
		if !errors.Is(err, box.ErrStale) {
			if isUnknownOp(err) {
				s.noChain.Store(true) // a box older than pipelining: never ask again
			}
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
	s.storeRowsOf([]*meterDispense{d}).queue(b)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		t.abort(ctx)
		return err
	}
	return t.commitWith(ctx, &pgx.Batch{})
}

// isUnknownOp reports the box's answer to an operation it does not know.
func isUnknownOp(err error) bool {
	return errors.Is(err, box.ErrBadRequest) && strings.Contains(err.Error(), "unknown operation")
}
