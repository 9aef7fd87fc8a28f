package metering_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

func TestMain(m *testing.M) {
	if os.Getenv("METERING_CRASH_CHILD") == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// crashChild is a stand-in serve process: it buys postage in a loop on the
// meter named in its environment until it is killed.
func crashChild() int {
	ctx := context.Background()
	pool, err := db.Open(ctx, os.Getenv("CHILD_DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	client, err := box.Dial(os.Getenv("CHILD_BOX_SOCKET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// CHILD_PIPELINE: many workers on one meter, and "buying" only once a
	// group was served on the pipelined path (dispense_pipeline.go).
	pipeline := os.Getenv("CHILD_PIPELINE") == "1"
	var chained atomic.Bool
	svc := metering.New(pool, client, metering.Options{OnChained: func(int) { chained.Store(true) }})
	if os.Getenv("CHILD_DEBIT_METER") != "" {
		return debitChild(svc)
	}
	// CHILD_ACCOUNT is one account; CHILD_ACCOUNTS several, whose purchases
	// then share cross-meter transactions.
	var owners []accounts.User
	for _, a := range strings.Split(os.Getenv("CHILD_ACCOUNT")+","+os.Getenv("CHILD_ACCOUNTS"), ",") {
		if acct, err := strconv.ParseInt(a, 10, 64); err == nil {
			owners = append(owners, accounts.User{ID: 0, AccountID: acct, Role: accounts.RoleOwner})
		}
	}
	workers := 4
	if len(owners) > 1 || pipeline {
		workers = 16
	}
	var wg sync.WaitGroup
	var bought sync.Once
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := owners[w%len(owners)]
			for {
				n := 1 + rand.Intn(5)
				pieces := make([]metering.PieceRequest, n)
				for i := range pieces {
					pieces[i] = piece(78)
				}
				if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: pieces}); err != nil {
					if e, ok := apperr.As(err); ok && e.Code == "insufficient_funds" {
						return
					}
					fmt.Fprintln(os.Stderr, "child purchase:", err)
				} else if !pipeline || chained.Load() {
					bought.Do(func() { fmt.Println(childBuying) })
				}
			}
		}()
	}
	wg.Wait()
	return 0
}

// childBuying is the line a crash child prints once its first purchase is
// stored: the parent kills it only from then on, so that a slow start (the
// race detector, a loaded machine) cannot use up the time before the kill.
const childBuying = "buying"

// runChildUntilKilled starts a crash child with env, waits until it buys,
// lets it buy for a random 20-320 ms more, and kills it.
func runChildUntilKilled(t *testing.T, rng *rand.Rand, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "METERING_CRASH_CHILD=1"), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buying := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		buying <- strings.TrimSpace(line) == childBuying
		io.Copy(io.Discard, out)
	}()
	select {
	case ok := <-buying:
		if !ok {
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			t.Fatal("the crash child exited before it bought anything")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Fatal("the crash child bought nothing in 60 s")
	}
	time.Sleep(time.Duration(20+rng.Intn(300)) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// Killing the serve process at any point of a purchase loses no funds, leaves
// no postage unaccounted for and raises no false tamper alert.
func TestKillingServeMidPurchase(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1_000_000)
	pool.Config()
	url := pool.Config().ConnString()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < 8; round++ {
		runChildUntilKilled(t, rng, "CHILD_DATABASE_URL="+url, "CHILD_BOX_SOCKET="+b.Socket,
			"CHILD_ACCOUNT="+strconv.FormatInt(owner.AccountID, 10))
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.PieceCount == 0 {
		t.Fatal("the killed processes bought nothing: the test did not exercise purchases")
	}
	// The next purchase goes through: no false tamper alert.
	if _, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("purchase after the crashes: %v", err)
	}
	if n, _ := svc.OpenAlerts(context.Background()); n != 0 {
		t.Fatalf("%d tamper alerts after crashes", n)
	}
	rep := audit(t, svc)
	t.Logf("after 8 kills: %d pieces, %d cents of postage, %d cents credited", rep.Pieces, rep.Postage, rep.Credited)
}

// The same with many purchases at once on one meter, so that the killed
// process dies while the groups of the meter are pipelined: one group's
// chained step answered or confirmed by the box while the group before it
// commits. Nothing is lost, and no false tamper alert follows.
func TestKillingServeMidPipelinedPurchase(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1_000_000)
	url := pool.Config().ConnString()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < 8; round++ {
		runChildUntilKilled(t, rng, "CHILD_DATABASE_URL="+url, "CHILD_BOX_SOCKET="+b.Socket,
			"CHILD_ACCOUNT="+strconv.FormatInt(owner.AccountID, 10), "CHILD_PIPELINE=1")
	}
	ctx := context.Background()
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("purchase after the crashes: %v", err)
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Fatalf("%d tamper alerts after crashes", n)
	}
	after, _ := svc.Meter(ctx, owner, m.ID)
	rep := audit(t, svc)
	t.Logf("after 8 kills: %d pieces (meter piece count %d), %d cents of postage", rep.Pieces, after.Record.PieceCount, rep.Postage)
}

// The same with purchases on six meters at once, so that the killed process
// dies inside cross-meter transactions (group commit): every meter's
// registers, chain and ledger still add up, and no meter raises an alert.
func TestKillingServeMidCrossMeterPurchase(t *testing.T) {
	b := meteringtest.Start(t)
	svc, ms, pool := setupMany(t, b, 6, 1_000_000, metering.Options{})
	url := pool.Config().ConnString()
	var ids []string
	for _, m := range ms {
		ids = append(ids, strconv.FormatInt(m.owner.AccountID, 10))
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < 6; round++ {
		runChildUntilKilled(t, rng, "CHILD_DATABASE_URL="+url, "CHILD_BOX_SOCKET="+b.Socket,
			"CHILD_ACCOUNTS="+strings.Join(ids, ","))
	}
	ctx := context.Background()
	var multi int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT created_at FROM purchases GROUP BY created_at HAVING count(DISTINCT meter_id) > 1) g`).Scan(&multi); err != nil {
		t.Fatal(err)
	}
	if multi == 0 {
		t.Fatal("no transaction served two meters: the test did not exercise group commit")
	}
	for i, m := range ms {
		after, _ := svc.Meter(ctx, m.owner, m.meter.ID)
		if after.Record.PieceCount == 0 {
			t.Errorf("meter %d: the killed processes bought nothing on it", i)
		}
		// The next purchase goes through: no false tamper alert.
		if _, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
			t.Errorf("meter %d: purchase after the crashes: %v", i, err)
		}
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Fatalf("%d tamper alerts after crashes", n)
	}
	rep := audit(t, svc)
	t.Logf("after 6 kills: %d pieces on %d meters, %d transactions that served several meters", rep.Pieces, len(ms), multi)
}

// Killing the box process mid-purchase: purchases fail with "try again" while
// it is down, and after a restart everything that was answered is stored and
// the registers add up.
func TestKillingTheBoxMidPurchase(t *testing.T) {
	b := meteringtest.StartProcess(t)
	svc, owner, _ := setup(t, b, 1_000_000)
	ctx := context.Background()
	var ok atomic.Int64
	var labels sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78), piece(78)}})
				if err == nil {
					ok.Add(1)
					for _, l := range p.Labels {
						labels.Store(l.PublicID, true)
					}
					continue
				}
				if apperr.KindOf(err) != apperr.KindUnavailable {
					t.Errorf("purchase while the box restarts: %v", err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	for round := 0; round < 5; round++ {
		time.Sleep(time.Duration(100+rand.Intn(200)) * time.Millisecond)
		b.Kill()
		time.Sleep(50 * time.Millisecond)
		b.Restart(t)
	}
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	if ok.Load() == 0 {
		t.Fatal("no purchase succeeded")
	}
	n := 0
	labels.Range(func(k, _ any) bool {
		if _, err := svc.LabelByID(ctx, owner, k.(string)); err != nil {
			t.Errorf("label %s was answered but is not stored: %v", k, err)
		}
		n++
		return true
	})
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("purchase after the restarts: %v", err)
	}
	if a, _ := svc.OpenAlerts(ctx); a != 0 {
		t.Fatalf("%d tamper alerts after box crashes", a)
	}
	rep := audit(t, svc)
	if rep.Pieces != int64(n)+1 {
		t.Errorf("%d pieces on the meter but %d labels were handed out", rep.Pieces, n+1)
	}
	t.Logf("5 box kills: %d purchases answered, %d pieces stored", ok.Load(), rep.Pieces)
}
