package metering_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
	"indicia/metering/tracking"
)

// chunkBox is the test box with a chunked dispense that can lose its
// answer part way: after failAfter chunks (0: never), or, with loseRecord,
// after the last chunk, when only the record is still to come.
type chunkBox struct {
	metering.Box
	c          *box.Client
	calls      atomic.Int64
	failAfter  int
	loseRecord bool
}

var errAnswerLost = errors.New("box: connection lost")

func (b *chunkBox) DispenseChunked(ctx context.Context, rec box.Record, pieces []box.Piece, onChunk func(int, []box.DispensedPiece) error) (box.Record, error) {
	b.calls.Add(1)
	n := 0
	got, err := b.c.DispenseChunked(ctx, rec, pieces, func(first int, ps []box.DispensedPiece) error {
		if n++; b.failAfter > 0 && n > b.failAfter {
			return errAnswerLost
		}
		return onChunk(first, ps)
	})
	if err == nil && b.loseRecord {
		return box.Record{}, errAnswerLost
	}
	return got, err
}

// bigBatch is a batch of n pieces, a few of them tracked, abroad or with
// their own postage, spread over the chunks.
func bigBatch(n int) metering.PurchaseRequest {
	req := metering.PurchaseRequest{Pieces: make([]metering.PieceRequest, n)}
	for i := range req.Pieces {
		req.Pieces[i] = piece(78)
		switch i % 997 {
		case 1:
			req.Pieces[i] = trackedPiece("PRIORITY", 0)
		case 2:
			req.Pieces[i].Postage = 150
		}
	}
	return req
}

// A batch of more than one chunk is stored while the box signs it, and is
// stored exactly as a batch answered whole: every piece in order with its
// verifying indicium, the transaction records, the registers, the tracking
// numbers and the spend rollup, and the audit passes.
func TestChunkedBatchStoresEveryPiece(t *testing.T) {
	bx := meteringtest.Start(t)
	_, owner, m, pool := setupPool(t, bx, 10_000_000)
	mid, _ := tracking.ParseMailerID("901234567")
	cb := &chunkBox{Box: bx.Client, c: bx.Client}
	svc := metering.New(pool, cb, metering.Options{MailerID: mid})
	ctx := context.Background()
	req := bigBatch(2*box.ChunkPieces + 500)
	// A piece in the second chunk prints its own return address.
	from := []string{"ACME SHIPPING", "350 FIFTH AVE", "NEW YORK NY 10118"}
	req.Pieces[box.ChunkPieces+3].ShipFrom = from
	var sum int64
	for _, pc := range req.Pieces {
		sum += pc.Postage
	}
	p, err := svc.Purchase(ctx, owner, req)
	if err != nil {
		t.Fatal(err)
	}
	var stored1 []string
	if err := pool.QueryRow(ctx, `SELECT ship_from FROM indicia WHERE public_id = $1`, p.Labels[box.ChunkPieces+3].PublicID).Scan(&stored1); err != nil || len(stored1) != 3 || stored1[0] != from[0] {
		t.Fatalf("the stored return address: %q (%v)", stored1, err)
	}
	if cb.calls.Load() != 1 {
		t.Fatalf("%d chunked box calls, want 1", cb.calls.Load())
	}
	if len(p.Labels) != len(req.Pieces) || p.Postage != sum || p.MeterDR != m.Record.DR-sum {
		t.Fatalf("purchase: %d labels, postage %d, DR %d; want %d, %d, %d", len(p.Labels), p.Postage, p.MeterDR, len(req.Pieces), sum, m.Record.DR-sum)
	}
	key := meterKey(t, m)
	for i, l := range p.Labels {
		if l.PieceNumber != m.Record.PieceCount+int64(i+1) || l.Postage != req.Pieces[i].Postage {
			t.Fatalf("label %d: piece %d, postage %d", i, l.PieceNumber, l.Postage)
		}
		in, err := indicium.Parse(l.Indicium)
		if err != nil {
			t.Fatal(err)
		}
		if err := in.Verify(key); err != nil || in.Postage != l.Postage || in.PieceCount != l.PieceNumber {
			t.Fatalf("label %d: %v, indicium %+v", i, err, in.Fields)
		}
		if _, tracked := tracking.ServiceType(l.MailClass, l.Services); tracked != (l.TrackingNumber != "") {
			t.Fatalf("label %d (%s): tracking number %q", i, l.MailClass, l.TrackingNumber)
		}
	}
	stored := storedOf(t, pool, m.ID)
	if stored.indicia != len(req.Pieces) || stored.txs != len(req.Pieces) || stored.postage != sum || stored.tracked != int64(len(req.Pieces)/997+1) {
		t.Fatalf("stored %+v for %d pieces of %d cents", stored, len(req.Pieces), sum)
	}
	if bad, err := metering.SpendRollupMismatches(ctx, pool); err != nil || bad != 0 {
		t.Fatalf("spend rollup: %d rows differ (%v)", bad, err)
	}
	audit(t, svc)
	// The meter goes on: a small purchase after it.
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("after the chunked batch: %v", err)
	}
	audit(t, svc)
}

// A chunked answer lost part way (among the indicia or among the
// transaction records that follow them), or just before the record, stores
// nothing and commits nothing: no purchase, label or transaction record,
// the registers as they were, no tamper alert; the meter's next purchase
// resolves the box's pending step as a rollback and goes through, and the
// audit passes.
func TestChunkedBatchLostPartWayStoresNothing(t *testing.T) {
	for _, tc := range []struct {
		name       string
		failAfter  int
		loseRecord bool
	}{
		{"after the first chunk", 1, false},
		{"after two chunks", 2, false},
		{"among the transaction records", 4, false},
		{"before the record", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bx := meteringtest.Start(t)
			_, owner, m, pool := setupPool(t, bx, 10_000_000)
			cb := &chunkBox{Box: bx.Client, c: bx.Client, failAfter: tc.failAfter, loseRecord: tc.loseRecord}
			svc := metering.New(pool, cb, metering.Options{})
			ctx := context.Background()
			before := storedOf(t, pool, m.ID)
			_, err := svc.Purchase(ctx, owner, bigBatch(3*box.ChunkPieces))
			if err == nil || !strings.Contains(err.Error(), errAnswerLost.Error()) {
				t.Fatalf("purchase with the answer lost: %v", err)
			}
			if after := storedOf(t, pool, m.ID); after != before {
				t.Fatalf("stored %+v after the lost answer, %+v before", after, before)
			}
			again, err := svc.Meter(ctx, accounts.System, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Record.Counter != m.Record.Counter || again.Record.DR != m.Record.DR {
				t.Fatalf("meter after the lost answer: %+v, before %+v", again.Record, m.Record)
			}
			p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
			if err != nil {
				t.Fatalf("next purchase: %v", err)
			}
			if p.Labels[0].PieceNumber != m.Record.PieceCount+1 || p.MeterDR != m.Record.DR-78 {
				t.Fatalf("next purchase: piece %d, DR %d", p.Labels[0].PieceNumber, p.MeterDR)
			}
			if n, err := svc.OpenAlerts(ctx); err != nil || n != 0 {
				t.Fatalf("%d tamper alerts (%v)", n, err)
			}
			audit(t, svc)
		})
	}
}

// stored is what the database holds for a meter.
type stored struct {
	indicia, txs    int
	postage         int64
	tracked         int64
	purchases       int
	counter, dr, ar int64
}

func storedOf(t *testing.T, pool *pgxpool.Pool, meterID int64) stored {
	t.Helper()
	var s stored
	err := pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM indicia WHERE meter_id = $1),
		(SELECT count(*) FROM meter_transactions WHERE meter_id = $1 AND kind = 'postage'),
		(SELECT coalesce(sum(postage), 0) FROM indicia WHERE meter_id = $1),
		(SELECT count(*) FROM indicia WHERE meter_id = $1 AND tracking_number IS NOT NULL),
		(SELECT count(*) FROM purchases WHERE meter_id = $1),
		counter, dr, ar FROM meters WHERE id = $1`, meterID).Scan(&s.indicia, &s.txs, &s.postage, &s.tracked, &s.purchases, &s.counter, &s.dr, &s.ar)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Purchases that arrive together on one meter may be served as one group
// of more than a chunk: each gets its own purchase and its own labels, in
// order, and everything adds up.
func TestChunkedBatchOfSeveralPurchases(t *testing.T) {
	bx := meteringtest.Start(t)
	_, owner, m, pool := setupPool(t, bx, 10_000_000)
	cb := &chunkBox{Box: bx.Client, c: bx.Client}
	svc := metering.New(pool, cb, metering.Options{})
	ctx := context.Background()
	const buyers, each = 4, 700
	got := make([]metering.Purchase, buyers)
	errs := make([]error, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() { got[i], errs[i] = svc.Purchase(ctx, owner, bigBatch(each)) })
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i, p := range got {
		if errs[i] != nil || len(p.Labels) != each {
			t.Fatalf("purchase %d: %d labels, %v", i, len(p.Labels), errs[i])
		}
		for k, l := range p.Labels {
			if seen[l.PieceNumber] || (k > 0 && l.PieceNumber <= p.Labels[k-1].PieceNumber) {
				t.Fatalf("purchase %d label %d: piece number %d", i, k, l.PieceNumber)
			}
			seen[l.PieceNumber] = true
		}
	}
	if s := storedOf(t, pool, m.ID); s.indicia != buyers*each || s.txs != buyers*each || s.purchases != buyers {
		t.Fatalf("stored %+v for %d purchases of %d pieces", s, buyers, each)
	}
	t.Logf("%d chunked box calls for %d purchases", cb.calls.Load(), buyers)
	audit(t, svc)
}
