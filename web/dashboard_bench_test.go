package web_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"indicia/web/request"
	"indicia/web/webtest"
)

// BenchmarkDashboard is one logged-in dashboard page through the whole app
// (session in Redis, user and summary from PostgreSQL, templ rendering). It
// reports each request's server time as percentiles: the app's own handling,
// without a network or an HTTP client in between.
func BenchmarkDashboard(b *testing.B) { benchDashboard(b, 1) }

// BenchmarkDashboard32 is the same page under 32 concurrent clients on this
// machine's two cores, as the wrk load test drives it: server time then
// includes waiting for a core.
func BenchmarkDashboard32(b *testing.B) { benchDashboard(b, 16) }

func benchDashboard(b *testing.B, perCPU int) {
	e := webtest.New(b)
	cookie := &http.Cookie{Name: request.SessionCookie, Value: e.Sessions["owner"][0]}
	var (
		mu  sync.Mutex
		all []time.Duration
	)
	b.ReportAllocs()
	b.SetParallelism(perCPU)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req := httptest.NewRequest("GET", "/dashboard", nil)
			req.AddCookie(cookie)
			start := time.Now()
			resp, err := e.Srv.App.Test(req)
			mine = append(mine, time.Since(start))
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("dashboard: %v %v", err, resp)
			}
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
