package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/web/request"
	"indicia/web/webtest"
)

// secondMeter gives the owner's account another active meter at origin,
// funded with cents.
func secondMeter(t *testing.T, e *webtest.Env, origin string, cents int64) metering.Meter {
	t.Helper()
	ctx := context.Background()
	m, err := e.Metering.Provision(ctx, e.Owner.AccountID, origin)
	if err == nil {
		m, err = e.Metering.Credit(ctx, accounts.System, m.ID, cents, metering.CreditAdmin, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func meterNow(t *testing.T, e *webtest.Env, id int64) metering.Meter {
	t.Helper()
	m, err := e.Metering.Meter(context.Background(), accounts.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPurchasePageSingleMeterNoChoice: with one meter the page offers no meter choice.
func TestPurchasePageSingleMeterNoChoice(t *testing.T) {
	e := webtest.New(t)
	page := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	if strings.Contains(page, `name="meter_id"`) || !strings.Contains(page, `id="meter-serial"`) {
		t.Errorf("one meter: the page should look as before (no meter select, the meter line):\n%s", page)
	}
}

// TestPurchasePageChoosesMeter: an account with two meters picks the one that
// pays on the page; buying on the second debits the second only.
func TestPurchasePageChoosesMeter(t *testing.T) {
	e := webtest.New(t)
	m2 := secondMeter(t, e, "10001", 20_00)
	id2 := strconv.FormatInt(m2.ID, 10)
	page := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	for _, want := range []string{`<select id="meter_id" name="meter_id"`, `<label for="meter_id">`, e.Meter.Record.Serial, m2.Record.Serial,
		"origin ZIP 10001", "$20.00", "$100.00"} {
		if !strings.Contains(page, want) {
			t.Fatalf("meter choice lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(page, `value="`+strconv.FormatInt(e.Meter.ID, 10)+`" selected`) {
		t.Errorf("the first meter is not chosen by default:\n%s", page)
	}
	tok := formToken(t, e, "owner")
	f := buyForm(tok)
	f.Set("meter_id", id2)
	resp := e.Do("owner", "POST", "/postage", f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy on the second meter: %d\n%s", resp.StatusCode, webtest.Body(t, resp))
	}
	loc := resp.Header.Get("Location")
	// A double submit of the same form buys once, on the same meter.
	if again := e.Do("owner", "POST", "/postage", f); again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != loc {
		t.Errorf("double submit: %d %q, want %q", again.StatusCode, again.Header.Get("Location"), loc)
	}
	// The same form sent for the other meter is not a second purchase either.
	f.Set("meter_id", strconv.FormatInt(e.Meter.ID, 10))
	if other := e.Do("owner", "POST", "/postage", f); other.StatusCode != http.StatusConflict {
		t.Errorf("the same form on another meter: %d, want 409", other.StatusCode)
	}
	if got := meterNow(t, e, m2.ID); got.Record.PieceCount != 1 || got.Record.DR != 20_00-78 {
		t.Errorf("second meter: %d pieces, %d cents left; want 1 piece, 1922", got.Record.PieceCount, got.Record.DR)
	}
	if got := meterNow(t, e, e.Meter.ID); got.Record.PieceCount != 0 || got.Record.DR != 100_00 {
		t.Errorf("the first meter was debited: %d pieces, %d left", got.Record.PieceCount, got.Record.DR)
	}
	// The live price uses the chosen meter.
	f = buyForm(tok)
	f.Set("meter_id", id2)
	if live := liveQuote(t, e, "owner", f); live.StatusCode != 200 {
		t.Errorf("live quote on the second meter: %d %s", live.StatusCode, webtest.Body(t, live))
	}
}

// liveQuote posts the form to the page's live price endpoint as its script does.
func liveQuote(t *testing.T, e *webtest.Env, role string, f url.Values) *http.Response {
	t.Helper()
	req := httptest.NewRequest("POST", "/postage/quote", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", e.Sessions[role][1])
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions[role][0]})
	return e.Test(req)
}

// TestPurchasePageFloatingMeter: a floating meter chosen on the page asks for
// the origin ZIP, and buys with it.
func TestPurchasePageFloatingMeter(t *testing.T) {
	e := webtest.New(t)
	fl := secondMeter(t, e, box.FloatingOrigin, 20_00)
	id := strconv.FormatInt(fl.ID, 10)
	page := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	if !strings.Contains(page, "floating: choose the origin") {
		t.Errorf("the floating meter is not named as such:\n%s", page)
	}
	tok := formToken(t, e, "owner")
	f := buyForm(tok)
	f.Set("meter_id", id)
	resp := e.Do("owner", "POST", "/postage", f)
	page = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="origin_zip-error"`) || !strings.Contains(page, `name="origin_zip"`) {
		t.Errorf("floating meter without an origin: %d, want 422 with the origin ZIP field error\n%s", resp.StatusCode, page)
	}
	if live := liveQuote(t, e, "owner", f); live.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(webtest.Body(t, live), `"field":"origin_zip"`) {
		t.Errorf("live quote on a floating meter without an origin: %d", live.StatusCode)
	}
	f.Set("origin_zip", "10001")
	if resp = e.Do("owner", "POST", "/postage", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("floating meter with an origin: %d\n%s", resp.StatusCode, webtest.Body(t, resp))
	}
	if got := meterNow(t, e, fl.ID); got.Record.PieceCount != 1 {
		t.Errorf("floating meter: %d pieces, want 1", got.Record.PieceCount)
	}
	if got := meterNow(t, e, e.Meter.ID); got.Record.PieceCount != 0 {
		t.Errorf("the first meter was debited")
	}
}

// TestPurchasePageForeignMeter: another account's meter id is refused with a
// message, and nothing is bought.
func TestPurchasePageForeignMeter(t *testing.T) {
	e := webtest.New(t)
	secondMeter(t, e, "10001", 20_00)
	other := otherMailer(t, e)
	om, err := e.Metering.Provision(context.Background(), e.Users[other].AccountID, "06902")
	if err != nil {
		t.Fatal(err)
	}
	if om, err = e.Metering.Credit(context.Background(), accounts.System, om.ID, 50_00, metering.CreditAdmin, ""); err != nil {
		t.Fatal(err)
	}
	f := buyForm(formToken(t, e, "owner"))
	for _, id := range []string{strconv.FormatInt(om.ID, 10), "999999", "abc"} {
		f.Set("meter_id", id)
		resp := e.Do("owner", "POST", "/postage", f)
		page := webtest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="meter_id-error"`) {
			t.Errorf("meter %s: %d, want 422 with the meter field error\n%s", id, resp.StatusCode, page)
		}
		if live := liveQuote(t, e, "owner", f); live.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("live quote on meter %s: %d", id, live.StatusCode)
		}
	}
	// With one meter of its own the other mailer has no select, but a forged id is still refused.
	f = buyForm(formToken(t, e, other))
	f.Set("meter_id", strconv.FormatInt(e.Meter.ID, 10))
	resp := e.Do(other, "POST", "/postage", f)
	if page := webtest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "meter") {
		t.Errorf("forged meter id on a one-meter account: %d\n%s", resp.StatusCode, page)
	}
	if got := meterNow(t, e, om.ID); got.Record.PieceCount != 0 {
		t.Errorf("the other account's meter was debited")
	}
	if got := meterNow(t, e, e.Meter.ID); got.Record.PieceCount != 0 {
		t.Errorf("the owner's meter was debited by the other mailer")
	}
}
