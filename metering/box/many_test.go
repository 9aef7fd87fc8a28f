package box

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"indicia/metering/indicium"
)

// vendorRoots is the vendor root certificates the box c publishes, which
// every indicium and record it signs must chain to.
func vendorRoots(t *testing.T, c *Client) []*x509.Certificate {
	t.Helper()
	keys, err := c.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := indicium.ParseCertificatesPEM(keys.RootCertPEM)
	if err != nil {
		t.Fatal(err)
	}
	return roots
}

// checkDispensed stores a good item's result on its meter and checks it as
// TestDispenseSignsVerifiableIndicia does: registers, the indicia verify
// with the root and meter certificates, the chain links.
func checkDispensed(t *testing.T, roots []*x509.Certificate, m *meter, ps []Piece, res DispenseResult) {
	t.Helper()
	before := m.rec
	var sum int64
	for _, p := range ps {
		sum += p.Postage
	}
	for _, p := range res.Pieces {
		m.store(t, res.Record, p.Tx)
	}
	r := res.Record
	if len(res.Pieces) != len(ps) || r.Counter != before.Counter+1 || r.AR != before.AR+sum || r.DR != before.DR-sum ||
		r.PieceCount != before.PieceCount+int64(len(ps)) {
		t.Fatalf("meter %s after %d pieces: %+v", r.Serial, len(ps), r)
	}
	for i, p := range res.Pieces {
		in, err := indicium.Parse(p.Indicium)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicium.VerifyWithCertificates(in, roots[0], m.cert); err != nil {
			t.Fatalf("meter %s piece %d: %v", r.Serial, i, err)
		}
		if in.MeterSerial != r.Serial || in.Postage != ps[i].Postage || in.PieceCount != before.PieceCount+int64(i+1) {
			t.Fatalf("meter %s piece %d fields: %+v", r.Serial, i, in.Fields)
		}
	}
	checkChain(t, m)
}

// One request dispenses on several meters and answers each on its own: the
// good meters dispense, a tampered, an underfunded and a suspended one are
// refused with the errors a single Dispense gives, and the good meters go on
// after CommitMany exactly as after Commit.
func TestDispenseManyAnswersEachMeter(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	roots := vendorRoots(t, c)
	good := []*meter{
		activeMeter(t, c, "IND-M001", "12345", 10_000),
		activeMeter(t, c, "IND-M002", "12345", 10_000),
		activeMeter(t, c, "IND-M003", "06901", 10_000),
	}
	tampered := activeMeter(t, c, "IND-M004", "12345", 10_000)
	broke := activeMeter(t, c, "IND-M005", "12345", 100)
	suspended := activeMeter(t, c, "IND-M006", "12345", 10_000)
	rec, tx, err := c.SetStatus(ctx, suspended.rec, StatusSuspended, ReasonInspection)
	if err != nil {
		t.Fatal(err)
	}
	suspended.store(t, rec, tx)
	if err := c.Commit(ctx, rec.Serial, rec.Counter); err != nil {
		t.Fatal(err)
	}
	edited := tampered.rec.clone()
	edited.MAC = append([]byte(nil), tampered.rec.MAC...)
	edited.DR += 100_000

	goodPieces := [][]Piece{pieces(1, 73), {piece(50, "10001"), piece(127, "902101234")}, pieces(1, 500)}
	items := []DispenseItem{
		{Record: good[0].rec, Pieces: goodPieces[0]},
		{Record: edited, Pieces: pieces(1, 50)},
		{Record: good[1].rec, Pieces: goodPieces[1]},
		{Record: broke.rec, Pieces: pieces(1, 500)},
		{Record: suspended.rec, Pieces: pieces(1, 50)},
		{Record: good[2].rec, Pieces: goodPieces[2]},
	}
	before := c.Requests()
	res, err := c.DispenseMany(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Requests() - before; n != 1 {
		t.Errorf("DispenseMany sent %d requests, want 1", n)
	}
	if len(res) != len(items) {
		t.Fatalf("%d results for %d items", len(res), len(items))
	}
	var te *TamperError
	if !errors.As(res[1].Err, &te) || te.Serial != tampered.rec.Serial || !errors.Is(res[1].Err, ErrTamperMAC) {
		t.Errorf("tampered meter: got %#v, want a TamperError (MAC) for %s", res[1].Err, tampered.rec.Serial)
	}
	wantErr(t, res[3].Err, ErrInsufficientFunds)
	wantErr(t, res[4].Err, ErrMeterNotActive)

	var commits []CommitItem
	for i, r := range []DispenseItemResult{res[0], res[2], res[5]} {
		if r.Err != nil {
			t.Fatalf("meter %s: %v", good[i].rec.Serial, r.Err)
		}
		checkDispensed(t, roots, good[i], goodPieces[i], r.Result)
		commits = append(commits, CommitItem{Serial: r.Result.Record.Serial, Counter: r.Result.Record.Counter})
	}
	errs, err := c.CommitMany(ctx, commits)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("commit %s: %v", commits[i].Serial, err)
		}
	}

	// The freshness state is right: each good meter's next single Dispense
	// on its new record works; the refused meters' genuine records are
	// unchanged and still work.
	for _, m := range good {
		next, err := c.Dispense(ctx, m.rec, pieces(1, 10))
		if err != nil {
			t.Fatalf("meter %s after DispenseMany: %v", m.rec.Serial, err)
		}
		checkDispensed(t, roots, m, pieces(1, 10), next)
	}
	if _, err := c.Dispense(ctx, tampered.rec, pieces(1, 50)); err != nil {
		t.Errorf("tampered meter's genuine record after the refusal: %v", err)
	}
	if _, err := c.Dispense(ctx, broke.rec, pieces(1, 100)); err != nil {
		t.Errorf("underfunded meter's record after the refusal: %v", err)
	}
}

// Two items for one meter would put two pending steps of that meter in one
// database transaction: both are refused and the meter is left as it was;
// the other items are served.
func TestDispenseManyRefusesAMeterTwice(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	twice := activeMeter(t, c, "IND-M101", "12345", 10_000)
	other := activeMeter(t, c, "IND-M102", "12345", 10_000)
	res, err := c.DispenseMany(ctx, []DispenseItem{
		{Record: twice.rec, Pieces: pieces(1, 50)},
		{Record: other.rec, Pieces: pieces(1, 50)},
		{Record: twice.rec, Pieces: pieces(2, 50)},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, res[0].Err, ErrBadRequest)
	wantErr(t, res[2].Err, ErrBadRequest)
	if res[1].Err != nil || res[1].Result.Record.PieceCount != 1 {
		t.Fatalf("the other meter: %+v", res[1])
	}
	// Nothing is pending on the refused meter: its record is the current one
	// and dispensing on it works.
	if err := c.VerifyRecord(ctx, twice.rec); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Dispense(ctx, twice.rec, pieces(1, 50)); err != nil {
		t.Fatal(err)
	}

	_, err = c.DispenseMany(ctx, nil)
	wantErr(t, err, ErrBadRequest)
	_, err = c.CommitMany(ctx, nil)
	wantErr(t, err, ErrBadRequest)
}

// CommitMany commits each meter as Commit would: an older record replayed
// afterwards is stale, a repeated or late commit is a no-op, and a counter
// with nothing pending is refused for that meter only.
func TestCommitManyCommitsEach(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	ms := []*meter{
		activeMeter(t, c, "IND-M201", "12345", 10_000),
		activeMeter(t, c, "IND-M202", "12345", 10_000),
		activeMeter(t, c, "IND-M203", "12345", 10_000),
	}
	old := make([]Record, len(ms))
	var items []CommitItem
	for i, m := range ms {
		old[i] = m.rec
		res, err := c.Dispense(ctx, m.rec, pieces(1, 100))
		if err != nil {
			t.Fatal(err)
		}
		m.rec = res.Record
		items = append(items, CommitItem{Serial: m.rec.Serial, Counter: m.rec.Counter})
	}
	errs, err := c.CommitMany(ctx, append(items, CommitItem{Serial: ms[0].rec.Serial, Counter: 99}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if errs[i] != nil {
			t.Errorf("commit %s: %v", items[i].Serial, errs[i])
		}
	}
	wantErr(t, errs[len(items)], ErrBadRequest)
	for i, m := range ms {
		// Committed: the record before the step is stale now, not a rollback.
		_, err := c.Dispense(ctx, old[i], pieces(1, 100))
		wantErr(t, err, ErrTamperFreshness)
		if err := c.VerifyRecord(ctx, m.rec); err != nil {
			t.Fatal(err)
		}
	}

	// The same commits again: no-ops.
	if errs, err = c.CommitMany(ctx, items); err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("repeated commit %s: %v", items[i].Serial, err)
		}
	}

	// A late commit after the meter's next step leaves the new pending step
	// alone: n+1 still reads as its rollback, and n+2 then commits.
	m := ms[0]
	next, err := c.Dispense(ctx, m.rec, pieces(1, 100))
	if err != nil {
		t.Fatal(err)
	}
	if errs, err = c.CommitMany(ctx, items[:1]); err != nil || errs[0] != nil {
		t.Fatalf("late commit: %v %v", err, errs)
	}
	if err := c.VerifyRecord(ctx, m.rec); err != nil {
		t.Fatalf("n+1 after the late commit: %v", err)
	}
	if errs, err = c.CommitMany(ctx, []CommitItem{{Serial: m.rec.Serial, Counter: next.Record.Counter}}); err != nil || errs[0] != nil {
		t.Fatalf("commit of n+2: %v %v", err, errs)
	}
	_, err = c.Dispense(ctx, m.rec, pieces(1, 100))
	wantErr(t, err, ErrTamperFreshness)
}
