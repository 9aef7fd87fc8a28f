package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// A top-up that cannot go through comes back on the billing page with the
// reason next to the amount, the amount kept, and the meter's funding form
// still showing its saved auto-refill.
func TestRefusedTopUpSaysWhyAndKeepsTheForms(t *testing.T) {
	e := webtest.New(t)
	meter := "/billing/meters/" + strconv.FormatInt(e.Meter.ID, 10)

	r := e.Do("owner", "POST", meter+"/topup", url.Values{"amount": {"20"}})
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="field-error">Add a card first`) || !strings.Contains(body, `name="amount" type="text" inputmode="decimal" value="20"`) {
		t.Fatalf("top-up without a card: %d, want 422 with the message at the amount and the amount kept:\n%s", r.StatusCode, body)
	}

	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", meter+"/funding", url.Values{"mode": {"prepaid"}, "refill_amount": {"50"}, "refill_threshold": {"10"}, "refill_daily_cap": {"100"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set auto-refill: %d", r.StatusCode)
	}
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_chargeDeclined"}})
	r = e.Do("owner", "POST", meter+"/topup", url.Values{"amount": {"20"}})
	body = webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="field-error">Your card was declined.`) {
		t.Fatalf("declined top-up: %d, want 422 with the decline next to the amount:\n%s", r.StatusCode, body)
	}
	if !strings.Contains(body, `name="refill_amount" type="text" inputmode="decimal" value="50.00"`) {
		t.Errorf("the funding form lost the saved auto-refill after a declined top-up:\n%s", body)
	}

	// A retired meter offers no top-up, and one posted anyway charges nothing.
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if _, err := e.Metering.Retire(context.Background(), e.Users["admin"], e.Meter.ID); err != nil {
		t.Fatal(err)
	}
	if body := webtest.Body(t, e.Do("owner", "GET", "/billing", nil)); strings.Contains(body, meter+"/topup") {
		t.Error("the billing page offers a top-up for a retired meter")
	}
	r = e.Do("owner", "POST", meter+"/topup", url.Values{"amount": {"20"}})
	body = webtest.Body(t, r)
	if r.StatusCode == http.StatusSeeOther || !strings.Contains(body, "retired") {
		t.Errorf("top-up of a retired meter: %d, want a refusal that says the meter is retired:\n%s", r.StatusCode, body)
	}
	if n := e.Stripe.SucceededCharges(); n != 0 {
		t.Errorf("%d card charges for top-ups that were refused, want 0", n)
	}
}

// With two meters every field id is unique and each label points at its own
// meter's input.
func TestBillingPageWithTwoMetersHasUniqueIDs(t *testing.T) {
	e := webtest.New(t)
	second, err := e.Metering.Provision(context.Background(), e.Owner.AccountID, "06901")
	if err != nil {
		t.Fatal(err)
	}
	body := webtest.Body(t, e.Do("owner", "GET", "/billing", nil))
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("id %q appears more than once", m[1])
		}
		seen[m[1]] = true
	}
	for _, id := range []int64{e.Meter.ID, second.ID} {
		for _, name := range []string{"refill_amount", "refill_threshold", "refill_daily_cap", "amount"} {
			fid := name + "-" + strconv.FormatInt(id, 10)
			if !strings.Contains(body, `for="`+fid+`"`) || !strings.Contains(body, `id="`+fid+`" name="`+name+`"`) {
				t.Errorf("meter %d: no label and input %s", id, fid)
			}
		}
	}
	for _, m := range regexp.MustCompile(`\sfor="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			t.Errorf("label for %q names no element", m[1])
		}
	}
}
