package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/jobs"
	"indicia/jobs/tasks"
	"indicia/metering"
	"indicia/payments"
	"indicia/payments/stripestub"
	"indicia/views"
	"indicia/web/webtest"
)

func TestBillingPageShowsTestModeAndTheCardOnFile(t *testing.T) {
	e := webtest.New(t)
	body := webtest.Body(t, e.Do("owner", "GET", "/billing", nil))
	for _, want := range []string{"TEST MODE", "No card on file", "pm_card_chargeDeclinedInsufficientFunds", "Visa — expired card"} {
		if !strings.Contains(body, want) {
			t.Errorf("billing page lacks %q", want)
		}
	}
	if r := e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save card: %d", r.StatusCode)
	}
	body = webtest.Body(t, e.Do("owner", "GET", "/billing", nil))
	exp := "12/" + strconv.Itoa(time.Now().Year()+3)
	if !strings.Contains(body, "<strong>visa</strong> ending <strong>4242</strong>, expires "+exp) {
		t.Fatalf("billing page does not show visa 4242 expiring %s", exp)
	}
	// Replace, then remove.
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_chargeDeclined"}})
	if body = webtest.Body(t, e.Do("owner", "GET", "/billing", nil)); !strings.Contains(body, "ending <strong>0002</strong>") {
		t.Error("the replaced card is not shown")
	}
	e.Do("owner", "POST", "/billing/card/remove", nil)
	if body = webtest.Body(t, e.Do("owner", "GET", "/billing", nil)); !strings.Contains(body, "No card on file") {
		t.Error("the removed card is still shown")
	}
	// Trickle without a card is refused next to the field.
	r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}})
	if b := webtest.Body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "Add a card first") {
		t.Errorf("trickle without a card: %d", r.StatusCode)
	}
}

func TestTrickleLabelsThroughTheAPIChargeTheCard(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "trickle-1")
	if code != http.StatusCreated {
		t.Fatalf("trickle buy: %d %v", code, out)
	}
	postage := int64(out["labels"].([]any)[0].(map[string]any)["postage"].(float64))
	charges, err := e.Payments.Charges(context.Background(), e.Owner, 10)
	if err != nil || len(charges) != 1 {
		t.Fatalf("charges %v %v", charges, err)
	}
	c := charges[0]
	pi := e.Stripe.Object(c.PaymentIntentID)
	if int64(pi["amount"].(float64)) != postage+payments.DefaultFeePerPiece || pi["status"] != "succeeded" {
		t.Errorf("Stripe charged %v (%v), want postage %d + fee %d", pi["amount"], pi["status"], postage, payments.DefaultFeePerPiece)
	}
	if m, _ := e.Metering.Meter(context.Background(), e.Owner, e.Meter.ID); m.Record.DR != 100_00 {
		t.Errorf("the meter's prepaid balance moved to %d on a trickle purchase", m.Record.DR)
	}
	// The retry returns the same labels without a second charge.
	if code, _ := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "trickle-1"); code != http.StatusOK && code != http.StatusCreated {
		t.Errorf("retry: %d", code)
	}
	if e.Stripe.SucceededCharges() != 1 {
		t.Errorf("%d charges after a retry, want 1", e.Stripe.SucceededCharges())
	}
	// Receipt page and PDF.
	body := webtest.Body(t, e.Do("owner", "GET", "/billing/receipts/"+c.PublicID, nil))
	if !strings.Contains(body, "Trickle-charge fee") || !strings.Contains(body, "visa ending 4242") {
		t.Error("receipt page lacks the fee line or the card")
	}
	r := e.Do("clerk", "GET", "/billing/receipts/"+c.PublicID+"/pdf", nil)
	if b := webtest.Body(t, r); r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "%PDF-") {
		t.Errorf("receipt PDF: %d", r.StatusCode)
	}
	// A declining card: the reason, nothing dispensed, the attempt listed.
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_chargeDeclinedInsufficientFunds"}})
	code, out = apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel)
	msg, _ := out["error"].(map[string]any)["message"].(string)
	if code != http.StatusPaymentRequired || !strings.Contains(msg, "insufficient funds") {
		t.Errorf("decline: %d %v", code, out)
	}
	if ls, _ := e.Metering.RecentLabels(context.Background(), e.Owner, 10); len(ls) != 1 {
		t.Errorf("%d labels after a decline, want the 1 bought before", len(ls))
	}
	if body := webtest.Body(t, e.Do("owner", "GET", "/billing", nil)); !strings.Contains(body, "declined") || !strings.Contains(body, "insufficient_funds") {
		t.Error("the declined attempt is not listed on the billing page")
	}
	problems, err := e.Payments.AuditLedger(context.Background())
	if err != nil || len(problems) > 0 {
		t.Errorf("ledger audit: %v %v", problems, err)
	}
}

func postWebhook(e *webtest.Env, payload []byte, sig string) *http.Response {
	req := httptest.NewRequest("POST", "/stripe/webhook", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", sig)
	return e.Test(req)
}

func TestStripeWebhookEndpoint(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	if _, err := e.Payments.SaveCard(ctx, e.Owner, "pm_card_visa"); err != nil {
		t.Fatal(err)
	}
	c, err := e.Payments.TopUp(ctx, e.Owner, e.Meter.ID, 20_00, "")
	if err != nil {
		t.Fatal(err)
	}
	ev := e.Stripe.Events[len(e.Stripe.Events)-1]
	payload, sig := stripestub.Sign(ev, webtest.StripeWebhookSecret)
	first := webtest.Body(t, postWebhook(e, payload, sig))
	r := postWebhook(e, payload, sig)
	if b := webtest.Body(t, r); r.StatusCode != http.StatusOK || !strings.Contains(b, `"duplicate":true`) || strings.Contains(first, `"duplicate":true`) {
		t.Errorf("duplicate delivery: %d %s (first %s)", r.StatusCode, b, first)
	}
	bad, badSig := stripestub.Sign(ev, "whsec_not_ours")
	if r := postWebhook(e, bad, badSig); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad signature: %d", r.StatusCode)
	}
	dv, err := e.Stripe.Dispute(c.PaymentIntentID)
	if err != nil {
		t.Fatal(err)
	}
	payload, sig = stripestub.Sign(dv, webtest.StripeWebhookSecret)
	if r := postWebhook(e, payload, sig); r.StatusCode != http.StatusOK {
		t.Fatalf("dispute: %d", r.StatusCode)
	}
	m, _ := e.Metering.Meter(ctx, e.Owner, e.Meter.ID)
	if m.Record.Status != "suspended" {
		t.Errorf("meter %s after a dispute, want suspended", m.Record.Status)
	}
	if body := webtest.Body(t, e.Do("admin", "GET", "/postal/settlement", nil)); !strings.Contains(body, "disputed") {
		t.Error("the admin does not see the dispute alert")
	}
	alerted := false
	for _, m := range e.Mail.Messages() {
		alerted = alerted || (slices.Contains(m.To, "admin@example.com") && strings.Contains(m.Data, "Subject: Indicia payments alert: dispute"))
	}
	if !alerted {
		t.Errorf("the vendor admin was not emailed about the dispute: %+v", e.Mail.Messages())
	}
}

func TestSettlementPageAndCSVMatchTheLedger(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	for i := 0; i < 3; i++ {
		if code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel); code != http.StatusCreated {
			t.Fatalf("buy: %d %v", code, out)
		}
	}
	day := time.Now().UTC().Format(time.DateOnly)
	if r := e.Do("admin", "POST", "/postal/settlement", url.Values{"day": {day}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("settle: %d", r.StatusCode)
	}
	var owed int64
	if err := e.Pool.QueryRow(context.Background(), `SELECT sum(amount) FROM ledger_entries WHERE account = 'postal_revenue:06901'`).Scan(&owed); err != nil {
		t.Fatal(err)
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal/settlement?day="+day, nil))
	if !strings.Contains(body, "<td>06901</td><td>3</td>") || !strings.Contains(body, views.Money(owed)) {
		t.Errorf("settlement page does not owe 06901 %s for 3 pieces", views.Money(owed))
	}
	// The page is a stored snapshot: it says when it was computed, so staff
	// know later purchases of the day are not in it yet.
	if !strings.Contains(body, `id="settlement-computed"`) || !strings.Contains(body, "Computed "+day+" ") {
		t.Errorf("settlement page does not say when it was computed:\n%s", body)
	}
	csv := webtest.Body(t, e.Do("staff", "GET", "/postal/settlement/"+day+"/csv", nil))
	want := day + ",06901," + e.Meter.Record.Serial + ",3," + fmt.Sprintf("%d.%02d", owed/100, owed%100)
	if !strings.Contains(csv, want) {
		t.Errorf("CSV:\n%s\nwant line %s", csv, want)
	}
}

// The worker's payments jobs: a due auto-refill fires once (after the purchase
// or from the reconciler run, whichever comes first: one $50 refill lifts the
// balance over the $120 threshold) and
// the settlement job writes the day the staff page shows.
func TestPaymentsJobsRefillAndSettle(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding",
		url.Values{"mode": {"prepaid"}, "refill_amount": {"50"}, "refill_threshold": {"120"}, "refill_daily_cap": {"100"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("auto-refill settings: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	k := key(t, e, e.Owner, "buy_postage")
	if code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel); code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	for _, n := range []jobs.New{{Kind: tasks.JobKindPaymentsReconcile}, {Kind: tasks.JobKindPaymentsSettle, Payload: map[string]string{"day": day}}} {
		if _, err := e.Jobs.Submit(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	e.StartWorker()
	for _, kind := range []string{tasks.JobKindPaymentsReconcile, tasks.JobKindPaymentsSettle} {
		var status string
		for range 200 {
			e.Pool.QueryRow(ctx, `SELECT status FROM jobs WHERE kind = $1`, kind).Scan(&status)
			if status == "succeeded" || status == "dead" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if status != "succeeded" {
			t.Fatalf("%s job: %q", kind, status)
		}
	}
	var postage int64
	e.Pool.QueryRow(ctx, `SELECT sum(postage) FROM indicia`).Scan(&postage)
	// The refill after the purchase runs on its own goroutine; when it got
	// there first, the reconciler found it in flight and left it alone, so
	// its credit may land just after the job. Wait for it (the assertion
	// below still requires exactly one charge).
	var m metering.Meter
	for range 200 {
		if m, _ = e.Metering.Meter(ctx, e.Owner, e.Meter.ID); m.Record.DR == 100_00-postage+50_00 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m.Record.DR != 100_00-postage+50_00 || e.Stripe.SucceededCharges() != 1 {
		t.Errorf("after the jobs the meter holds %d with %d charges; want one $50 refill on top of %d", m.Record.DR, e.Stripe.SucceededCharges(), 100_00-postage)
	}
	if body := webtest.Body(t, e.Do("staff", "GET", "/postal/settlement?day="+day, nil)); !strings.Contains(body, "<td>06901</td><td>1</td>") {
		t.Error("the settlement job's day is not on the staff page")
	}
}

// With a publishable key the card form is Stripe's Payment Element on a
// SetupIntent: the page carries the client secret, the CSP lets js.stripe.com
// in, and Stripe's return URL saves the card the SetupIntent collected.
func TestPaymentElementWithAPublishableKey(t *testing.T) {
	e := webtest.New(t, webtest.Options{StripePublishableKey: "pk_test_webtest"})
	r := e.Do("owner", "GET", "/billing/card/new", nil)
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(body, `data-key="pk_test_webtest"`) || !strings.Contains(body, `_secret_`) {
		t.Fatalf("card setup page: %d", r.StatusCode)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' https://js.stripe.com") || !strings.Contains(csp, "frame-src https://js.stripe.com") {
		t.Errorf("CSP does not allow Stripe.js: %s", csp)
	}
	// What Stripe.js does in the browser: confirm the SetupIntent with the card.
	i := strings.Index(body, `data-secret="`) + len(`data-secret="`)
	seti := body[i : i+strings.Index(body[i:], "_secret_")]
	req := httptest.NewRequest("POST", "/v1/setup_intents/"+seti+"/confirm", strings.NewReader("payment_method=pm_card_visa"))
	req.Header.Set("Authorization", "Bearer sk_test_webtest")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.Stripe.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("confirm setup intent at the stand-in: %d %s", w.Code, w.Body)
	}
	if r := e.Do("owner", "GET", "/billing/card/done?setup_intent="+seti, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("return URL: %d", r.StatusCode)
	}
	if body := webtest.Body(t, e.Do("owner", "GET", "/billing", nil)); !strings.Contains(body, "ending <strong>4242</strong>") {
		t.Error("the card the SetupIntent collected is not on file")
	}
	// Without a publishable key the CSP stays strict.
	plain := webtest.New(t)
	if csp := plain.Do("owner", "GET", "/billing", nil).Header.Get("Content-Security-Policy"); strings.Contains(csp, "stripe") {
		t.Errorf("CSP allows Stripe without a publishable key: %s", csp)
	}
}

// On a trickle meter the purchase page says what the card will be charged
// (postage plus the fee) before anything is bought.
func TestPurchasePageShowsTheCardChargeOnATrickleMeter(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d", r.StatusCode)
	}
	form := url.Values{"token": {"tok-fee"}, "recipient_address": {"1600 Pennsylvania Ave NW, Washington DC 20500"}, "class": {"FCM_LETTER"}, "weight_oz": {"1"}}
	body := webtest.Body(t, e.Do("owner", "POST", "/postage", form))
	fee := e.Payments.Fee(1)
	want := views.Money(78+fee) + " charged to your card"
	if !strings.Contains(body, want) {
		t.Errorf("purchase page lacks %q", want)
	}
	resp := e.Do("owner", "POST", "/postage/quote", form)
	if b := webtest.Body(t, resp); !strings.Contains(b, `"card_charge":"`+views.Money(78+fee)) {
		t.Errorf("live quote lacks the card charge: %s", b)
	}
}
