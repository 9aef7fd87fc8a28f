package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"indicia/web/webtest"
)

// TestMeasureSignUpTiming is a measurement, not a check (loadtest/signup_timing.sh
// runs it): 100 sign-ups with new addresses and 100 with a taken one,
// alternated, and for comparison the work the new path did before (a meter
// made at sign-up). It prints the medians and 90th percentiles.
func TestMeasureSignUpTiming(t *testing.T) {
	if os.Getenv("SIGNUP_TIMING") == "" {
		t.Skip("a measurement: run loadtest/signup_timing.sh")
	}
	e := webtest.New(t)
	ctx := context.Background()
	form := func(email string) url.Values {
		return url.Values{"name": {"Bea"}, "company": {"Bea Co"}, "email": {email}, "password": {"a long password"},
			"address_line1": {"2 Oak St"}, "city": {"Albany"}, "state": {"NY"}, "zip": {"12207"}}
	}
	signUp := func(email string) time.Duration {
		// The per-address limit would stop the run; clear it.
		if keys, _ := e.Redis.Keys(ctx, "*limit:signupip:*").Result(); len(keys) > 0 {
			e.Redis.Del(ctx, keys...)
		}
		start := time.Now()
		r := e.Do("anon", "POST", "/signup", form(email))
		d := time.Since(start)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("sign-up %s: %d", email, r.StatusCode)
		}
		r.Body.Close()
		return d
	}
	var fresh, taken, old []time.Duration
	for i := range 100 {
		fresh = append(fresh, signUp(fmt.Sprintf("new%d@example.com", i)))
		taken = append(taken, signUp("owner@example.com"))
		d := signUp(fmt.Sprintf("old%d@example.com", i))
		var acct int64
		var zip string
		start := time.Now()
		e.Pool.QueryRow(ctx, `SELECT a.id, a.origin_zip FROM master_accounts a JOIN users u ON u.account_id = a.id WHERE u.email = $1`,
			fmt.Sprintf("old%d@example.com", i)).Scan(&acct, &zip)
		if _, err := e.Metering.Provision(ctx, acct, zip); err != nil {
			t.Fatal(err)
		}
		old = append(old, d+time.Since(start))
	}
	q := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[int(p*float64(len(s)-1))].Round(100 * time.Microsecond)
	}
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{{"new address", fresh}, {"taken address", taken}, {"new address + meter at sign-up (before)", old}} {
		fmt.Printf("signup-timing: %-42s median %v  p90 %v\n", r.name, q(r.ds, 0.5), q(r.ds, 0.9))
	}
	fmt.Printf("signup-timing: ratio new/taken median %.2f; before %.2f\n",
		float64(q(fresh, 0.5))/float64(q(taken, 0.5)), float64(q(old, 0.5))/float64(q(taken, 0.5)))
}
