package metering_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

// TestBoxClusterLoad measures purchases per second and the 99th percentile
// on one box process and on a three-box cluster, in the same run, with the
// batched (cross-meter) dispensing of many meters. It only reports: run it
// with loadtest/box_cluster.sh (BOX_CLUSTER_LOAD=1).
func TestBoxClusterLoad(t *testing.T) {
	if os.Getenv("BOX_CLUSTER_LOAD") != "1" {
		t.Skip("a measurement: loadtest/box_cluster.sh runs it")
	}
	dur := 20 * time.Second
	if s, err := time.ParseDuration(os.Getenv("BOX_CLUSTER_LOAD_DURATION")); err == nil {
		dur = s
	}
	workers := 32
	if n, err := strconv.Atoi(os.Getenv("BOX_CLUSTER_LOAD_CLIENTS")); err == nil {
		workers = n
	}
	single := meteringtest.StartProcess(t)
	cluster := meteringtest.StartCluster(t, 3)
	type result struct {
		perSec float64
		p50    time.Duration
		p99    time.Duration
		failed int
	}
	// Each box gets its meters once: a box keeps the freshness of the
	// serials it made, so a second database's meters would collide.
	type target struct {
		svc *metering.Service
		ms  []mailer
	}
	setupFor := func(b *meteringtest.Box) target {
		svc, ms, _ := setupMany(t, b, 16, 100_000_000, metering.Options{})
		return target{svc, ms}
	}
	run := func(tg target) result {
		svc, ms := tg.svc, tg.ms
		ctx := context.Background()
		var mu sync.Mutex
		var lat []time.Duration
		var failed int
		var firstErr error
		stop := time.Now().Add(dur)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				var mine []time.Duration
				for time.Now().Before(stop) {
					m := ms[rand.IntN(len(ms))]
					t0 := time.Now()
					if _, err := svc.Purchase(ctx, m.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
						// Counted and shown, not fatal: on an overloaded
						// machine a missed heartbeat can start an election.
						mu.Lock()
						failed++
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						continue
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(lat)
		if len(lat) == 0 {
			t.Fatal("no purchase")
		}
		if firstErr != nil {
			t.Logf("%d purchases failed; first: %v", failed, firstErr)
		}
		return result{float64(len(lat)) / dur.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100], failed}
	}
	// Alternate, so a change in the machine's load touches both alike.
	var one, three []result
	onBox, onCluster := setupFor(single), setupFor(cluster.Box)
	for range 2 {
		one = append(one, run(onBox))
		three = append(three, run(onCluster))
	}
	for i := range one {
		t.Logf("round %d: one box %.0f purchases/s p50 %v p99 %v (%d failed) | three-box cluster %.0f purchases/s p50 %v p99 %v (%d failed) | cluster/one %.2f",
			i+1, one[i].perSec, one[i].p50.Round(time.Millisecond), one[i].p99.Round(time.Millisecond), one[i].failed,
			three[i].perSec, three[i].p50.Round(time.Millisecond), three[i].p99.Round(time.Millisecond), three[i].failed, three[i].perSec/one[i].perSec)
	}
}
