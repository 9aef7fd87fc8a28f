package metering_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

// Many clients on one meter: the groups are pipelined (the box signs the
// next group while the previous one commits), and every purchase is stored
// with registers, chain and audit intact.
func TestPipelinedPurchasesOnOneMeter(t *testing.T) {
	b := meteringtest.Start(t)
	var chained atomic.Int64
	svc, ms, _ := setupMany(t, b, 1, 1_000_000, metering.Options{OnChained: func(int) { chained.Add(1) }})
	m := ms[0]
	ctx := context.Background()
	var pieces, postage atomic.Int64
	var wg sync.WaitGroup
	for range 48 {
		wg.Go(func() {
			for range 8 {
				n := 1 + rand.IntN(3)
				req := metering.PurchaseRequest{}
				for range n {
					req.Pieces = append(req.Pieces, piece(78))
				}
				if _, err := svc.Purchase(ctx, m.owner, req); err != nil {
					t.Error(err)
					return
				}
				pieces.Add(int64(n))
				postage.Add(78 * int64(n))
			}
		})
	}
	wg.Wait()
	if chained.Load() == 0 {
		t.Fatal("no group was served on the pipelined path")
	}
	after, err := svc.Meter(ctx, m.owner, m.meter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := after.Record; r.PieceCount != pieces.Load() || r.AR != postage.Load() || r.DR != 1_000_000-postage.Load() {
		t.Errorf("registers: %+v; want %d pieces, AR %d", r, pieces.Load(), postage.Load())
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Errorf("%d tamper alerts", n)
	}
	t.Logf("%d pieces, %d groups pipelined", pieces.Load(), chained.Load())
	audit(t, svc)
}

// Two servers pipeline purchases on the same meter while credits, some of
// which fail after the box answered (so the box drops a chained step for a
// transaction that then rolls back), go through the ordinary path. Every
// purchase and every successful credit is stored once, the registers add
// up, and no false tamper alert is raised: a chained step dropped by the box
// fails its confirmation instead of being stored.
func TestPipelineWithCreditsAndTwoServers(t *testing.T) {
	b := meteringtest.Start(t)
	var chained atomic.Int64
	opt := metering.Options{OnChained: func(int) { chained.Add(1) }}
	svc, ms, pool := setupMany(t, b, 1, 200_000, opt)
	other := metering.New(pool, b.Client, opt)
	m := ms[0]
	ctx := context.Background()
	// Every third credit fails at COMMIT, after its box step.
	if _, err := pool.Exec(ctx, `
		CREATE SEQUENCE test_credit_fail;
		CREATE FUNCTION test_credit_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.kind = 'credit' AND nextval('test_credit_fail') % 3 = 0 THEN RAISE EXCEPTION 'injected credit failure'; END IF; RETURN NULL; END $$;
		CREATE CONSTRAINT TRIGGER test_credit_fail AFTER INSERT ON meter_transactions DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION test_credit_fail();`); err != nil {
		t.Fatal(err)
	}
	var postage, credited, failedCredits atomic.Int64
	var wg sync.WaitGroup
	for i := range 48 {
		s := svc
		if i%2 == 1 {
			s = other
		}
		wg.Go(func() {
			for range 16 {
				if _, err := s.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
					t.Error(err)
					return
				}
				postage.Add(78)
			}
		})
	}
	wg.Go(func() {
		for range 80 {
			if _, err := svc.Credit(ctx, accounts.System, m.meter.ID, 1_000, metering.CreditAdmin, ""); err != nil {
				failedCredits.Add(1)
				continue
			}
			credited.Add(1_000)
		}
	})
	wg.Wait()
	if failedCredits.Load() == 0 || credited.Load() == 0 {
		t.Fatalf("credits: %d cents stored, %d failed; want both", credited.Load(), failedCredits.Load())
	}
	after, err := svc.Meter(ctx, m.owner, m.meter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := after.Record; r.AR != postage.Load() || r.DR != 200_000+credited.Load()-postage.Load() || r.PieceCount != postage.Load()/78 {
		t.Errorf("registers: %+v; want AR %d, DR %d", r, postage.Load(), 200_000+credited.Load()-postage.Load())
	}
	if n, _ := svc.OpenAlerts(ctx); n != 0 {
		t.Errorf("%d tamper alerts", n)
	}
	// The next purchase from either server goes through.
	for _, s := range []*metering.Service{svc, other} {
		if _, err := s.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d groups pipelined; %d credits failed after their box step", chained.Load(), failedCredits.Load())
	audit(t, svc)
}

// boxWithout is a box that does not announce some operations (an older
// box); it counts the calls made to them anyway.
type boxWithout struct {
	*box.Client
	ops   []string
	asked atomic.Int64
}

func (b *boxWithout) Capabilities(ctx context.Context) (box.Capabilities, error) {
	caps, err := b.Client.Capabilities(ctx)
	caps.Ops = slices.DeleteFunc(slices.Clone(caps.Ops), func(op string) bool { return slices.Contains(b.ops, op) })
	return caps, err
}

func (b *boxWithout) DispenseChained(ctx context.Context, rec box.Record, pieces []box.Piece) (box.DispenseResult, error) {
	if slices.Contains(b.ops, box.OpDispenseChained) {
		b.asked.Add(1)
	}
	return b.Client.DispenseChained(ctx, rec, pieces)
}

func (b *boxWithout) DispenseMany(ctx context.Context, items []box.DispenseItem) ([]box.DispenseItemResult, error) {
	if slices.Contains(b.ops, box.OpDispenseMany) {
		b.asked.Add(1)
	}
	return b.Client.DispenseMany(ctx, items)
}

// A box that does not announce chained steps is never asked for one: the
// groups of a busy meter take the non-pipelined path (group commit when the
// box announces many-meter requests, the one-meter path when it serves only
// the base operations), and every purchase is stored once.
func TestBoxWithoutChainedStepsIsNotPipelined(t *testing.T) {
	for _, c := range []struct {
		name        string
		without     []string
		groupCommit bool
	}{
		{"no chained steps", []string{box.OpDispenseChained, box.OpConfirm}, true},
		{"base operations only", []string{box.OpDispenseChained, box.OpConfirm, box.OpDispenseMany, box.OpCommitMany, box.OpHello}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := meteringtest.Start(t) // meter serials restart with each database
			var chained, batches atomic.Int64
			opt := metering.Options{OnChained: func(int) { chained.Add(1) }, OnBatch: func(int, int) { batches.Add(1) }}
			_, ms, pool := setupMany(t, b, 1, 1_000_000, opt)
			old := &boxWithout{Client: b.Client, ops: c.without}
			svc := metering.New(pool, old, opt)
			m := ms[0]
			ctx := context.Background()
			var postage atomic.Int64
			var wg sync.WaitGroup
			for range 24 {
				wg.Go(func() {
					for range 6 {
						if _, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
							t.Error(err)
							return
						}
						postage.Add(78)
					}
				})
			}
			wg.Wait()
			if chained.Load() != 0 || old.asked.Load() != 0 {
				t.Errorf("%d groups pipelined, %d calls to operations the box does not announce: want none", chained.Load(), old.asked.Load())
			}
			if got := batches.Load() > 0; got != c.groupCommit {
				t.Errorf("%d cross-meter transactions; want some: %v", batches.Load(), c.groupCommit)
			}
			after, err := svc.Meter(ctx, m.owner, m.meter.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r := after.Record; r.AR != postage.Load() || r.DR != 1_000_000-postage.Load() || r.PieceCount != postage.Load()/78 {
				t.Errorf("registers: %+v; want AR %d", r, postage.Load())
			}
			if n, _ := svc.OpenAlerts(ctx); n != 0 {
				t.Errorf("%d tamper alerts", n)
			}
			audit(t, svc)
		})
	}
}
