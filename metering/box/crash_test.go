package box

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// boxProcess runs the box as a separate OS process: this test binary
// re-executed with BOX_TEST_CHILD=1 (see TestMain).
type boxProcess struct {
	cmd    *exec.Cmd
	done   chan error
	stderr *bytes.Buffer
	once   sync.Once
}

func startBoxProcess(t *testing.T, e env) (*boxProcess, *Client) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BOX_TEST_CHILD=1", "BOX_SOCKET="+e.socket, "BOX_STATE_DIR="+e.state)
	for k, v := range e.keysEnv() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &boxProcess{cmd: cmd, done: make(chan error, 1), stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	return p, dialWait(t, e.socket, p.done)
}

func (p *boxProcess) kill() {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	})
}

// database is what serve would keep in PostgreSQL for one meter.
type database struct {
	m         *meter
	credited  int64
	rollbacks int
}

// purchase is serve's prepaid purchase: dispense, store (or roll back, as a
// failed PostgreSQL commit would), then Commit. It reports which call the
// box died in.
func (db *database) purchase(t *testing.T, c *Client, rng *rand.Rand) (diedIn string) {
	batch := make([]Piece, 1+rng.IntN(3))
	for i := range batch {
		batch[i] = piece(1+rng.Int64N(1000), "10001")
	}
	res, err := c.Dispense(ctx, db.m.rec, batch)
	if err != nil {
		var te *TamperError
		if errors.As(err, &te) {
			t.Errorf("false tamper alert: %v", err)
		}
		return "dispense"
	}
	if rng.IntN(4) == 0 { // the database transaction fails: nothing stored, no Commit
		db.rollbacks++
		return ""
	}
	for _, p := range res.Pieces {
		db.m.store(t, res.Record, p.Tx)
	}
	if err := c.Commit(ctx, db.m.rec.Serial, db.m.rec.Counter); err != nil {
		return "commit"
	}
	return ""
}

// Killing the box process with SIGKILL while purchases run, again and
// again, loses no postage, counts none twice and raises no tamper alert.
func TestBoxKilledMidDispenseRecovers(t *testing.T) {
	e := newEnv(t, time.Now())
	const credit = 100_000_000
	p, c := startBoxProcess(t, e)
	db := &database{m: activeMeter(t, c, "IND-CRASH", "12345", credit), credited: credit}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(1, seed))     // purchases
	killRNG := rand.New(rand.NewPCG(2, seed)) // kill timing
	killedIn := map[string]int{}
	for round := range 8 {
		var wg sync.WaitGroup
		var died string
		wg.Go(func() {
			for died == "" && !t.Failed() {
				died = db.purchase(t, c, rng)
			}
		})
		time.Sleep(time.Duration(5+killRNG.IntN(40)) * time.Millisecond)
		p.kill()
		wg.Wait()
		killedIn[died]++
		c.Close()
		if t.Failed() {
			t.Fatalf("round %d; box stderr:\n%s", round, p.stderr)
		}
		p, c = startBoxProcess(t, e)
	}
	t.Logf("kills during: %v; database rollbacks: %d; pieces: %d", killedIn, db.rollbacks, db.m.rec.PieceCount)
	if killedIn["dispense"] == 0 {
		t.Error("no kill landed during a dispense call")
	}

	// The database's record is the box's current one, and the meter works.
	if err := c.VerifyRecord(ctx, db.m.rec); err != nil {
		t.Fatalf("after crashes: %v", err)
	}
	if db.purchase(t, c, rng) != "" {
		t.Fatal("purchase after the crashes failed")
	}
	r := db.m.rec
	var postage, pieces int64
	for _, tx := range db.m.txs {
		if tx.Kind == TxPostage {
			postage += tx.Amount
			pieces++
			if tx.PieceNumber != pieces {
				t.Fatalf("piece number %d where %d was next: lost or double counted", tx.PieceNumber, pieces)
			}
		}
	}
	if r.AR != postage || r.AR+r.DR != db.credited || r.PieceCount != pieces {
		t.Fatalf("registers AR=%d DR=%d pieces=%d; stored postage %d in %d pieces, credited %d", r.AR, r.DR, r.PieceCount, postage, pieces, db.credited)
	}
	checkChain(t, db.m)
}
