package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/metering/indicium"
	"indicia/web/webtest"
)

// International letters and large envelopes are bought through the API;
// the address keeps its country's format, the label prints the country
// last, and the indicium and the label row carry the country.
func TestAPIBuysInternationalLettersAndRefusesPackagesAbroad(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[
		{"mail_class":"FCMI_LETTER","weight_oz":1,"recipient":{"name":"Justin Example","address":"24 Sussex Drive\nOttawa ON K1M 1M4","country":"CA"}},
		{"mail_class":"FCMI_FLAT","weight_oz":3,"recipient":{"name":"Erika Muster","address":"Platz der Republik 1\n11011 Berlin","country":"DE"}}]}`)
	if code != http.StatusCreated {
		t.Fatalf("buy abroad: %d %v", code, out)
	}
	labels := out["labels"].([]any)
	ca, de := labels[0].(map[string]any), labels[1].(map[string]any)
	lines := ca["recipient"].([]any)
	if ca["dest_country"] != "CA" || de["dest_country"] != "DE" || ca["dest_zip"] != "K1M 1M4" || lines[len(lines)-1] != "CANADA" || lines[1] != "24 Sussex Drive" {
		t.Fatalf("labels %v / %v", ca, de)
	}
	in, err := indicium.ParseText(ca["indicium"].(string))
	if err != nil || in.Version != indicium.Version3 || in.Country != "CA" || in.MailClass != "FCMI_LETTER" {
		t.Fatalf("indicium %+v (%v)", in.Fields, err)
	}
	var stored string
	var weight float64
	if err := e.Pool.QueryRow(t.Context(), `SELECT dest_country, weight_oz::float8 FROM indicia WHERE public_id = $1`, de["id"]).Scan(&stored, &weight); err != nil || stored != "DE" || weight != 3 {
		t.Fatalf("stored country %q, weight %v oz (%v); want DE, 3 oz", stored, weight, err)
	}
	status, pdf, _ := getFile(t, e, "owner", "/labels/l/"+ca["id"].(string)+".pdf")
	if status != http.StatusOK {
		t.Fatalf("label pdf: %d", status)
	}
	text := strings.TrimSpace(pdfText(t, pdf))
	var addr []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "Sussex") || strings.Contains(l, "Ottawa") || strings.Contains(l, "CANADA") {
			addr = append(addr, strings.TrimSpace(l))
		}
	}
	if len(addr) < 3 || !strings.Contains(addr[len(addr)-1], "CANADA") {
		t.Errorf("label address lines %q, want CANADA last:\n%s", addr, text)
	}

	cases := []struct {
		name, piece, field, code string
	}{
		{"a package to France", `{"mail_class":"PRIORITY","weight_oz":16,"recipient":{"name":"Marie Curie","address":"1 rue de Rivoli\n75001 Paris","country":"FR"}}`, "mail_class", "international_class_unavailable"},
		{"no city", `{"mail_class":"FCMI_LETTER","weight_oz":1,"recipient":{"name":"Marie Curie","address":"1 rue de Rivoli","country":"FR"}}`, "recipient.address", "invalid"},
		{"no postal code", `{"mail_class":"FCMI_LETTER","weight_oz":1,"recipient":{"name":"Marie Curie","address":"1 rue de Rivoli\nParis","country":"FR"}}`, "recipient.address", "invalid"},
		{"no name", `{"mail_class":"FCMI_LETTER","weight_oz":1,"recipient":{"address":"1 rue de Rivoli\n75001 Paris","country":"FR"}}`, "recipient.name", "invalid"},
		{"unknown country", `{"mail_class":"FCMI_LETTER","weight_oz":1,"recipient":{"name":"X","address":"1 rue de Rivoli\n75001 Paris","country":"ZZ"}}`, "recipient.country", "invalid"},
		{"unknown country, domestic class", `{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"name":"X","address":"1 rue de Rivoli\n75001 Paris","country":"ZZ"}}`, "recipient.country", "invalid"},
		{"unknown country, a package", `{"mail_class":"PRIORITY","weight_oz":16,"recipient":{"name":"X","address":"1 rue de Rivoli\n75001 Paris","country":"ZZ"}}`, "recipient.country", "invalid"},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[`+c.piece+`]}`)
		gotCode, field := errField(out)
		if code != http.StatusUnprocessableEntity || field != c.field || gotCode != c.code || errMessage(out) == "" {
			t.Errorf("%s: %d %v", c.name, code, out)
		}
	}
	if _, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[`+cases[0].piece+`]}`); !strings.Contains(errMessage(out), "France") {
		t.Errorf("the refusal names no country: %v", out)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d labels after the refusals (%v)", n, err)
	}
}
