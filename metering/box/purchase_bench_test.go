package box

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPurchaseShaped is the box's traffic under the purchase path's
// random-meter run: workers each send one DispenseMany of a few meters × 1
// piece, then the CommitMany, over the socket, box and client in this
// process. It reports the process's CPU (user + system, from getrusage) per
// piece, which is what a change to the box, its client or the wire costs or
// saves; and the heap allocations per piece.
func BenchmarkPurchaseShaped(b *testing.B) {
	const workers, perGroup = 8, 4
	e := newEnv(b, time.Now())
	c, _ := e.start(b)
	ms := make([][]*meter, workers)
	for w := range ms {
		for i := range perGroup {
			ms[w] = append(ms[w], activeMeter(b, c, fmt.Sprintf("IND-S%02d%02d", w, i), "12345", 1e11))
		}
	}
	ps := pieces(1, 50)
	group := func(w int) error {
		items := make([]DispenseItem, perGroup)
		for i, m := range ms[w] {
			items[i] = DispenseItem{Record: m.rec, Pieces: ps}
		}
		res, err := c.DispenseMany(ctx, items)
		if err != nil {
			return err
		}
		commits := make([]CommitItem, perGroup)
		for i, m := range ms[w] {
			if res[i].Err != nil {
				return res[i].Err
			}
			m.rec = res[i].Result.Record
			commits[i] = CommitItem{Serial: m.rec.Serial, Counter: m.rec.Counter}
		}
		errs, err := c.CommitMany(ctx, commits)
		if err == nil {
			err = errors.Join(errs...)
		}
		return err
	}
	// Each worker plays b.N/workers groups (at least one).
	per := max(1, b.N/workers)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range per {
				if err := group(w); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	n := per * workers * perGroup
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/piece")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pieces/s")
}

// processCPU is the user and system time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
