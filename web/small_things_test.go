package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/views"
	"indicia/web/request"
	"indicia/web/webtest"
)

// A suspended meter's reason reads in words, not as its code.
func TestSuspensionReasonInWords(t *testing.T) {
	e := webtest.New(t)
	if _, err := e.Metering.Suspend(context.Background(), accounts.System, e.Meter.ID, "insufficient_funds"); err != nil {
		t.Fatal(err)
	}
	if _, page := get(t, e, "admin", "/admin/meters"); strings.Contains(page, "(insufficient_funds)") || !strings.Contains(page, "(insufficient funds)") {
		t.Errorf("the meter list shows the reason as a code")
	}
	_, page := get(t, e, "admin", "/admin/meters/"+strconv.FormatInt(e.Meter.ID, 10))
	if status := regexp.MustCompile(`<dd id="meter-status">[^<]*</dd>`).FindString(page); !strings.Contains(status, "suspended insufficient funds") {
		t.Errorf("the meter page's status reads %q", status)
	}
}

// A retired meter offers neither a funding form nor a top-up, only why.
func TestRetiredMeterOffersNoFundingForm(t *testing.T) {
	e := webtest.New(t)
	m := secondMeter(t, e, "06901", 100)
	if _, err := e.Metering.Retire(context.Background(), accounts.System, m.ID); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, e, "owner", "/billing")
	id := strconv.FormatInt(m.ID, 10)
	section := regexp.MustCompile(`(?s)<section class="card funding" id="meter-` + id + `">.*?</section>`).FindString(page)
	if section == "" {
		t.Fatalf("no section for the retired meter:\n%s", page)
	}
	if strings.Contains(section, "/funding") || strings.Contains(section, "/topup") || !strings.Contains(section, "retired") {
		t.Errorf("the retired meter's section offers funding:\n%s", section)
	}
	// The active meter still has its forms.
	if !strings.Contains(page, "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding") {
		t.Errorf("the active meter lost its funding form")
	}
}

// A new mailer's dashboard lists the next steps until both are done: the
// funded meter's step is marked done, buying the first label links to the
// purchase page, and after a purchase the list is gone.
func TestDashboardShowsNextStepsUntilDone(t *testing.T) {
	e := webtest.New(t)
	_, page := get(t, e, "owner", "/dashboard")
	steps := regexp.MustCompile(`(?s)<section class="card" id="next-steps".*?</section>`).FindString(page)
	if !strings.Contains(steps, "Done:</span> your meter can pay") || !strings.Contains(steps, `<a href="/postage">Buy your first label</a>`) {
		t.Fatalf("next steps of a funded account without labels:\n%s", steps)
	}
	ownerPurchase("")(e)
	if _, page := get(t, e, "owner", "/dashboard"); strings.Contains(page, `id="next-steps"`) {
		t.Errorf("the next steps still show after the first label")
	}
}

// The home page shows prices and the card fee before sign-up.
func TestHomeShowsPricesBeforeSignUp(t *testing.T) {
	e := webtest.New(t)
	_, page := get(t, e, "anon", "/")
	prices := regexp.MustCompile(`(?s)<section class="card" id="prices".*?</section>`).FindString(page)
	for _, want := range []string{"Letter, 1 oz", "Parcel, 1 lb, Priority Mail", "$0.05 per piece", "no fee"} {
		if !strings.Contains(prices, want) {
			t.Errorf("the home page's prices lack %q:\n%s", want, prices)
		}
	}
	if n := len(regexp.MustCompile(`<td class="money">\$\d+\.\d\d</td>`).FindAllString(prices, -1)); n != 4 {
		t.Errorf("%d sample prices, want 4", n)
	}
}

// After a purchase on a trickle meter the confirmation states what the card
// was charged: the postage plus the fee.
func TestPurchaseConfirmationStatesTheCardCharge(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d", r.StatusCode)
	}
	form := url.Values{"token": {"tok-charge"}, "action": {"buy"}, "recipient_address": {"1600 Pennsylvania Ave NW, Washington DC 20500"}, "class": {"FCM_LETTER"}, "weight_oz": {"1"}}
	resp := e.Do("owner", "POST", "/postage", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	var flash string
	for _, ck := range resp.Cookies() {
		if ck.Value != "" && ck.Name != request.SessionCookie {
			flash = ck.Value
		}
	}
	fee := e.Payments.Fee(1)
	want := "Your card was charged " + views.Money(78+fee) + " (postage $0.78 + fee " + views.Money(fee) + ")."
	decoded, _ := url.QueryUnescape(flash)
	if !strings.Contains(flash, want) && !strings.Contains(decoded, want) {
		t.Errorf("the confirmation reads %q, want it to contain %q", decoded, want)
	}
}
