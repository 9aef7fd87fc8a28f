package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// The purchase page refuses a package to France at the class field, with
// the reason, and buys nothing.
func TestPurchasePageRefusesAPackageToFranceAtTheClass(t *testing.T) {
	e := webtest.New(t)
	page := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	if !strings.Contains(page, `<select id="country" name="country"`) || !strings.Contains(page, `<option value="US" selected>`) {
		t.Fatalf("no country choice with the United States chosen:\n%.3000s", page)
	}
	v := url.Values{"token": {"tok-intl-fr"}, "recipient_name": {"Marie Curie"}, "recipient_address": {"1 rue de Rivoli\n75001 Paris"},
		"country": {"FR"}, "class": {"PRIORITY"}, "weight_oz": {"16"}, "length": {"10"}, "width": {"8"}, "height": {"4"}, "action": {"buy"}}
	resp := e.Do("owner", "POST", "/postage", v)
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="class-error"`) || !strings.Contains(body, "international rates are not loaded") {
		t.Fatalf("package to France not refused at the class field: %d\n%.3000s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `<option value="FR" selected>`) || !strings.Contains(body, `value="FCMI_LETTER"`) {
		t.Fatalf("the refused form lost the country or offers no international class:\n%.3000s", body)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d labels bought for a refused package", n)
	}
	// A country that is none is refused at the country field, whatever the class.
	v.Set("country", "ZZ")
	resp = e.Do("owner", "POST", "/postage", v)
	body = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="country-error"`) || strings.Contains(body, `id="class-error"`) {
		t.Fatalf("unknown country not refused at the country field: %d\n%.3000s", resp.StatusCode, body)
	}
	v.Set("country", "FR")
	// A French address without its postal code is refused at the address.
	v.Set("class", "FCMI_LETTER")
	v.Set("weight_oz", "1")
	v.Set("recipient_address", "1 rue de Rivoli\nParis")
	resp = e.Do("owner", "POST", "/postage", v)
	body = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="recipient_address-error"`) {
		t.Fatalf("address without postal code not refused at the address: %d\n%.3000s", resp.StatusCode, body)
	}
}

// A letter to Canada is bought on the page, its address kept as typed and
// the country in the destination.
func TestPurchasePageBuysALetterToCanada(t *testing.T) {
	e := webtest.New(t)
	v := url.Values{"token": {"tok-intl-ca"}, "recipient_name": {"Justin Example"}, "recipient_address": {"24 Sussex Drive\nOttawa ON K1M 1M4"},
		"country": {"CA"}, "class": {"FCMI_LETTER"}, "weight_oz": {"1"}, "action": {"buy"}}
	resp := e.Do("owner", "POST", "/postage", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("letter to Canada: %d %.3000s", resp.StatusCode, webtest.Body(t, resp))
	}
	var country string
	if err := e.Pool.QueryRow(t.Context(), `SELECT dest_country FROM indicia`).Scan(&country); err != nil {
		t.Fatal(err)
	}
	if country != "CA" {
		t.Fatalf("destination country %q, want CA", country)
	}
	if page := webtest.Body(t, e.Do("owner", "GET", "/labels", nil)); !strings.Contains(page, "CANADA") {
		t.Fatalf("the label list does not name the country:\n%.3000s", page)
	}
	if csv := webtest.Body(t, e.Do("owner", "GET", "/reports/register/csv", nil)); !strings.Contains(csv, "CA K1M 1M4") {
		t.Fatalf("the register does not name the country:\n%s", csv)
	}
}
