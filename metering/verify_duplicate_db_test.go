package metering_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// clockSetup is setupPool with a clock the test moves forward.
func clockSetup(t *testing.T, b *meteringtest.Box) (*metering.Service, accounts.User, *pgxpool.Pool, *atomic.Int64) {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	owner, acct, err := acc.SignUp(context.Background(), accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64
	svc := metering.New(pool, b.Client, metering.Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	m, err := svc.Provision(context.Background(), acct.ID, acct.OriginZIP)
	if err == nil {
		_, err = svc.Credit(context.Background(), accounts.System, m.ID, 100_000, metering.CreditAdmin, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return svc, owner, pool, &offset
}

// storedEvidence is a duplicate-use fraud signal as stored.
type storedEvidence struct {
	VerificationID int64
	Detail         string
	Evidence       metering.DuplicateEvidence
}

// fraudSignalsOf reads the duplicate-use signals of one label, oldest first.
func fraudSignalsOf(t *testing.T, pool *pgxpool.Pool, labelID string) []storedEvidence {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT f.verification_id, f.detail, f.evidence FROM fraud_signals f JOIN indicia i ON i.id = f.indicium_id
		WHERE i.public_id = $1 AND f.kind = 'duplicate_use' ORDER BY f.id`, labelID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvidence
	for rows.Next() {
		var s storedEvidence
		var raw []byte
		if err := rows.Scan(&s.VerificationID, &s.Detail, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &s.Evidence); err != nil {
			t.Fatalf("evidence %s: %v", raw, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifyDuplicatesWriteFraudSignals plays scan orderings through Verify:
// each duplicate is answered DUPLICATE and leaves a fraud signal naming the
// first scan and itself.
func TestVerifyDuplicatesWriteFraudSignals(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, pool, offset := clockSetup(t, b)
	ctx := context.Background()
	sam := storedUser(t, pool, accounts.RoleStaff, "sam@usps.example", "Sam Staff")
	sue := storedUser(t, pool, accounts.RoleStaff, "sue@usps.example", "Sue Staff")

	type scan struct {
		by       accounts.User
		ref, loc string
		after    time.Duration // clock moved forward before this scan
		want     metering.VerifyResult
		rule     metering.UseRule // of a duplicate
	}
	V, D := metering.ResultValid, metering.ResultDuplicate
	for _, c := range []struct {
		name  string
		scans []scan
	}{
		{"no references first, then X1 and X2", []scan{
			{sam, "", "", 0, V, ""},
			{sue, "X1", "", time.Minute, D, metering.RuleOtherRef},
			{sue, "X2", "", time.Minute, D, metering.RuleOtherRef},
		}},
		{"location only first, then Y1 and Y2 there", []scan{
			{sam, "", "06901", 0, V, ""},
			{sam, "Y1", "06901", time.Minute, D, metering.RuleOtherRef},
			{sam, "Y2", "06901", time.Minute, D, metering.RuleOtherRef},
		}},
		{"nothing after a use elsewhere", []scan{
			{sam, "P1", "06901", 0, V, ""},
			{sue, "", "", time.Minute, D, metering.RuleNoInformation},
			{sue, "P1", "94107", time.Hour, V, ""},
		}},
		{"same place: within the window, then after it", []scan{
			{sam, "", "06901", 0, V, ""},
			{sam, "", "06901", 20 * time.Minute, V, ""},
			{sam, "", "06901", 20 * time.Minute, D, metering.RuleLateRescan},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := buyOne(t, svc, owner, 60)
			text := textOf(t, l)
			var firstAt time.Time
			var dups []metering.Verification
			for i, s := range c.scans {
				offset.Add(int64(s.after))
				v, err := svc.Verify(ctx, s.by, metering.VerifyRequest{Text: text, PieceRef: s.ref, Location: s.loc, IP: "192.0.2.9"})
				if err != nil {
					t.Fatal(err)
				}
				if v.Result != s.want {
					t.Fatalf("scan %d (ref %q at %q): %s (%s), want %s", i+1, s.ref, s.loc, v.Result, v.Reason, s.want)
				}
				if i == 0 {
					firstAt = *v.UsedAt
				}
				if v.Result == D {
					if v.FirstUsedAt == nil || !v.FirstUsedAt.Equal(firstAt) || v.Reason == "" {
						t.Errorf("scan %d: first used %v, reason %q", i+1, v.FirstUsedAt, v.Reason)
					}
					dups = append(dups, v)
				}
			}
			signals := fraudSignalsOf(t, pool, l.PublicID)
			if len(signals) != len(dups) {
				t.Fatalf("%d fraud signals for %d duplicates", len(signals), len(dups))
			}
			first := c.scans[0]
			k := 0
			for _, s := range c.scans {
				if s.want != D {
					continue
				}
				got, v := signals[k], dups[k]
				k++
				ev := got.Evidence
				if got.VerificationID != v.ID || ev.Rule != s.rule || ev.WindowMinutes != 30 {
					t.Errorf("signal %d: verification %d (want %d), rule %s (want %s), window %d", k, got.VerificationID, v.ID, ev.Rule, s.rule, ev.WindowMinutes)
				}
				if ev.FirstScan.PieceRef != first.ref || ev.FirstScan.Location != first.loc || !ev.FirstScan.At.Equal(firstAt) ||
					ev.FirstScan.VerifierID != first.by.ID || ev.FirstScan.Verifier != first.by.Email || ev.FirstScan.VerificationID == 0 {
					t.Errorf("signal %d: first scan %+v", k, ev.FirstScan)
				}
				if ev.ThisScan.PieceRef != s.ref || ev.ThisScan.Location != s.loc || !ev.ThisScan.At.Equal(v.At.Truncate(time.Microsecond)) ||
					ev.ThisScan.Verifier != s.by.Email || ev.ThisScan.VerificationID != v.ID || ev.ThisScan.IP != "192.0.2.9" {
					t.Errorf("signal %d: this scan %+v", k, ev.ThisScan)
				}
				if want := fmt.Sprintf("meter %s piece %d", l.Serial, l.PieceNumber); len(got.Detail) < len(want) || got.Detail[:len(want)] != want {
					t.Errorf("signal %d detail %q", k, got.Detail)
				}
			}
		})
	}
}

// TestVerifyConcurrentFirstScans scans a fresh label on several pieces at
// once: exactly one scan is its first use, every other one a duplicate with
// its fraud signal pointing at that first use.
func TestVerifyConcurrentFirstScans(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, pool, _ := clockSetup(t, b)
	sam := storedUser(t, pool, accounts.RoleStaff, "sam@usps.example", "Sam Staff")
	l := buyOne(t, svc, owner, 60)
	text := textOf(t, l)
	const n = 8
	results := make([]metering.Verification, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = svc.Verify(context.Background(), sam, metering.VerifyRequest{Text: text, PieceRef: fmt.Sprintf("PIECE-%d", i)})
		}()
	}
	close(start)
	wg.Wait()
	winner := ""
	for i, v := range results {
		if errs[i] != nil {
			t.Fatalf("scan %d: %v", i, errs[i])
		}
		switch v.Result {
		case metering.ResultValid:
			if winner != "" {
				t.Errorf("two first uses: %s and PIECE-%d", winner, i)
			}
			winner = fmt.Sprintf("PIECE-%d", i)
		case metering.ResultDuplicate:
		default:
			t.Errorf("scan %d: %s %s", i, v.Result, v.Reason)
		}
	}
	if winner == "" {
		t.Fatal("no scan was the first use")
	}
	var usedRef string
	if err := pool.QueryRow(context.Background(), `SELECT used_piece_ref FROM indicia WHERE public_id = $1`, l.PublicID).Scan(&usedRef); err != nil {
		t.Fatal(err)
	}
	if usedRef != winner {
		t.Errorf("label used by %q, but %s was answered as the first use", usedRef, winner)
	}
	signals := fraudSignalsOf(t, pool, l.PublicID)
	if len(signals) != n-1 {
		t.Fatalf("%d fraud signals, want %d", len(signals), n-1)
	}
	for _, s := range signals {
		if s.Evidence.FirstScan.PieceRef != winner || s.Evidence.ThisScan.PieceRef == winner || s.Evidence.Rule != metering.RuleOtherRef {
			t.Errorf("signal evidence %+v", s.Evidence)
		}
	}
}

// BenchmarkVerifyDuplicate is a scan of a used label on another piece: the
// accepted scans read, the verification and its fraud signal written.
func BenchmarkVerifyDuplicate(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, _ := setupBench(b, bx)
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		b.Fatal(err)
	}
	text := textOf(b, p.Labels[0])
	if v, err := svc.Verify(context.Background(), staff, metering.VerifyRequest{Text: text, PieceRef: "P0", Location: "06901"}); err != nil || v.Result != metering.ResultValid {
		b.Fatal(v.Result, err)
	}
	i := 0
	for b.Loop() {
		i++
		req := metering.VerifyRequest{Text: text, PieceRef: fmt.Sprintf("P%d", i), Location: "06901"}
		if v, err := svc.Verify(context.Background(), staff, req); err != nil || v.Result != metering.ResultDuplicate {
			b.Fatal(v.Result, err)
		}
	}
}
