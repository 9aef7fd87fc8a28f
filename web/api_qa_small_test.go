package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

func TestAPIVerifyAddressDecodesStrictly(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	for _, tc := range []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"unknown field", `{"adress":"350 5th Ave, New York, NY 10118"}`, 400, "invalid_json", "adress"},
		{"not JSON", `{"address":`, 400, "invalid_json", "body"},
		{"trailing data", `{"address":"350 5th Ave, New York, NY 10118"} {}`, 400, "invalid_json", "body"},
		{"wrong type", `{"line1":5}`, 400, "invalid_json", "line1"},
		{"nothing to check", `{}`, 422, "invalid", "address"},
	} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", tc.body)
		c, f := errField(out)
		if code != tc.status || c != tc.code || f != tc.field {
			t.Errorf("%s: %d %s at %q, want %d %s at %q (%v)", tc.name, code, c, f, tc.status, tc.code, tc.field, out)
		}
		if tc.field != "" && !strings.Contains(errMessage(out), tc.field) {
			t.Errorf("%s: message does not name %s: %q", tc.name, tc.field, errMessage(out))
		}
	}
	if code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", `{"address":"350 5th Ave, New York, NY 10118"}`); code != 200 || out["status"] != "valid" {
		t.Errorf("good address: %d %v", code, out)
	}
}

func TestAPICOAMatchesRefusesBadPaging(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	for _, tc := range []struct{ query, field string }{
		{"limit=501", "limit"},
		{"limit=-1", "limit"},
		{"limit=0", "limit"},
		{"limit=ten", "limit"},
		{"offset=abc", "offset"},
		{"offset=-1", "offset"},
		{"offset=1.5", "offset"},
	} {
		code, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches?"+tc.query, "")
		if c, f := errField(out); code != http.StatusUnprocessableEntity || c != "invalid" || f != tc.field || !strings.Contains(errMessage(out), tc.field) {
			t.Errorf("%s: %d %s at %q, want 422 at %s (%v)", tc.query, code, c, f, tc.field, out)
		}
	}
	for _, q := range []string{"", "limit=1", "limit=500&offset=0", "offset=10"} {
		if code, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches?"+q, ""); code != 200 {
			t.Errorf("%q: %d %v", q, code, out)
		}
	}
}

func TestAPIRatesRefusesUnknownServiceInEveryClass(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	for _, class := range []string{"", `"mail_class":"FCM_LETTER",`} {
		body := `{` + class + `"weight_oz":1,"dest_zip":"90210","services":["CERTIFIED","GOLD_PLATING"]}`
		code, out := apiCall(t, e, k, "POST", "/api/v1/rates", body)
		c, f := errField(out)
		msg := errMessage(out)
		if code != http.StatusUnprocessableEntity || c != "invalid" || f != "services" {
			t.Errorf("%s: %d %s at %q, want 422 at services (%v)", body, code, c, f, out)
		}
		if !strings.Contains(msg, "GOLD_PLATING") || !strings.Contains(msg, "CERTIFIED") || !strings.Contains(msg, "SIGNATURE_CONFIRMATION") {
			t.Errorf("%s: message should name the bad code and list the valid ones: %q", body, msg)
		}
	}
	if code, out := apiCall(t, e, k, "POST", "/api/v1/rates", `{"weight_oz":1,"dest_zip":"90210","services":["CERTIFIED"]}`); code != 200 {
		t.Errorf("known service: %d %v", code, out)
	}
}
