package metering_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// mailer is one account with its meter.
type mailer struct {
	owner accounts.User
	meter metering.Meter
}

// setupMany signs up n mailers on one database, each with a meter funded
// with fund cents, and a metering service whose batches are counted.
func setupMany(t *testing.T, b *meteringtest.Box, n int, fund int64, opt metering.Options) (*metering.Service, []mailer, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	svc := metering.New(pool, b.Client, opt)
	ms := make([]mailer, n)
	for i := range ms {
		owner, acct, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Mae Mailer", Company: fmt.Sprintf("Mae Co %d", i), Email: fmt.Sprintf("mae%d@example.com", i),
			Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := svc.Provision(ctx, acct.ID, acct.OriginZIP)
		if err == nil {
			m, err = svc.Credit(ctx, accounts.System, m.ID, fund, metering.CreditAdmin, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = mailer{owner, m}
	}
	return svc, ms, pool
}

// Purchases on many meters at once share transactions (group commit across
// meters), and each meter still gets exactly what its register covers: a
// meter short of funds refuses only what it cannot pay, and a tampered meter
// among them is refused and alerted without failing its neighbours.
func TestGroupCommitAcrossMeters(t *testing.T) {
	b := meteringtest.Start(t)
	var batches, batchedMeters atomic.Int64
	const meters, perMeter, covered = 10, 12, 9
	svc, ms, pool := setupMany(t, b, meters, covered*78, metering.Options{OnBatch: func(meters, _ int) {
		batches.Add(1)
		batchedMeters.Add(int64(meters))
	}})
	ctx := context.Background()
	tampered := ms[meters-1]
	if _, err := pool.Exec(ctx, `UPDATE meters SET dr = dr + 100000 WHERE id = $1`, tampered.meter.ID); err != nil {
		t.Fatal(err)
	}
	var ok, broke, refused [meters]atomic.Int32
	var wg sync.WaitGroup
	for i, m := range ms {
		for range perMeter {
			wg.Go(func() {
				_, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
				e, _ := apperr.As(err)
				switch {
				case err == nil:
					ok[i].Add(1)
				case e != nil && e.Code == "insufficient_funds":
					broke[i].Add(1)
				case e != nil && e.Kind == apperr.KindConflict && i == meters-1:
					refused[i].Add(1) // tamper, then held
				default:
					t.Errorf("meter %d: %v", i, err)
				}
			})
		}
	}
	wg.Wait()
	for i := range meters - 1 {
		if ok[i].Load() != covered || broke[i].Load() != perMeter-covered {
			t.Errorf("meter %d: %d bought, %d refused for funds; want %d and %d", i, ok[i].Load(), broke[i].Load(), covered, perMeter-covered)
		}
		after, _ := svc.Meter(ctx, ms[i].owner, ms[i].meter.ID)
		if after.Record.DR != 0 || after.Record.PieceCount != covered {
			t.Errorf("meter %d after the rush: DR %d, %d pieces", i, after.Record.DR, after.Record.PieceCount)
		}
	}
	if ok[meters-1].Load() != 0 || refused[meters-1].Load() != perMeter {
		t.Errorf("tampered meter: %d bought, %d refused", ok[meters-1].Load(), refused[meters-1].Load())
	}
	alerts, _ := svc.Alerts(ctx, accounts.User{Role: accounts.RoleAdmin}, 10)
	if len(alerts) != 1 || alerts[0].Serial != tampered.meter.Record.Serial {
		t.Errorf("alerts %+v: want one, for the tampered meter", alerts)
	}
	// The audit flags the tampered meter and nothing else.
	rep, err := svc.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if !strings.Contains(p, tampered.meter.Record.Serial) {
			t.Errorf("audit problem outside the tampered meter: %s", p)
		}
	}
	if rep.Pieces != (meters-1)*covered {
		t.Errorf("audit counted %d pieces, want %d", rep.Pieces, (meters-1)*covered)
	}
	// Meters really shared transactions: fewer commits than meter groups.
	if batches.Load() == 0 || batchedMeters.Load() <= batches.Load() {
		t.Errorf("%d cross-meter transactions served %d meter groups: no group commit happened", batches.Load(), batchedMeters.Load())
	}
	t.Logf("%d cross-meter transactions served %d meter groups", batches.Load(), batchedMeters.Load())
}

// With group commit turned off every meter commits on its own, with the same
// outcome.
func TestGroupCommitOffGivesTheSameOutcome(t *testing.T) {
	b := meteringtest.Start(t)
	var batches atomic.Int64
	svc, ms, _ := setupMany(t, b, 4, 5*78, metering.Options{Committers: -1, OnBatch: func(int, int) { batches.Add(1) }})
	ctx := context.Background()
	var ok atomic.Int32
	var wg sync.WaitGroup
	for _, m := range ms {
		for range 7 {
			wg.Go(func() {
				if _, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err == nil {
					ok.Add(1)
				}
			})
		}
	}
	wg.Wait()
	if ok.Load() != 4*5 || batches.Load() != 0 {
		t.Errorf("%d bought (want 20), %d cross-meter transactions (want 0)", ok.Load(), batches.Load())
	}
	audit(t, svc)
}

// A cross-meter transaction makes one box request to dispense on all its
// meters and one to commit them, however many meters it serves.
func TestGroupCommitOneBoxRequestPerTransaction(t *testing.T) {
	b := meteringtest.Start(t)
	var batches, batchedMeters, batchedPieces atomic.Int64
	const meters, perMeter = 8, 3
	svc, ms, _ := setupMany(t, b, meters, 100*78, metering.Options{Committers: 1, NoPipeline: true, OnBatch: func(meters, pieces int) {
		batches.Add(1)
		batchedMeters.Add(int64(meters))
		batchedPieces.Add(int64(pieces))
	}})
	ctx := context.Background()
	before := b.Client.Requests()
	var wg sync.WaitGroup
	for _, m := range ms {
		for range perMeter {
			wg.Go(func() {
				if _, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	requests := int64(b.Client.Requests() - before)
	// Every purchase went the cross-meter way (none was handed to the
	// one-meter path, which would make box calls of its own) ...
	if batchedPieces.Load() != meters*perMeter {
		t.Fatalf("cross-meter transactions served %d pieces, want %d", batchedPieces.Load(), meters*perMeter)
	}
	// ... and each transaction made exactly two box requests.
	if requests != 2*batches.Load() {
		t.Errorf("%d box requests for %d cross-meter transactions (%d meter groups): want 2 per transaction", requests, batches.Load(), batchedMeters.Load())
	}
	if batchedMeters.Load() <= batches.Load() {
		t.Errorf("%d cross-meter transactions served %d meter groups: no group commit happened", batches.Load(), batchedMeters.Load())
	}
	t.Logf("%d cross-meter transactions served %d meter groups with %d box requests", batches.Load(), batchedMeters.Load(), requests)
	audit(t, svc)
}

// A cross-meter transaction that fails, while storing or at COMMIT (its
// BEGIN and COMMIT travel in batches with its statements, pipetx.go), loses
// nothing: each meter is served again on its own, the box resolves its
// pending step as a rollback (no false tamper alert), and the books balance.
func TestGroupCommitFailedTransactionIsServedMeterByMeter(t *testing.T) {
	b := meteringtest.Start(t)
	const meters, fund = 6, 10 * 78
	svc, ms, pool := setupMany(t, b, meters, fund, metering.Options{})
	ctx := context.Background()
	// Failures injected once each: a sequence counts outside transactions.
	if _, err := pool.Exec(ctx, `
		CREATE SEQUENCE test_store_fail; CREATE SEQUENCE test_commit_fail START 1000;
		CREATE FUNCTION test_store_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF nextval('test_store_fail') = 1 THEN RAISE EXCEPTION 'injected store failure'; END IF; RETURN NULL; END $$;
		CREATE FUNCTION test_commit_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF nextval('test_commit_fail') = 1 THEN RAISE EXCEPTION 'injected commit failure'; END IF; RETURN NULL; END $$;
		CREATE TRIGGER test_store_fail BEFORE INSERT ON meter_transactions FOR EACH STATEMENT EXECUTE FUNCTION test_store_fail();
		CREATE CONSTRAINT TRIGGER test_commit_fail AFTER INSERT ON purchases DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION test_commit_fail();`); err != nil {
		t.Fatal(err)
	}
	buy := func(m mailer) error {
		_, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
		return err
	}
	// A lone purchase takes the cross-meter path; its transaction fails
	// while storing, and the one-meter path serves it.
	if err := buy(ms[0]); err != nil {
		t.Fatalf("purchase whose transaction failed while storing: %v", err)
	}
	// The next one fails at COMMIT (a deferred check), and is served too.
	if _, err := pool.Exec(ctx, `SELECT setval('test_commit_fail', 1, false)`); err != nil {
		t.Fatal(err)
	}
	if err := buy(ms[1]); err != nil {
		t.Fatalf("purchase whose transaction failed at COMMIT: %v", err)
	}
	var storeCalls, commitCalls int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT last_value FROM test_store_fail), (SELECT last_value FROM test_commit_fail)`).Scan(&storeCalls, &commitCalls); err != nil {
		t.Fatal(err)
	}
	if storeCalls < 2 || commitCalls < 2 {
		t.Fatalf("the injected failures did not both fire and get retried (store %d, commit %d calls)", storeCalls, commitCalls)
	}
	// Then many purchases at once on every meter, and one more each.
	var wg sync.WaitGroup
	for _, m := range ms {
		for range 3 {
			wg.Go(func() {
				if err := buy(m); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	for i, m := range ms {
		if err := buy(m); err != nil {
			t.Fatalf("meter %d after the failures: %v", i, err)
		}
		want := int64(4)
		if i < 2 {
			want = 5
		}
		after, err := svc.Meter(ctx, m.owner, m.meter.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Record.PieceCount != want || after.Record.DR != fund-78*want {
			t.Errorf("meter %d: %d pieces, DR %d; want %d and %d", i, after.Record.PieceCount, after.Record.DR, want, fund-78*want)
		}
	}
	if alerts, _ := svc.Alerts(ctx, accounts.User{Role: accounts.RoleAdmin}, 10); len(alerts) != 0 {
		t.Errorf("tamper alerts after failed transactions: %+v", alerts)
	}
	rep, err := svc.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Pieces != 2*5+(meters-2)*4 {
		t.Errorf("audit: %d pieces, problems %v", rep.Pieces, rep.Problems)
	}
}
