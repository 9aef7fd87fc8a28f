package metering

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"indicia/metering/box"
)

// Group commit across meters. Coalescing (coalesce.go) makes the requests of
// one meter one group; here the groups of many meters share one database
// transaction: the meters are locked together in id order (so two servers
// never deadlock), all meters are dispensed in one box request (the box
// verifies and signs every meter on its own, side by side, and group-commits
// its freshness store), everything is stored with one pipelined batch and
// one commit, and one more box request commits every meter. A commit costs
// PostgreSQL far more than the rows it carries, so N meters per commit is
// what lets many distinct meters buy at once; one box request per commit
// spares the box and serve the per-call cost (socket, gob, goroutines).
//
// Only the ordinary case takes this path (chooseStrategy, dispense.go), and
// a group it cannot serve (a tamper hold, a suspended meter, every request
// refused, a box refusal, a failed transaction) is handed back to the
// one-meter path, dispenseSingle, which locks the meter again and decides
// on the locked row: a tampered record is refused and alerted there.
// A box call answered here and then rolled back is the case the hand-off
// protocol already covers: the next request presents the older record and
// the box treats the step as rolled back.

// groupJob is one meter's group waiting for a cross-meter transaction.
type groupJob struct {
	meterID int64
	group   []*pending
	h       *handoff // publishes the new record once the box answered (nil: never)
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

// dispenseGroupCommit serves one meter's group in a cross-meter
// transaction, with the groups of other meters waiting at the same time.
func (s *Service) dispenseGroupCommit(ctx context.Context, g meterGroup) {
	j := &groupJob{meterID: g.meterID, group: g.reqs, h: g.h, done: make(chan struct{}), lead: make(chan struct{})}
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
	err := func() error {
		ids := make([]int64, 0, len(batch))
		for _, j := range batch {
			resetPending(j.group)
			j.slow, j.err, j.d = false, nil, meterDispense{}
			ids = append(ids, j.meterID)
		}
		tx, meters, err := beginLocked(ctx, s.pool, ids)
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
			tx.abort(ctx)
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
		s.dispenseBox(ctx, calls)
		var ds []*meterDispense
		for _, j := range calls {
			if j.err != nil {
				j.slow = true
				continue
			}
			served = append(served, j)
			ds = append(ds, &j.d)
			published := j.m
			published.Record = j.d.res.Record
			j.h.publish(published) // the meter's next group signs while this transaction stores
		}
		b := &pgx.Batch{}
		if len(ds) > 0 {
			r := s.storeRowsOf(ds)
			if err := s.assignTracking(ctx, r, ds); err != nil {
				tx.abort(ctx) // else the connection stays checked out, inside the transaction
				return err
			}
			r.queue(b)
		}
		return tx.commitWith(ctx, b)
	}()
	for _, j := range batch {
		j.h.settle(err == nil && !j.slow)
	}
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
	if len(served) > 0 {
		wg.Go(func() {
			s.commitBoxMany(ctx, served)
			for _, j := range served {
				wg.Go(func() { s.finish(ctx, j.meterID, j.group, nil, j.d.res.Record) })
			}
		})
	}
	for _, j := range batch {
		if j.slow {
			wg.Go(func() { s.dispenseSingle(ctx, j.meterID, j.group) })
		}
	}
	wg.Wait()
}

// dispenseBox dispenses on every job's meter, one box request per chunk
// (one in all but outsized batches), and sets each job's result or error.
// A failed request fails each of its jobs, which the one-meter path then
// serves as it would any other box error.
func (s *Service) dispenseBox(ctx context.Context, jobs []*groupJob) {
	for _, chunk := range chunkJobs(jobs) {
		items := make([]box.DispenseItem, len(chunk))
		for i, j := range chunk {
			items[i] = box.DispenseItem{Record: j.m.Record, Pieces: j.pieces}
		}
		res, err := s.box.DispenseMany(ctx, items)
		for i, j := range chunk {
			if err != nil {
				j.err = err
				continue
			}
			j.d.res, j.err = res[i].Result, res[i].Err
		}
	}
}

// chunkJobs splits jobs into runs within the box's many-meter limits.
func chunkJobs(jobs []*groupJob) [][]*groupJob {
	var out [][]*groupJob
	start, pieces := 0, 0
	for i, j := range jobs {
		if i > start && (i-start == box.MaxManyItems || pieces+len(j.pieces) > box.MaxManyPieces) {
			out = append(out, jobs[start:i])
			start, pieces = i, 0
		}
		pieces += len(j.pieces)
	}
	if start < len(jobs) {
		out = append(out, jobs[start:])
	}
	return out
}

// commitBoxMany tells the box the database committed every served meter's
// record, in one request; as with commitBox, a failure only defers the commit
// to the meter's next operation, and is logged per meter.
func (s *Service) commitBoxMany(ctx context.Context, served []*groupJob) {
	for start := 0; start < len(served); start += box.MaxManyItems {
		chunk := served[start:min(start+box.MaxManyItems, len(served))]
		items := make([]box.CommitItem, len(chunk))
		for i, j := range chunk {
			items[i] = box.CommitItem{Serial: j.d.res.Record.Serial, Counter: j.d.res.Record.Counter}
		}
		errs, err := s.box.CommitMany(ctx, items)
		for i, it := range items {
			e := err
			if e == nil {
				e = errs[i]
			}
			if e != nil {
				slog.WarnContext(ctx, "metering: box commit deferred to the next operation", "serial", it.Serial, "counter", it.Counter, "err", e)
			}
		}
	}
}

// lockMetersSQL locks several meters in id order (two servers never deadlock).
var lockMetersSQL = `SELECT ` + meterColumns + ` FROM meters WHERE id = ANY($1) ORDER BY id FOR UPDATE`
