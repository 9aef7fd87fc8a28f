package metering

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/metering/indicium"
)

// Group commit of scans. Every scan is a durable write (a valid first scan
// marks its label used; every scan is logged) and a commit costs PostgreSQL
// far more than the rows it carries, so scans waiting at the same time share
// one transaction: their labels are locked together in id order (two
// batches, or two servers, never deadlock), each scan is judged exactly as
// it would be alone (judgeScan), the used marks and the verification rows
// are written with one statement each, and one commit covers them all. Every
// scan still waits for that commit before it is answered, and its fraud
// signal is written in the same transaction as its verification.
//
// A batch holds at most one scan of a label: the scans of one label are
// judged one after another on the locked row, as before, so of two
// simultaneous first scans exactly one is the first use. A batch that fails
// is retried scan by scan, so one scan's failure stays its own.

// scanJob is one scan waiting for a shared commit.
type scanJob struct {
	actor accounts.User
	req   VerifyRequest
	v     Verification       // the answer so far: decoded, signature checked
	in    *indicium.Indicium // nil: nothing to look up (not readable, bad signature), only logged
	hash  []byte
	rev   *Revocation // the meter's certificate revocation, read in the batch

	out   Verification
	err   error
	taken bool          // in a batch (under scanCommitter.mu)
	led   bool          // its goroutine leads batches (under scanCommitter.mu)
	done  chan struct{} // closed when out and err are final
	lead  chan struct{} // closed when this job's goroutine must lead
}

type scanLabelKey struct {
	serial string
	piece  int64
}

// scanCommitter queues scans for the shared transactions; at most
// scanCommitters batches run at once, each led by a waiting scan's goroutine.
type scanCommitter struct {
	mu      sync.Mutex
	waiting []*scanJob
	running int
}

const (
	// scanCommitters bounds the batches in flight: two, so that one batch's
	// commit overlaps the next one's statements.
	scanCommitters = 2
	// maxScanBatch bounds the scans of one transaction.
	maxScanBatch = 256
)

// commitScan writes a scan's verification (and, for the first valid scan,
// the label's used mark) in a transaction shared with the scans waiting at
// the same time, and returns the answer once it is committed.
func (s *Service) commitScan(ctx context.Context, j *scanJob) (Verification, error) {
	j.done, j.lead = make(chan struct{}), make(chan struct{})
	c := &s.scans
	c.mu.Lock()
	c.waiting = append(c.waiting, j)
	if c.running < scanCommitters {
		c.running++
		j.led = true
		close(j.lead)
	}
	c.mu.Unlock()
	for {
		select {
		case <-j.done:
			return j.out, j.err
		case <-j.lead:
			// The batches are written for others too: they must not stop with this caller.
			s.leadScans(context.WithoutCancel(ctx), j)
			j.lead = nil // a nil channel blocks: this goroutine leads once
		}
	}
}

// leadScans runs batches while j is still waiting, then hands the lead to a
// waiting scan whose goroutine does not lead. A leader thus stops only once
// its own scan is in a batch, so every waiting scan marked led has a running
// leader, and a waiting queue is never left without one.
func (s *Service) leadScans(ctx context.Context, j *scanJob) {
	c := &s.scans
	for {
		c.mu.Lock()
		batch := takeScans(c)
		c.mu.Unlock()
		s.runScans(ctx, batch)

		c.mu.Lock()
		if j.taken {
			next := -1
			for i, w := range c.waiting {
				if !w.led {
					next = i
					break
				}
			}
			if next >= 0 {
				c.waiting[next].led = true
				close(c.waiting[next].lead)
			} else {
				c.running--
			}
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// takeScans removes the next batch from the queue, oldest first, skipping
// (and keeping for a later batch) a second scan of a label already in it.
func takeScans(c *scanCommitter) []*scanJob {
	var batch []*scanJob
	labels := map[scanLabelKey]bool{}
	rest := c.waiting[:0:0]
	for _, w := range c.waiting {
		if len(batch) < maxScanBatch {
			if w.in == nil {
				batch = append(batch, w)
				continue
			}
			k := scanLabelKey{w.in.MeterSerial, w.in.PieceCount}
			if !labels[k] {
				labels[k] = true
				batch = append(batch, w)
				continue
			}
		}
		rest = append(rest, w)
	}
	for _, w := range batch {
		w.taken = true
	}
	c.waiting = rest
	return batch
}

// runScans stores a batch; when the shared transaction fails, each scan is
// stored in a transaction of its own.
func (s *Service) runScans(ctx context.Context, batch []*scanJob) {
	if len(batch) == 0 {
		return
	}
	err := s.storeScans(ctx, batch)
	if err != nil {
		if len(batch) > 1 {
			slog.WarnContext(ctx, "metering: shared verification commit failed; storing each scan on its own", "scans", len(batch), "err", err)
		}
		for _, j := range batch {
			j.err = err
			if len(batch) > 1 {
				j.err = s.storeScans(ctx, []*scanJob{j})
			}
		}
	}
	for _, j := range batch {
		close(j.done)
	}
}

// lockScannedSQL finds and locks the scanned labels, in id order.
const lockScannedSQL = `SELECT u.ord, i.id, i.meter_id, i.status, i.data, i.used_at, i.used_piece_ref, i.used_location, i.voided_at, i.void_reason
	FROM unnest($1::text[], $2::bigint[], $3::int[]) AS u(serial, piece, ord)
	JOIN meters m ON m.serial = u.serial
	JOIN indicia i ON i.meter_id = m.id AND i.piece_number = u.piece
	ORDER BY i.id FOR UPDATE OF i`

// scannedRevocationsSQL reads the revocations of the scanned labels' meters.
const scannedRevocationsSQL = `SELECT u.ord, r.serial, r.cert_serial, r.revoked_from, r.reason
	FROM unnest($1::text[], $2::int[]) AS u(serial, ord)
	JOIN meters m ON m.serial = u.serial JOIN meter_revocations r ON r.meter_id = m.id`

// storeScans judges and stores a batch in one transaction: BEGIN, the lock,
// the meters' revocations and the verification ids in one round trip; the writes and COMMIT in
// another (signals, rare, and the earlier scans a re-scan needs, in between).
func (s *Service) storeScans(ctx context.Context, batch []*scanJob) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("metering: store verifications: %w", err)
	}
	committed := false
	defer func() {
		if st := conn.Conn().PgConn().TxStatus(); !committed && (st == 'T' || st == 'E') {
			if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
				slog.WarnContext(ctx, "metering: roll back verifications", "err", err)
			}
		}
		// The pool drops a connection still inside a transaction.
		conn.Release()
	}()
	commit := func(b *pgx.Batch) error {
		b.Queue("COMMIT")
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("metering: store verifications: %w", err)
		}
		if conn.Conn().PgConn().TxStatus() != 'I' {
			// COMMIT answered "ROLLBACK": the transaction had failed.
			return fmt.Errorf("metering: store verifications: transaction rolled back")
		}
		committed = true
		return nil
	}

	var serials []string
	var pieces []int64
	var ords []int32
	for i, j := range batch {
		if j.in != nil {
			serials, pieces, ords = append(serials, j.in.MeterSerial), append(pieces, j.in.PieceCount), append(ords, int32(i))
		}
	}
	rows := make([]*scannedRow, len(batch))
	for _, j := range batch {
		j.rev = nil
	}
	ids := make([]int64, 0, len(batch))
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if len(serials) > 0 {
		b.Queue(lockScannedSQL, serials, pieces, ords).Query(func(r pgx.Rows) error {
			for r.Next() {
				var ord int32
				row := &scannedRow{}
				if err := r.Scan(&ord, &row.id, &row.meterID, &row.status, &row.data, &row.usedAt, &row.usedRef, &row.usedLoc, &row.voidedAt, &row.voidReason); err != nil {
					return err
				}
				rows[ord] = row
			}
			return r.Err()
		})
		b.Queue(scannedRevocationsSQL, serials, ords).Query(func(r pgx.Rows) error {
			for r.Next() {
				var ord int32
				var rev Revocation
				if err := r.Scan(&ord, &rev.Serial, &rev.CertSerial, &rev.RevokedFrom, &rev.Reason); err != nil {
					return err
				}
				if rev.RevokedFrom = rev.RevokedFrom.UTC(); batch[ord].rev == nil {
					batch[ord].rev = &rev
				}
			}
			return r.Err()
		})
	}
	// After the lock: a label's later scans get later ids (acceptedScans reads them in id order).
	b.Queue(`SELECT nextval(pg_get_serial_sequence('verifications', 'id')) FROM generate_series(1, $1)`, len(batch)).Query(func(r pgx.Rows) error {
		for r.Next() {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return r.Err()
	})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("metering: find scanned indicia: %w", err)
	}
	if len(ids) != len(batch) {
		return fmt.Errorf("metering: verification ids: %d for %d scans", len(ids), len(batch))
	}

	verdicts := make([]scanVerdict, len(batch))
	var used usedMarks
	var log verificationRows
	for i, j := range batch {
		d, err := s.judgeScan(ctx, conn, j, rows[i])
		if err != nil {
			return err
		}
		d.out.ID = ids[i]
		verdicts[i] = d
		if d.markUsed {
			used.add(rows[i].id, d.this)
		}
		log.add(j, d.out, d.indiciumID)
	}
	signals := false
	for _, d := range verdicts {
		signals = signals || d.signal != signalNone
	}
	b = &pgx.Batch{}
	if len(used.ids) > 0 {
		b.Queue(markUsedSQL, used.ids, used.at, used.ref, used.loc)
	}
	b.Queue(insertVerificationsSQL, log.args()...)
	if signals {
		// The signals name their verification rows: those go first.
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("metering: store verifications: %w", err)
		}
		b = &pgx.Batch{}
		for i, d := range verdicts {
			if err := s.raiseScanSignal(ctx, conn, batch[i], d); err != nil {
				return err
			}
		}
	}
	if err := commit(b); err != nil {
		return err
	}
	for i, j := range batch {
		j.out = verdicts[i].out
	}
	return nil
}
