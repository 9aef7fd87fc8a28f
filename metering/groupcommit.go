package metering

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"indicia/db"
	"indicia/metering/box"
)

// Group commit across meters. Coalescing (purchase.go) makes the requests of
// one meter one group; here the groups of many meters share one database
// transaction: the meters are locked together in id order (so two servers
// never deadlock), each meter still gets its own box call (run side by side;
// the box verifies and signs every meter on its own and group-commits its
// freshness store), and everything is stored with one pipelined batch and
// one commit. A commit costs PostgreSQL far more than the rows it carries,
// so N meters per commit is what lets many distinct meters buy at once.
//
// Only the ordinary case takes this path: an active meter whose register
// covers at least one request. Anything else (a tamper hold, a suspended
// meter, a box refusal, a failed transaction) is handed back to the
// one-meter path, dispenseGroup, which locks the meter again and decides
// exactly as before: a tampered record is still refused and alerted there.
// A box call answered here and then rolled back is the case the hand-off
// protocol already covers (DESIGN.md §4): the next request presents the
// older record and the box treats the step as rolled back.

// groupJob is one meter's group waiting for a cross-meter transaction.
type groupJob struct {
	meterID int64
	group   []*pending
	done    chan struct{}
	lead    chan struct{} // closed when this job's goroutine must run a batch
	led     bool          // lead was given (under committer.mu)

	m      Meter
	pieces []box.Piece
	d      meterDispense
	err    error
	slow   bool // serve it on the one-meter path after the batch
}

// committer queues groups for the cross-meter transactions; at most
// Options.Committers batches run at once, each led by a waiting request's
// goroutine (no background workers to start or stop).
type committer struct {
	mu      sync.Mutex
	waiting []*groupJob
	running int
}

// fastPathMaxPieces bounds the pieces of a group that takes the cross-meter
// path; big batches are stored with COPY on their own.
const fastPathMaxPieces = copyThreshold

// dispense serves one meter's group, batched with other meters' groups
// when it is an ordinary purchase.
func (s *Service) dispense(ctx context.Context, meterID int64, group []*pending) {
	n := 0
	for _, p := range group {
		n += len(p.req.Pieces)
	}
	if n > fastPathMaxPieces || s.opt.Committers < 0 {
		s.dispenseGroup(ctx, meterID, group)
		return
	}
	j := &groupJob{meterID: meterID, group: group, done: make(chan struct{}), lead: make(chan struct{})}
	c := &s.cm
	c.mu.Lock()
	c.waiting = append(c.waiting, j)
	if c.running < s.opt.Committers {
		c.running++
		j.led = true
		close(j.lead)
	}
	c.mu.Unlock()
	for {
		select {
		case <-j.done:
			return
		case <-j.lead:
			s.runBatch(ctx)
			j.lead = nil // a nil channel blocks: this goroutine leads once
		}
	}
}

// runBatch takes the waiting groups (up to MaxBatchMeters), serves them, and
// passes the lead to a waiting goroutine that has none, if any.
func (s *Service) runBatch(ctx context.Context) {
	c := &s.cm
	c.mu.Lock()
	n := min(len(c.waiting), s.opt.MaxBatchMeters)
	batch := slices.Clone(c.waiting[:n])
	c.waiting = slices.Delete(c.waiting, 0, n)
	c.mu.Unlock()

	if len(batch) > 0 {
		s.dispenseMany(ctx, batch)
		for _, j := range batch {
			close(j.done)
		}
	}

	c.mu.Lock()
	next := slices.IndexFunc(c.waiting, func(j *groupJob) bool { return !j.led })
	if next >= 0 {
		c.waiting[next].led = true
		close(c.waiting[next].lead)
	} else {
		c.running--
	}
	c.mu.Unlock()
}

// dispenseMany serves the groups of several meters in one transaction and
// hands what it cannot serve to the one-meter path.
func (s *Service) dispenseMany(ctx context.Context, batch []*groupJob) {
	var served []*groupJob
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		served = served[:0]
		ids := make([]int64, 0, len(batch))
		for _, j := range batch {
			resetPending(j.group)
			j.slow, j.err, j.d = false, nil, meterDispense{}
			ids = append(ids, j.meterID)
		}
		meters, err := lockMeters(ctx, tx, ids)
		if err != nil {
			return err
		}
		var live []*groupJob
		var kg []keyedGroup
		for _, j := range batch {
			m, ok := meters[j.meterID]
			if !ok || m.TamperHold != "" || m.Record.Status != box.StatusActive {
				j.slow = true
				continue
			}
			j.m = m
			live = append(live, j)
			kg = append(kg, keyedGroup{m.Record.AccountID, j.group})
		}
		if err := s.resolveKeys(ctx, tx, kg); err != nil {
			return err
		}
		var calls []*groupJob
		for _, j := range live {
			var accepted []*pending
			accepted, j.pieces = allocate(j.m, j.group)
			if len(accepted) == 0 {
				j.slow = true // every request refused: the one-meter path verifies the record
				continue
			}
			j.d = meterDispense{m: j.m, accepted: accepted}
			calls = append(calls, j)
		}
		var wg sync.WaitGroup
		for _, j := range calls {
			wg.Go(func() { j.d.res, j.err = s.box.Dispense(ctx, j.m.Record, j.pieces) })
		}
		wg.Wait()
		var ds []*meterDispense
		for _, j := range calls {
			if j.err != nil {
				j.slow = true
				continue
			}
			served = append(served, j)
			ds = append(ds, &j.d)
		}
		if len(ds) == 0 {
			return nil
		}
		return s.storeDispenses(ctx, tx, ds)
	})
	if err != nil {
		slog.WarnContext(ctx, "metering: cross-meter dispense failed; serving each meter on its own", "meters", len(batch), "err", err)
		for _, j := range batch {
			j.slow = true
		}
		served = nil
	}
	if len(served) > 0 && s.opt.OnBatch != nil {
		n := 0
		for _, j := range served {
			n += len(j.d.res.Pieces)
		}
		s.opt.OnBatch(len(served), n)
	}
	var wg sync.WaitGroup
	for _, j := range served {
		wg.Go(func() {
			s.commitBox(ctx, j.d.res.Record)
			s.finish(ctx, j.meterID, j.group, nil, j.d.res.Record)
		})
	}
	for _, j := range batch {
		if j.slow {
			wg.Go(func() { s.dispenseGroup(ctx, j.meterID, j.group) })
		}
	}
	wg.Wait()
}

// lockMeters locks several meters in id order and returns them by id.
func lockMeters(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]Meter, error) {
	rows, err := tx.Query(ctx, `SELECT `+meterColumns+` FROM meters WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("metering: lock meters: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meter, error) { return scanMeter(r) })
	if err != nil {
		return nil, fmt.Errorf("metering: lock meters: %w", err)
	}
	out := make(map[int64]Meter, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}
