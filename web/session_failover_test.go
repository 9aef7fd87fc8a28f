package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"indicia/db/dbtest"
	"indicia/web/webtest"
)

// A Redis failover (Sentinel promotes the replica) keeps a logged-in user
// logged in: their session was replicated, and serve follows the new
// master. While the roles change a page may say "try again" (503), never
// fail with a 500; logging in, which is throttled in Redis, works after.
func TestSessionSurvivesARedisFailover(t *testing.T) {
	s := dbtest.StartSentinel(t)
	e := webtest.New(t, webtest.Options{Redis: s.Client(t, "serve")})
	if r := e.Do("owner", http.MethodGet, "/dashboard", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard before the failover: %d", r.StatusCode)
	}
	s.Synced(t)
	s.Failover(t)

	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.Do("owner", http.MethodGet, "/dashboard", nil)
		body := webtest.Body(t, r)
		if r.StatusCode == http.StatusOK {
			if !strings.Contains(body, "Olive") {
				t.Fatalf("the dashboard after the failover is not the owner's")
			}
			break
		}
		switch {
		case r.StatusCode == http.StatusServiceUnavailable:
		case r.StatusCode/100 == 3:
			t.Fatalf("the session was lost in the failover: redirected to %s", r.Header.Get("Location"))
		default:
			t.Fatalf("dashboard during the failover: %d\n%s", r.StatusCode, body)
		}
		if time.Now().After(deadline) {
			t.Fatal("still 503 30 s after the failover")
		}
		time.Sleep(100 * time.Millisecond)
	}

	form := url.Values{"email": {"clerk@example.com"}, "password": {webtest.Passwords["clerk"]}}
	r := e.Do("anon", http.MethodPost, "/login", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/dashboard") {
		t.Fatalf("login on the new master: %d to %q\n%s", r.StatusCode, r.Header.Get("Location"), webtest.Body(t, r))
	}
}
