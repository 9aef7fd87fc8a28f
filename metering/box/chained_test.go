package box

import (
	"testing"
	"time"
)

// The pipelined order serve uses: A under the lock, B chained on A before
// A's commit, B confirmed under the lock once A committed, then committed.
func TestChainedStepOnThePendingOne(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0101", "12345", 1_000)
	a, err := c.Dispense(ctx, m.rec, pieces(2, 100))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.DispenseChained(ctx, a.Record, pieces(3, 100))
	if err != nil {
		t.Fatalf("chained on the pending step: %v", err)
	}
	if r := b.Record; r.Counter != a.Record.Counter+1 || r.DR != 500 || r.PieceCount != 5 || b.Pieces[0].Tx.PieceNumber != 3 {
		t.Fatalf("chained step's registers: %+v", r)
	}
	// Both slots are taken: a third step waits for the lock.
	_, err = c.DispenseChained(ctx, b.Record, pieces(1, 100))
	wantErr(t, err, ErrStale)
	// A committed; B confirmed under the lock, then committed.
	m.store(t, a.Record, txsOf(a)...)
	if err := c.Confirm(ctx, m.rec.Serial, b.Record.Counter, b.Record.Hash()); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	m.store(t, b.Record, txsOf(b)...)
	checkChain(t, m)
	if err := c.Commit(ctx, m.rec.Serial, a.Record.Counter); err != nil { // late: a no-op
		t.Fatal(err)
	}
	if err := c.Commit(ctx, m.rec.Serial, b.Record.Counter); err != nil {
		t.Fatal(err)
	}
	// Older records are tamper again.
	wantErr(t, c.VerifyRecord(ctx, a.Record), ErrTamperFreshness)
	if _, err := c.Dispense(ctx, b.Record, pieces(1, 100)); err != nil {
		t.Fatal(err)
	}
}

// A chained step on a committed record with nothing pending takes the first
// slot; a chained step on anything but the latest step is stale, not
// tamper, and changes nothing.
func TestChainedStepOnAnOlderRecordIsStale(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0102", "12345", 1_000)
	old := m.rec
	a, err := c.Dispense(ctx, m.rec, pieces(1, 100))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx, m.rec.Serial, a.Record.Counter); err != nil {
		t.Fatal(err)
	}
	_, err = c.DispenseChained(ctx, old, pieces(1, 100))
	wantErr(t, err, ErrStale)
	b, err := c.DispenseChained(ctx, a.Record, pieces(1, 100))
	if err != nil {
		t.Fatalf("chained on the committed record: %v", err)
	}
	_, err = c.DispenseChained(ctx, a.Record, pieces(1, 100)) // A is no longer the latest
	wantErr(t, err, ErrStale)
	if err := c.Confirm(ctx, m.rec.Serial, b.Record.Counter, b.Record.Hash()); err != nil {
		t.Fatal(err)
	}
	// A tampered record is still tamper on the chained path.
	bad := b.Record
	bad.DR += 1_000
	_, err = c.DispenseChained(ctx, bad, pieces(1, 100))
	wantErr(t, err, ErrTamperMAC)
}

// A caller holding the lock read A's record (so B was never stored) and
// dispensed: B is discarded, and B's confirmation fails afterwards even if
// that caller's transaction rolled back and the row still holds A's record.
func TestLockedStepDiscardsTheChainedOne(t *testing.T) {
	_, c, _, m, a, b := pendingPair(t, "IND-0103")
	// Under the lock, on the row A committed; its transaction then rolls
	// back, so the row keeps A's record.
	if _, _, err := c.Credit(ctx, a.Record, 500, "T-X"); err != nil {
		t.Fatalf("locked step on A's record: %v", err)
	}
	wantErr(t, c.Confirm(ctx, m.rec.Serial, b.Record.Counter, b.Record.Hash()), ErrStale)
	// The row's record (A) is accepted, so is the next step on it.
	if err := c.VerifyRecord(ctx, a.Record); err != nil {
		t.Fatalf("A after the rolled-back credit: %v", err)
	}
	if _, err := c.Dispense(ctx, a.Record, pieces(1, 100)); err != nil {
		t.Fatal(err)
	}
	// B's record was never stored: presenting it is tamper.
	wantErr(t, c.VerifyRecord(ctx, b.Record), ErrTamperFreshness)
}

// The database rolled back A, so B (chained on A) can never commit: the
// locked caller presenting record n discards both.
func TestRollbackDiscardsBothSteps(t *testing.T) {
	_, c, _, m, a, b := pendingPair(t, "IND-0104")
	res, err := c.Dispense(ctx, m.rec, pieces(1, 300))
	if err != nil {
		t.Fatalf("record n after both steps rolled back: %v", err)
	}
	if res.Record.DR != 700 {
		t.Fatalf("registers: %+v", res.Record)
	}
	wantErr(t, c.Confirm(ctx, m.rec.Serial, b.Record.Counter, b.Record.Hash()), ErrStale)
	wantErr(t, c.VerifyRecord(ctx, a.Record), ErrTamperFreshness)
}

// Both pending steps survive a restart of the box: whichever record the
// database holds afterwards (n, A's or B's) is accepted, with no alert.
func TestChainedStepsSurviveARestart(t *testing.T) {
	for _, held := range []string{"n", "A", "B"} {
		t.Run(held, func(t *testing.T) {
			e, _, stop, m, a, b := pendingPair(t, "IND-0105")
			stop()
			c, _ := e.start(t)
			rec := map[string]Record{"n": m.rec, "A": a.Record, "B": b.Record}[held]
			res, err := c.Dispense(ctx, rec, pieces(1, 100))
			if err != nil {
				t.Fatalf("database holds %s after a restart: %v", held, err)
			}
			if res.Record.Counter != rec.Counter+1 {
				t.Fatalf("counter %d after %d", res.Record.Counter, rec.Counter)
			}
		})
	}
}

func txsOf(r DispenseResult) []TxRecord {
	out := make([]TxRecord, len(r.Pieces))
	for i, p := range r.Pieces {
		out[i] = p.Tx
	}
	return out
}

// pendingPair makes a meter with step A pending (as if its transaction were
// open) and step B chained on it.
func pendingPair(t *testing.T, serial string) (env, *Client, func(), *meter, DispenseResult, DispenseResult) {
	t.Helper()
	e := newEnv(t, time.Now())
	c, stop := e.start(t)
	m := activeMeter(t, c, serial, "12345", 1_000)
	a, err := c.Dispense(ctx, m.rec, pieces(1, 100))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.DispenseChained(ctx, a.Record, pieces(1, 100))
	if err != nil {
		t.Fatal(err)
	}
	return e, c, stop, m, a, b
}
