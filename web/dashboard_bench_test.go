package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"indicia/web/request"
	"indicia/web/webtest"
)

// BenchmarkDashboard is one logged-in dashboard page through the whole app
// (session in Redis, user and summary from PostgreSQL, templ rendering).
func BenchmarkDashboard(b *testing.B) {
	e := webtest.New(b)
	cookie := &http.Cookie{Name: request.SessionCookie, Value: e.Sessions["owner"][0]}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/dashboard", nil)
			req.AddCookie(cookie)
			resp, err := e.Srv.App.Test(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("dashboard: %v %v", err, resp)
			}
		}
	})
}
