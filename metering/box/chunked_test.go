package box

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// A chunked answer is a Dispense answer in parts: two twin meters given the
// same pieces, one by Dispense and one by DispenseChunked, end with the same
// registers, and the chunked answer brings, in chunks of ChunkPieces, every
// indicium in order and then every signed transaction record in order,
// which verify and chain exactly as Dispense's do; the meter goes on after
// Commit as after any dispense.
func TestDispenseChunkedEqualsDispense(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	roots := vendorRoots(t, c)
	caps, err := c.Capabilities(ctx)
	if err != nil || !caps.Supports(OpDispenseChunked) {
		t.Fatalf("box does not announce %s: %v %v", OpDispenseChunked, caps, err)
	}
	whole := activeMeter(t, c, "IND-C001", "12345", 1_000_000)
	parts := activeMeter(t, c, "IND-C002", "12345", 1_000_000)
	ps := pieces(2*ChunkPieces+7, 61)
	ps[ChunkPieces].Postage = 299 // one piece that differs, in the second chunk

	want, err := c.Dispense(ctx, whole.rec, ps)
	if err != nil {
		t.Fatal(err)
	}
	checkDispensed(t, roots, whole, ps, want)

	n := len(ps)
	got := make([]DispensedPiece, n)
	var ats []int
	rec, err := c.DispenseChunked(ctx, parts.rec, ps, func(at int, chunk []DispensedPiece) error {
		ats = append(ats, at)
		for k, p := range chunk {
			if at < n { // an indicium, its record not yet signed
				if p.Indicium == nil || p.Tx.Signature != nil {
					return fmt.Errorf("entry %d: indicium %d bytes, record signature %x", at+k, len(p.Indicium), p.Tx.Signature)
				}
				got[at+k] = p
				continue
			}
			i := at - n + k // the piece's signed record
			if p.Indicium != nil || p.Tx.Signature == nil || string(p.Tx.Hash) != string(got[i].Tx.Hash) {
				return fmt.Errorf("entry %d: not piece %d's signed record", at+k, i)
			}
			got[i].Tx = p.Tx
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, ChunkPieces, 2 * ChunkPieces, n, n + ChunkPieces, n + 2*ChunkPieces}; !slices.Equal(ats, want) {
		t.Errorf("chunks at %v, want %v", ats, want)
	}
	checkDispensed(t, roots, parts, ps, DispenseResult{Record: rec, Pieces: got})
	w, g := want.Record, rec
	if g.AR != w.AR || g.DR != w.DR || g.PieceCount != w.PieceCount || g.Counter != w.Counter || g.Status != w.Status {
		t.Errorf("chunked record %+v, whole %+v", g, w)
	}
	for i := range got {
		if got[i].Tx.Amount != want.Pieces[i].Tx.Amount || got[i].Tx.PieceNumber != want.Pieces[i].Tx.PieceNumber {
			t.Fatalf("piece %d: chunked %+v, whole %+v", i, got[i].Tx, want.Pieces[i].Tx)
		}
	}
	if err := c.Commit(ctx, rec.Serial, rec.Counter); err != nil {
		t.Fatal(err)
	}
	next, err := c.Dispense(ctx, parts.rec, pieces(1, 10))
	if err != nil {
		t.Fatalf("after the chunked dispense: %v", err)
	}
	checkDispensed(t, roots, parts, pieces(1, 10), next)
}

// A caller that stops part way (its transaction rolled back, or it died)
// was never given the record: the box keeps the step pending, and the
// meter's next request, presenting the record the database kept, resolves
// it as a rollback with no tamper verdict. Nothing was dispensed: the
// registers go on from the kept record.
func TestDispenseChunkedStoppedPartWayRollsBack(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-C003", "12345", 1_000_000)
	stop := errors.New("the caller's transaction failed")
	chunks := 0
	_, err := c.DispenseChunked(ctx, m.rec, pieces(3*ChunkPieces, 50), func(int, []DispensedPiece) error {
		chunks++
		return stop
	})
	if !errors.Is(err, stop) || chunks != 1 {
		t.Fatalf("stopped after %d chunks: %v", chunks, err)
	}
	if err := c.VerifyRecord(ctx, m.rec); err != nil {
		t.Fatalf("the kept record after the stopped dispense: %v", err)
	}
	before := m.rec
	res, err := c.Dispense(ctx, m.rec, pieces(2, 50))
	if err != nil {
		t.Fatalf("next dispense on the kept record: %v", err)
	}
	if res.Record.Counter != before.Counter+1 || res.Record.DR != before.DR-100 || res.Record.PieceCount != before.PieceCount+2 {
		t.Fatalf("after the rollback: %+v from %+v", res.Record, before)
	}
	m.store(t, res.Record, res.Pieces[0].Tx, res.Pieces[1].Tx)
	checkChain(t, m)
}

// A refusal comes as the final answer with no chunk before it.
func TestDispenseChunkedRefusesWithoutChunks(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-C004", "12345", 100)
	chunks := 0
	_, err := c.DispenseChunked(ctx, m.rec, pieces(2*ChunkPieces, 50), func(int, []DispensedPiece) error {
		chunks++
		return nil
	})
	wantErr(t, err, ErrInsufficientFunds)
	if chunks != 0 {
		t.Errorf("%d chunks before the refusal", chunks)
	}
	edited := m.rec.clone()
	edited.MAC = append([]byte(nil), m.rec.MAC...)
	edited.DR += 1_000_000
	_, err = c.DispenseChunked(ctx, edited, pieces(2*ChunkPieces, 50), func(int, []DispensedPiece) error {
		chunks++
		return nil
	})
	var te *TamperError
	if !errors.As(err, &te) || chunks != 0 {
		t.Errorf("edited record: %v after %d chunks, want a tamper refusal and none", err, chunks)
	}
}
