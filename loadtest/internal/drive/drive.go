// Package drive is the closed-loop HTTP client of the load scripts: each of
// N clients sends one request, waits for the answer, and sends the next,
// for a fixed time; a request counts when it is answered 201 Created.
package drive

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Result is one run's outcome; Latencies are sorted.
type Result struct {
	Clients    int
	OK, Failed int64
	Elapsed    time.Duration
	Latencies  []time.Duration
	// CPU is this process's own CPU time during the run (the driver's share).
	CPU time.Duration
	// FirstFailure describes one refused request (status and the start of its body), if any.
	FirstFailure string
}

// Run drives clients concurrent clients for dur; newRequest makes each
// client's next request (rng is that client's own).
func Run(clients int, dur time.Duration, newRequest func(rng *rand.Rand) *http.Request) Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 30 * time.Second}
	var okN, failN atomic.Int64
	var firstFailure atomic.Pointer[string]
	var mu sync.Mutex
	var lat []time.Duration
	cpu0 := cpuTime()
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req := newRequest(rng)
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				var head []byte
				if resp != nil {
					head, _ = io.ReadAll(io.LimitReader(resp.Body, 200))
					// Drained, so the connection is reused as a real client's would be.
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != http.StatusCreated {
					if failN.Add(1) == 1 {
						f := fmt.Sprint(err)
						if err == nil {
							f = fmt.Sprintf("%d %s", resp.StatusCode, head)
						}
						firstFailure.Store(&f)
					}
					continue
				}
				okN.Add(1)
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	elapsed := time.Since(start)
	res := Result{Clients: clients, OK: okN.Load(), Failed: failN.Load(), Elapsed: elapsed, Latencies: lat, CPU: cpuTime() - cpu0}
	if f := firstFailure.Load(); f != nil {
		res.FirstFailure = *f
	}
	return res
}

// cpuTime is the user and system CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Percentile is the latency below which fraction p of the answers fell.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[int(float64(len(r.Latencies)-1)*p)].Round(10 * time.Microsecond)
}

func (r Result) String() string {
	var perOK time.Duration
	if r.OK > 0 {
		perOK = r.CPU / time.Duration(r.OK)
	}
	s := fmt.Sprintf("clients=%d duration=%s ok=%d failed=%d tps=%.0f p50=%s p99=%s driver_cpu_per_ok=%s", r.Clients, r.Elapsed.Round(time.Millisecond),
		r.OK, r.Failed, float64(r.OK)/r.Elapsed.Seconds(), r.Percentile(0.50), r.Percentile(0.99), perOK.Round(time.Microsecond))
	if r.FirstFailure != "" {
		s += fmt.Sprintf(" first_failure=%q", r.FirstFailure)
	}
	return s
}
