package box_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

// The same meter step sent to every box of a cluster at once, straight to
// each box's own socket, and again with the leader gone: exactly one box
// accepts it each time, the others answer ErrNotLeader; and with two of
// three boxes down the survivor accepts nothing.
func TestTwoBoxesNeverAcceptTheSameStep(t *testing.T) {
	c := meteringtest.StartCluster(t, 3)
	ctx := context.Background()
	rec, _, err := c.Client.CreateMeter(ctx, "CLUSTER-1", "MFG", 1)
	if err != nil {
		t.Fatal(err)
	}
	direct := make([]*box.Client, len(c.Members))
	for i, m := range c.Members {
		if direct[i], err = box.Dial(m.Socket); err != nil {
			t.Fatal(err)
		}
		defer direct[i].Close()
	}
	// credit sends rec's next step to every running box at once.
	credit := func(rec box.Record, transfer string) (accepted []box.Record) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, cl := range direct {
			if !c.Members[i].Running() {
				continue
			}
			wg.Go(func() {
				next, _, err := cl.Credit(ctx, rec, 100, transfer)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					accepted = append(accepted, next)
				case errors.Is(err, box.ErrNotLeader):
				default:
					t.Errorf("box %s: %v, want an answer or ErrNotLeader", c.Members[i].ID, err)
				}
			})
		}
		wg.Wait()
		return accepted
	}
	var older box.Record
	for round := range 3 {
		if round == 1 {
			older = rec
		}
		got := credit(rec, fmt.Sprintf("T-%d", round))
		if len(got) != 1 {
			t.Fatalf("round %d: %d boxes accepted counter %d's step, want exactly 1", round, len(got), rec.Counter)
		}
		rec = got[0]
		if err := c.Client.Commit(ctx, rec.Serial, rec.Counter); err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			c.Members[c.Leader(t)].Kill()
			c.Leader(t)
		}
	}
	// An older record is a replay to the new leader too: the steps after
	// it were replicated before they were answered.
	if _, _, err := c.Client.Credit(ctx, older, 100, "T-replay"); !errors.Is(err, box.ErrTamperFreshness) {
		t.Fatalf("older record after failover: %v, want ErrTamperFreshness", err)
	}
	// Two of three down: the survivor is a minority and accepts nothing.
	c.Members[c.Leader(t)].Kill()
	var survivor int
	for i, m := range c.Members {
		if m.Running() {
			survivor = i
		}
	}
	if _, _, err := direct[survivor].Credit(ctx, rec, 100, "T-minority"); !errors.Is(err, box.ErrNotLeader) {
		t.Fatalf("a box without a majority answered %v, want ErrNotLeader", err)
	}
}
