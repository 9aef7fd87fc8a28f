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
	"time"
)

// Result is one run's outcome; Latencies are sorted.
type Result struct {
	Clients    int
	OK, Failed int64
	Elapsed    time.Duration
	Latencies  []time.Duration
}

// Run drives clients concurrent clients for dur; newRequest makes each
// client's next request (rng is that client's own).
func Run(clients int, dur time.Duration, newRequest func(rng *rand.Rand) *http.Request) Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 30 * time.Second}
	var okN, failN atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
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
				if resp != nil {
					// Drained, so the connection is reused as a real client's would be.
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != http.StatusCreated {
					failN.Add(1)
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
	return Result{Clients: clients, OK: okN.Load(), Failed: failN.Load(), Elapsed: time.Since(start), Latencies: lat}
}

// Percentile is the latency below which fraction p of the answers fell.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[int(float64(len(r.Latencies)-1)*p)].Round(10 * time.Microsecond)
}

func (r Result) String() string {
	return fmt.Sprintf("clients=%d duration=%s ok=%d failed=%d tps=%.0f p50=%s p99=%s", r.Clients, r.Elapsed.Round(time.Millisecond),
		r.OK, r.Failed, float64(r.OK)/r.Elapsed.Seconds(), r.Percentile(0.50), r.Percentile(0.99))
}
