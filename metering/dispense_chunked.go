package metering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/metering/box"
	"indicia/metering/tracking"
)

// A big batch stored while the box signs it. The box answers a batch of
// more than box.ChunkPieces pieces in chunks (box.Client.DispenseChunked):
// every indicium first, then every signed transaction record. Each chunk
// goes into a COPY as it arrives, in the transaction that holds the meter's
// row lock, so PostgreSQL stores the first pieces while the box signs the
// next, and the heavier indicia rows while it signs the records. The new
// meter record and the rest follow once the box has answered its last
// chunk and the record, and the transaction commits only then: an answer
// lost part way rolls everything back, exactly as a lost Dispense answer
// does, and the box resolves its pending step as a rollback on the meter's
// next request.

// chunkedBox is the box's chunked dispense (box.Client serves it).
type chunkedBox interface {
	DispenseChunked(ctx context.Context, rec box.Record, pieces []box.Piece, onChunk func(first int, ps []box.DispensedPiece) error) (box.Record, error)
}

// chunkedBoxFor returns the box's chunked dispense when the batch spans more
// than one chunk and the box announces it; nil otherwise.
func (s *Service) chunkedBoxFor(ctx context.Context, pieces int) chunkedBox {
	if pieces <= box.ChunkPieces {
		return nil
	}
	cb, ok := s.box.(chunkedBox)
	if !ok {
		return nil
	}
	if caps, err := s.box.Capabilities(ctx); err != nil || !caps.Supports(box.OpDispenseChunked) {
		return nil
	}
	return cb
}

// errChunkedBox marks a failure of the box during a chunked dispense, so the
// caller tells it from a failure to store.
type errChunkedBox struct{ err error }

func (e *errChunkedBox) Error() string { return e.err.Error() }
func (e *errChunkedBox) Unwrap() error { return e.err }

// dispenseChunked asks the box for d's pieces in chunks and stores them, in
// tx, as they come: purchases first, the indicia and then the transaction
// records each by one streamed COPY, then the record and the per-batch
// rows in one round trip. A box failure is returned as *errChunkedBox.
func (s *Service) dispenseChunked(ctx context.Context, tx pgx.Tx, cb chunkedBox, d *meterDispense, pieces []box.Piece) error {
	r := &storeRows{now: s.now()}
	plan, err := s.chunkPlan(ctx, tx, d, r, len(pieces))
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	// The box answers every indicium, then every signed record: the
	// indicia go into one COPY, the records into a second one after it.
	n := len(pieces)
	indicia, records := make(chan [][]any, 4), make(chan [][]any, 4)
	var boxRec box.Record
	var boxErr error
	go func() {
		defer close(records)
		open := true
		defer func() {
			if open {
				close(indicia)
			}
		}()
		boxRec, boxErr = cb.DispenseChunked(sctx, d.m.Record, pieces, func(at int, ps []box.DispensedPiece) error {
			rows, out := make([][]any, len(ps)), indicia
			for k := range ps {
				if at < n {
					rows[k] = plan.label(at+k, &ps[k], r)
				} else {
					rows[k] = txRow(d.m.ID, &ps[k].Tx)
				}
			}
			if at >= n {
				if open {
					close(indicia)
					open = false
				}
				out = records
			}
			select {
			case out <- rows:
				return nil
			case <-sctx.Done():
				return sctx.Err()
			}
		})
	}()
	_, copyErr := tx.CopyFrom(ctx, pgx.Identifier{"indicia"}, indiciaColumns, &chunkSource{chunks: indicia})
	if copyErr == nil {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"meter_transactions"}, txColumns, &chunkSource{chunks: records}); err != nil {
			copyErr = fmt.Errorf("transaction records: %w", err)
		}
	}
	stop()
	for range indicia { // the box's goroutine closes both once its answer is done
	}
	for range records {
	}
	if boxErr != nil {
		return &errChunkedBox{boxErr}
	}
	if copyErr != nil {
		return fmt.Errorf("metering: store chunked batch: %w", copyErr)
	}
	d.res = box.DispenseResult{Record: boxRec}
	b := &pgx.Batch{}
	queueRecord(b, d.m.ID, boxRec, r.now)
	r.rollup.queue(b, r.now)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("metering: store the record and batch rows: %w", err)
	}
	return nil
}

// chunkPlan is what the labels of a chunked dispense need before the box
// answers: each piece's request and purchase id.
type chunkPlan struct {
	m      Meter
	now    time.Time
	owners []chunkPiece
}

// chunkPiece is one piece of the batch: its request and which of its pieces.
type chunkPiece struct {
	p        *pending
	piece    int
	purchase int64
	user     *int64
	tracking string
}

// chunkPlan stores the purchases of d's accepted requests (the indicia
// refer to them) and maps each of the n pieces to its request.
func (s *Service) chunkPlan(ctx context.Context, tx pgx.Tx, d *meterDispense, r *storeRows, n int) (*chunkPlan, error) {
	plan := &chunkPlan{m: d.m, now: r.now, owners: make([]chunkPiece, 0, n)}
	for _, p := range d.accepted {
		p.res.PublicID, p.res.CreatedAt = "p_"+publicID(), r.now
		var sum int64
		for _, pc := range p.req.Pieces {
			sum += pc.Postage
		}
		pr := &purchaseRows{}
		pr.add(p, d.m, sum, r.now)
		id, err := insertPurchase(ctx, tx, pr, 0)
		if err != nil {
			return nil, err
		}
		p.labels = make([]Label, 0, len(p.req.Pieces))
		for i := range p.req.Pieces {
			plan.owners = append(plan.owners, chunkPiece{p: p, piece: i, purchase: id, user: pr.user[0]})
		}
	}
	if len(plan.owners) != n {
		return nil, fmt.Errorf("metering: chunked dispense of %d pieces for %d requested", n, len(plan.owners))
	}
	if err := s.chunkTracking(ctx, plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// label makes piece i's label from the box's answer, adds it to its request
// and the batch's rows, and returns its indicia row for COPY.
func (c *chunkPlan) label(i int, dp *box.DispensedPiece, r *storeRows) []any {
	o := c.owners[i]
	m, p := c.m, o.p
	pc := p.req.Pieces[o.piece]
	l := newLabel(m, pc, dp, c.now)
	l.TrackingNumber = o.tracking
	p.labels = append(p.labels, l)
	r.rollup.addLabel(m, p.actor.ID, l)
	rj, _ := json.Marshal(l.Recipient)
	var from, number any
	if len(l.ShipFrom) > 0 {
		from, _ = json.Marshal(l.ShipFrom)
	}
	if o.tracking != "" {
		number = o.tracking
	}
	return []any{l.PublicID, o.purchase, m.ID, m.Record.AccountID, l.PieceNumber, l.MailingDate, l.Postage, l.OriginZIP,
		l.DestZIP, l.MailClass, int32(l.Services), rj, l.Indicium, "issued", c.now, nullID(l.CostCodeID), l.Reference, l.WeightOz, o.user,
		l.DestCountry, from, number}
}

// txRow is a signed transaction record's row for COPY (txColumns).
func txRow(meterID int64, r *box.TxRecord) []any {
	return []any{meterID, r.Kind, r.Counter, r.Time, r.IndiciumDate, r.OriginZIP, r.DeliveryZIP, r.Amount, r.PieceNumber,
		r.TransferID, r.Detail, r.PrevHash, r.Hash, r.Signature}
}

// chunkSource feeds COPY the indicia rows of each chunk as it arrives; the
// channel closes when the box's answer is over.
type chunkSource struct {
	chunks <-chan [][]any
	cur    [][]any
	i      int
}

func (c *chunkSource) Next() bool {
	c.i++
	for c.i >= len(c.cur) {
		rows, ok := <-c.chunks
		if !ok {
			return false
		}
		c.cur, c.i = rows, 0
	}
	return true
}

func (c *chunkSource) Values() ([]any, error) { return c.cur[c.i], nil }

func (c *chunkSource) Err() error { return nil }

// isChunkedBoxErr reports whether err is the box's failure in a chunked
// dispense, and returns the box's own error.
func isChunkedBoxErr(err error) (error, bool) {
	var be *errChunkedBox
	if errors.As(err, &be) {
		return be.err, true
	}
	return nil, false
}

// chunkTracking gives every tracked piece of the plan its tracking number
// before the box answers, so each indicium row is written whole as its
// chunk arrives.
func (s *Service) chunkTracking(ctx context.Context, plan *chunkPlan) error {
	if s.opt.MailerID == "" {
		return nil
	}
	var tracked []int
	var stcs []string
	for i, o := range plan.owners {
		pc := o.p.req.Pieces[o.piece]
		if stc, ok := tracking.ServiceType(pc.MailClass, pc.Services); ok {
			tracked = append(tracked, i)
			stcs = append(stcs, stc)
		}
	}
	if len(tracked) == 0 {
		return nil
	}
	numbers, err := s.trackingNumbers(ctx, stcs)
	if err != nil {
		return err
	}
	for k, i := range tracked {
		plan.owners[i].tracking = numbers[k]
	}
	return nil
}
