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

// With the box down a trickle purchase charges the card but cannot dispense:
// the API answers 202 charged_pending with a status URL (never "nothing was
// charged"), and once the box is back the same key returns the labels with
// exactly one charge at Stripe. The purchase page shows the pending label.
func TestTrickleWithTheBoxDownAnswersChargedPendingAndTheSameKeyFinishes(t *testing.T) {
	e := webtest.New(t, webtest.Options{BoxProcess: true})
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d", r.StatusCode)
	}
	k := key(t, e, e.Owner, "buy_postage")

	e.Box.Kill()
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "pending-1")
	if code != http.StatusAccepted || out["status"] != "charged_pending" {
		t.Fatalf("box down: %d %v; want 202 charged_pending", code, out)
	}
	msg, _ := out["message"].(string)
	if !strings.Contains(msg, "Your card was charged") || !strings.Contains(msg, "same Idempotency-Key") || strings.Contains(strings.ToLower(msg), "nothing was charged") {
		t.Errorf("message %q", msg)
	}
	statusURL, _ := out["status_url"].(string)
	if !strings.HasPrefix(statusURL, "/api/v1/charges/ch_") || out["charge_id"] == nil || statusURL != "/api/v1/charges/"+out["charge_id"].(string) {
		t.Fatalf("status_url %q, charge %v", statusURL, out["charge_id"])
	}
	if n := e.Stripe.SucceededCharges(); n != 1 {
		t.Fatalf("%d Stripe charges with the box down, want 1", n)
	}
	code, st := apiCall(t, e, k, "GET", statusURL, "")
	if code != http.StatusOK || st["status"] != "charged_pending" || st["purchase"] != nil {
		t.Errorf("status while pending: %d %v", code, st)
	}
	e.Box.Restart(t)
	// Another account's key does not see the charge.
	other, _, err := e.Acc.SignUp(context.Background(), accounts.SignUpInput{Name: "Ned Other", Company: "Other Co", Email: "ned@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := apiCall(t, e, key(t, e, other), "GET", statusURL, ""); code != http.StatusNotFound {
		t.Errorf("another account's key reading the charge: %d, want 404", code)
	}

	code, out = apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "pending-1")
	if code != http.StatusOK || out["replayed"] != true {
		t.Fatalf("retry with the box back: %d %v; want 200 with the labels", code, out)
	}
	labels, _ := out["labels"].([]any)
	if len(labels) != 1 {
		t.Fatalf("retry returned %d labels", len(labels))
	}
	if n := e.Stripe.SucceededCharges(); n != 1 {
		t.Errorf("%d Stripe charges after the retry, want exactly 1", n)
	}
	code, st = apiCall(t, e, k, "GET", statusURL, "")
	p, _ := st["purchase"].(map[string]any)
	if code != http.StatusOK || st["status"] != "completed" || p == nil || p["id"] != out["id"] {
		t.Errorf("status once finished: %d %v", code, st)
	}

	// The page: the same with the box down shows the pending label and the charge.
	e.Box.Kill()
	form := url.Values{"token": {"tok-pending"}, "recipient_address": {"1600 Pennsylvania Ave NW, Washington DC 20500"}, "class": {"FCM_LETTER"},
		"weight_oz": {"1"}, "action": {"buy"}}
	r := e.Do("owner", "POST", "/postage", form)
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusAccepted || !strings.Contains(body, `id="charged-pending"`) || !strings.Contains(body, "Label pending: your card was charged") ||
		!strings.Contains(body, "visa ending 4242") || strings.Contains(strings.ToLower(body), "nothing was charged") {
		t.Fatalf("purchase page with the box down: %d\n%s", r.StatusCode, body)
	}
	if n := e.Stripe.SucceededCharges(); n != 2 {
		t.Errorf("%d Stripe charges, want 2", n)
	}
	e.Box.Restart(t)
	r = e.Do("owner", "POST", "/postage", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/labels/") {
		t.Fatalf("finish from the page: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	if n := e.Stripe.SucceededCharges(); n != 2 {
		t.Errorf("%d Stripe charges after finishing from the page, want 2", n)
	}
}
