package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// "Manage funds" governs the card, funding and top-ups for a mailer user:
// without it every billing action is 403 and the page offers none; with it
// the user saves a card, sets funding and tops up like the owner.
func TestManageFundsGovernsBillingActions(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	u, err := e.Acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: "fay@example.com", Name: "Fay Funds", Role: "mailer_user",
		AccountID: e.Owner.AccountID, Password: "fay funds password 1", Permissions: []string{string(accounts.PermManageFunds)}})
	if err != nil {
		t.Fatal(err)
	}
	id, s, err := e.Acc.Sessions.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Sessions["fay"] = [2]string{id, s.CSRF}
	meter := "/billing/meters/" + strconv.FormatInt(e.Meter.ID, 10)

	actions := []struct {
		method, path string
		form         url.Values
	}{
		{"POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}}},
		{"GET", "/billing/card/new", nil},
		{"POST", meter + "/funding", url.Values{"mode": {"prepaid"}, "refill_amount": {"50"}, "refill_threshold": {"10"}, "refill_daily_cap": {"100"}}},
		{"POST", meter + "/topup", url.Values{"amount": {"20"}}},
		{"POST", "/billing/card/remove", nil},
	}
	for _, a := range actions {
		if r := e.Do("clerk", a.method, a.path, a.form); r.StatusCode != http.StatusForbidden {
			t.Errorf("clerk without Manage funds: %s %s = %d, want 403", a.method, a.path, r.StatusCode)
		}
	}
	if body := webtest.Body(t, e.Do("clerk", "GET", "/billing", nil)); strings.Contains(body, meter+"/topup") || strings.Contains(body, meter+"/funding") {
		t.Error("the billing page offers funding forms to a user without Manage funds")
	}
	if n := e.Stripe.SucceededCharges(); n != 0 {
		t.Fatalf("%d charges after refused actions", n)
	}

	if body := webtest.Body(t, e.Do("fay", "GET", "/billing", nil)); !strings.Contains(body, meter+"/topup") {
		t.Error("the billing page offers no top-up to a user with Manage funds")
	}
	for _, a := range actions {
		r := e.Do("fay", a.method, a.path, a.form)
		// The card setup page may redirect (no publishable key); a change
		// redirects back to the billing page.
		if a.method == "GET" && r.StatusCode == http.StatusForbidden || a.method == "POST" && r.StatusCode != http.StatusSeeOther {
			t.Errorf("user with Manage funds: %s %s = %d\n%.500s", a.method, a.path, r.StatusCode, webtest.Body(t, r))
		}
	}
	if n := e.Stripe.SucceededCharges(); n != 1 {
		t.Errorf("%d charges after one top-up by a user with Manage funds, want 1", n)
	}
}
