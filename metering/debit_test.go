package metering_test

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

// A debit takes what the meter holds, at most the amount asked; a repeat of
// the same transfer takes nothing more; the audit counts the debits and
// stays clean.
func TestDebitTakesWhatTheMeterHolds(t *testing.T) {
	svc, owner, m := setup(t, meteringtest.Start(t), 1_000)
	ctx := context.Background()
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Debit(ctx, accounts.System, m.ID, 300, metering.DebitOutsideRefund, "outside:re_a")
	if err != nil {
		t.Fatal(err)
	}
	if d.Amount != 300 || d.Meter.Record.DR != 622 || d.Meter.Record.AR != 78 {
		t.Fatalf("debit of 300 from 922: took %d, DR %d AR %d", d.Amount, d.Meter.Record.DR, d.Meter.Record.AR)
	}
	// More than it holds: the register goes to zero, the rest is the caller's.
	d, err = svc.Debit(ctx, accounts.System, m.ID, 5_000, metering.DebitDispute, "outside:dp_b")
	if err != nil {
		t.Fatal(err)
	}
	if d.Amount != 622 || d.Requested != 5_000 || d.Meter.Record.DR != 0 {
		t.Fatalf("debit of 5000 from 622: took %d of %d, DR %d", d.Amount, d.Requested, d.Meter.Record.DR)
	}
	// Repeats answer what was taken and change nothing.
	again, err := svc.Debit(ctx, accounts.System, m.ID, 300, metering.DebitOutsideRefund, "outside:re_a")
	if err != nil || again.Amount != 300 || again.Meter.Record.DR != 0 || again.Meter.Record.Counter != d.Meter.Record.Counter {
		t.Fatalf("repeat: took %d, DR %d, counter %d (want %d): %v", again.Amount, again.Meter.Record.DR, again.Meter.Record.Counter, d.Meter.Record.Counter, err)
	}
	// An empty meter asks nothing of the box.
	none, err := svc.Debit(ctx, accounts.System, m.ID, 100, metering.DebitOutsideRefund, "outside:re_c")
	if err != nil || none.Amount != 0 || none.Meter.Record.Counter != d.Meter.Record.Counter {
		t.Fatalf("debit of an empty meter: took %d, counter %d: %v", none.Amount, none.Meter.Record.Counter, err)
	}
	// A transfer ID of a credit is not a debit.
	if _, err := svc.Credit(ctx, accounts.System, m.ID, 50, metering.CreditAdmin, "ft-credit"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Debit(ctx, accounts.System, m.ID, 50, metering.DebitOutsideRefund, "ft-credit"); err == nil {
		t.Fatal("a credit's transfer ID was taken as a debit")
	}
	if _, err := svc.Debit(ctx, owner, m.ID, 10, metering.DebitOutsideRefund, "outside:re_d"); err == nil {
		t.Fatal("a mailer debited a meter")
	}
	rep := audit(t, svc)
	if rep.Debited != 922 || rep.Transfers != 4 {
		t.Fatalf("audit: debited %d, %d transfers; want 922 and 4", rep.Debited, rep.Transfers)
	}
}

// The same debit delivered many times at once takes the money once.
func TestConcurrentDebitsOfOneTransferTakeItOnce(t *testing.T) {
	svc, _, m := setup(t, meteringtest.Start(t), 10_000)
	ctx := context.Background()
	var wg sync.WaitGroup
	var taken atomic.Int64
	for range 8 {
		wg.Go(func() {
			d, err := svc.Debit(ctx, accounts.System, m.ID, 700, metering.DebitOutsideRefund, "outside:re_twice")
			if err != nil {
				t.Error(err)
				return
			}
			taken.Store(d.Amount)
		})
	}
	wg.Wait()
	after, _ := svc.Meter(ctx, accounts.System, m.ID)
	if after.Record.DR != 9_300 || taken.Load() != 700 {
		t.Fatalf("8 concurrent deliveries of one 700 debit: DR %d (want 9300), each answered %d", after.Record.DR, taken.Load())
	}
	if rep := audit(t, svc); rep.Debited != 700 {
		t.Fatalf("audit: debited %d, want 700", rep.Debited)
	}
}

// crashingBox answers a debit from the real box and then fails, as a serve
// process that died after the box's step and before its commit; or loses
// the Commit call after the database committed.
type crashingBox struct {
	*box.Client
	failDebit, dropCommit atomic.Bool
}

func (c *crashingBox) Debit(ctx context.Context, rec box.Record, amount int64, id string) (box.Record, box.TxRecord, error) {
	r, t, err := c.Client.Debit(ctx, rec, amount, id)
	if err == nil && c.failDebit.Load() {
		return box.Record{}, box.TxRecord{}, errors.New("serve died before storing the debit")
	}
	return r, t, err
}

func (c *crashingBox) Commit(ctx context.Context, serial string, counter int64) error {
	if c.dropCommit.Load() {
		return errors.New("serve died before the box commit")
	}
	return c.Client.Commit(ctx, serial, counter)
}

// A debit whose box step is pending when its transaction dies is dropped by
// the box at the next step on the meter, the retry takes the money once,
// and a debit committed without the box's Commit is taken as committed:
// no false tamper alert, the audit clean.
func TestDebitInterruptedMidwayKeepsTheHandOff(t *testing.T) {
	b := meteringtest.Start(t)
	_, owner, m, pool := setupPool(t, b, 0)
	cb := &crashingBox{Client: b.Client}
	svc := metering.New(pool, cb, metering.Options{})
	ctx := context.Background()
	if _, err := svc.Credit(ctx, accounts.System, m.ID, 2_000, metering.CreditAdmin, "fund"); err != nil {
		t.Fatal(err)
	}
	cb.failDebit.Store(true)
	if _, err := svc.Debit(ctx, accounts.System, m.ID, 500, metering.DebitOutsideRefund, "outside:re_crash"); err == nil {
		t.Fatal("the interrupted debit reported success")
	}
	cb.failDebit.Store(false)
	d, err := svc.Debit(ctx, accounts.System, m.ID, 500, metering.DebitOutsideRefund, "outside:re_crash")
	if err != nil {
		t.Fatalf("retry after the interrupted debit: %v", err)
	}
	if d.Amount != 500 || d.Meter.Record.DR != 1_500 {
		t.Fatalf("retry took %d, DR %d; want 500 and 1500", d.Amount, d.Meter.Record.DR)
	}
	cb.dropCommit.Store(true)
	if d, err = svc.Debit(ctx, accounts.System, m.ID, 200, metering.DebitDispute, "outside:dp_nocommit"); err != nil || d.Meter.Record.DR != 1_300 {
		t.Fatalf("debit without the box commit: %v (DR %d)", err, d.Meter.Record.DR)
	}
	cb.dropCommit.Store(false)
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("purchase after the interrupted debits: %v", err)
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Fatalf("%d tamper alerts after the interrupted debits", n)
	}
	if rep := audit(t, svc); rep.Debited != 700 {
		t.Fatalf("audit: debited %d, want 700", rep.Debited)
	}
}

// debitChild is a stand-in serve process that debits the meter in its
// environment one cent at a time, each with a new transfer ID, until killed.
func debitChild(svc *metering.Service) int {
	meter, _ := strconv.ParseInt(os.Getenv("CHILD_DEBIT_METER"), 10, 64)
	ctx := context.Background()
	var printed sync.Once
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := "kill:" + strconv.Itoa(os.Getpid()) + ":" + strconv.Itoa(w) + ":" + strconv.Itoa(i)
				d, err := svc.Debit(ctx, accounts.System, meter, 1, metering.DebitOutsideRefund, id)
				if err != nil {
					os.Stderr.WriteString("child debit: " + err.Error() + "\n")
					continue
				}
				if d.Amount == 0 {
					return
				}
				printed.Do(func() { os.Stdout.WriteString(childBuying + "\n") })
			}
		})
	}
	wg.Wait()
	return 0
}

// Killing the serve process at any point of a debit loses nothing and raises
// no false tamper alert: every debit the box signed is either stored with
// its transfer or dropped by the box.
func TestKillingServeMidDebit(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1_000_000)
	url := pool.Config().ConnString()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for range 4 {
		runChildUntilKilled(t, rng, "CHILD_DATABASE_URL="+url, "CHILD_BOX_SOCKET="+b.Socket,
			"CHILD_DEBIT_METER="+strconv.FormatInt(m.ID, 10))
	}
	ctx := context.Background()
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("purchase after the crashes: %v", err)
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Fatalf("%d tamper alerts after crashes", n)
	}
	rep := audit(t, svc)
	if rep.Debited == 0 {
		t.Fatal("the killed processes debited nothing: the test did not exercise debits")
	}
	t.Logf("after 4 kills: %d cents debited in %d transfers", rep.Debited, rep.Transfers)
}
