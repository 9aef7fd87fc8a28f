package metering_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

// The spend rollup stays exactly equal to the pieces it summarizes after
// purchases (single pieces, pipelined batches and a COPY-sized batch) on
// several meters, voids and automatic refunds, all running at once.
func TestSpendRollupEqualsPiecesUnderConcurrency(t *testing.T) {
	b := meteringtest.Start(t)
	svc, ms, pool := setupMany(t, b, 3, 10_000_000, metering.Options{})
	ctx := context.Background()
	classes := []string{"FCM_LETTER", "PRIORITY", "GROUND_ADVANTAGE"}
	bought := make(chan string, 2000)
	first := make(chan struct{}) // closed when the first purchase is stored
	var once sync.Once
	var wg sync.WaitGroup
	for i, m := range ms {
		for g := range 4 {
			wg.Go(func() {
				for k := range 8 {
					n := 1 + (g+k)%3
					if i == 0 && g == 0 && k == 0 {
						n = 300 // stored with COPY
					}
					req := metering.PurchaseRequest{}
					for p := range n {
						pc := piece(int64(50 + (g*7+k*3+p)%40))
						pc.MailClass = classes[(g+k+p)%len(classes)]
						pc.WeightOz = float64(1 + p%5)
						req.Pieces = append(req.Pieces, pc)
					}
					res, err := svc.Purchase(ctx, m.owner, req)
					if err != nil {
						t.Errorf("meter %d purchase: %v", i, err)
						return
					}
					once.Do(func() { close(first) })
					for _, l := range res.Labels {
						select {
						case bought <- l.PublicID + "|" + fmt.Sprint(i):
						default:
						}
					}
				}
			})
		}
	}
	// Voids and refunds while purchases go on.
	var voided sync.Map
	for range 3 {
		wg.Go(func() {
			for range 40 {
				var x string
				select {
				case x = <-bought:
				case <-time.After(5 * time.Second):
					return
				}
				var id string
				var i int
				fmt.Sscanf(x[len(x)-1:], "%d", &i)
				id = x[:len(x)-2]
				if _, err := svc.Void(ctx, ms[i].owner, id); err == nil {
					voided.Store(id, true)
				}
			}
		})
	}
	// The refund pass takes the oldest issued labels, which the voiders are
	// voiding too: it goes on (a bounded number of runs) until one refund of
	// its own has gone through, and once more after the others if none did.
	var refunded int
	refund := func() {
		run, err := svc.SubmitRefunds(ctx, -72*time.Hour, 5, nil)
		refunded += run.Submitted
		if err != nil {
			t.Errorf("refunds: %v", err)
		}
	}
	wg.Go(func() {
		<-first
		for run := 0; run < 3 || (refunded == 0 && run < 20); run++ {
			refund()
		}
	})
	wg.Wait()
	if refunded == 0 {
		refund()
	}
	n := 0
	voided.Range(func(any, any) bool { n++; return true })
	if n == 0 || refunded == 0 {
		t.Fatalf("%d voids and %d refunds happened: the test checks nothing about them", n, refunded)
	}
	var pieces, voids, rolled, rolledVoids int64
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'voided') FROM indicia`).Scan(&pieces, &voids); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT sum(pieces), sum(voided_pieces) FROM spend_rollup`).Scan(&rolled, &rolledVoids); err != nil {
		t.Fatal(err)
	}
	if rolled != pieces || rolledVoids != voids {
		t.Errorf("rollup holds %d pieces, %d voided; the pieces are %d, %d voided", rolled, rolledVoids, pieces, voids)
	}
	bad, err := metering.SpendRollupMismatches(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d rollup rows differ from a GROUP BY over the pieces", bad)
	}
	// Weights are stored as given, on the COPY path too.
	var weighed int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE weight_oz BETWEEN 1 AND 5`).Scan(&weighed); err != nil {
		t.Fatal(err)
	}
	if weighed != pieces {
		t.Errorf("%d of %d pieces carry their weight", weighed, pieces)
	}
	// A rebuild gives the same rows.
	if err := metering.RebuildSpendRollup(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if bad, _ := metering.SpendRollupMismatches(ctx, pool); bad != 0 {
		t.Errorf("after a rebuild %d rows differ", bad)
	}
	t.Logf("%d pieces, %d voided (%d by the mailer, %d refunded)", pieces, voids, n, refunded)
}
