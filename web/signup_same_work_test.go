package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/web/webtest"
)

// A new and a taken address at sign-up do the same kind of work: the same
// box round trips (the peppered password hash), one email each, and no
// meter; the new account's meter is made when its owner confirms the
// address, so the answer's time does not tell which addresses have accounts.
func TestSignUpDoesTheSameWorkForANewAndATakenEmail(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	form := func(email string) url.Values {
		return url.Values{"name": {"Bea"}, "company": {"Bea Co"}, "email": {email}, "password": {"a long password"},
			"address_line1": {"2 Oak St"}, "city": {"Albany"}, "state": {"NY"}, "zip": {"12207"}}
	}
	meters := func() (n int) {
		e.Pool.QueryRow(ctx, `SELECT count(*) FROM meters`).Scan(&n)
		return n
	}
	before := meters()
	signUp := func(email string) uint64 {
		t.Helper()
		start := e.Box.Client.Requests()
		r := e.Do("anon", "POST", "/signup", form(email))
		if b := webtest.Body(t, r); r.StatusCode != http.StatusOK || !strings.Contains(b, "Check your email") {
			t.Fatalf("sign-up of %s: %d", email, r.StatusCode)
		}
		return e.Box.Client.Requests() - start
	}
	fresh := signUp("bea@example.com")
	taken := signUp("owner@example.com")
	if fresh != taken {
		t.Errorf("a new address made %d box requests, a taken one %d; want the same", fresh, taken)
	}
	if n := meters(); n != before {
		t.Errorf("sign-up made %d meters before the address was confirmed", n-before)
	}
	if mails := e.Mail.Wait(2, 30*time.Second); len(mails) != 2 {
		t.Errorf("%d emails, want one for each sign-up", len(mails))
	}
	// Confirming the address makes the account's one active meter.
	link := mailLink(t, e, 1, "bea@example.com")
	for range 2 {
		e.Do("anon", "GET", link, nil).Body.Close()
	}
	var acct int64
	e.Pool.QueryRow(ctx, `SELECT account_id FROM users WHERE email = 'bea@example.com'`).Scan(&acct)
	ms, err := e.Metering.Meters(ctx, accounts.System, acct)
	if err != nil || len(ms) != 1 || ms[0].Record.Status != "active" || ms[0].Record.OriginZIP != "12207" {
		t.Fatalf("after confirming: meters %+v %v, want one active meter at 12207", ms, err)
	}
}
