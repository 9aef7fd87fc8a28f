package web_test

import (
	"fmt"
	"slices"
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

// "Apt 31", "#31" and "Unit 31" are one delivery point; each delivery line
// keeps the writer's designator, and without delivery-point data the answer
// says the delivery point was not checked, in plain words.
func TestAPIVerifyAddressUnitDesignators(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	lines := map[string]string{}
	for _, unit := range []string{"Apt 31", "#31", "Unit 31"} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", `{"address":"5947 E Poplar Cir `+unit+`, Springfield, IL 62704"}`)
		if code != 200 || out["delivery_point"] != "5947 E POPLAR CIR # 31|62704" {
			t.Errorf("%s: %d delivery_point %v", unit, code, out["delivery_point"])
		}
		if out["checked"] != "standardized; ZIP and city verified; delivery point not checked" {
			t.Errorf("%s: checked %q", unit, out["checked"])
		}
		for _, r := range out["reasons"].([]any) {
			if strings.Contains(r.(string), "reference") {
				t.Errorf("%s: internal reason %q", unit, r)
			}
		}
		std, _ := out["standardized"].(map[string]any)
		lines[unit], _ = std["delivery_line"].(string)
	}
	if lines["Apt 31"] != "5947 E POPLAR CIR APT 31" || lines["#31"] != "5947 E POPLAR CIR # 31" || lines["Unit 31"] != "5947 E POPLAR CIR UNIT 31" {
		t.Errorf("delivery lines %q", lines)
	}
}

// A ZIP that lost its leading zero ("2108", as a spreadsheet keeps 02108)
// is read as the ZIP when the city and state have it, in the fields form and
// in one line, and the answer says why it was changed.
func TestAPIVerifyAddressRestoresLeadingZero(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	for _, body := range []string{
		`{"line1":"12 Main St","city":"Boston","state":"MA","zip":"2108"}`,
		`{"address":"12 Main St #31, Boston MA 2108"}`,
	} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", body)
		if code != 200 || out["zip"] != "02108" || out["status"] != "corrected" {
			t.Errorf("%s: %d zip %v status %v", body, code, out["zip"], out["status"])
			continue
		}
		reasons, _ := out["reasons"].([]any)
		if len(reasons) == 0 || !strings.Contains(reasons[0].(string), "leading zero was lost") {
			t.Errorf("%s: reasons %v", body, reasons)
		}
	}
}

// "1 Main St, Stamford CT" (no comma before the state, no ZIP) is read as
// Stamford, Connecticut, and the city's ZIPs are offered; "Stamford CT
// 06905x" names the ZIP as malformed, not the city and state as missing.
func TestAPIVerifyAddressStateCodeAndMalformedZIP(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", `{"address":"1 Main St, Stamford CT"}`)
	sug, _ := out["suggested"].(map[string]any)
	zips, _ := out["candidate_zips"].([]any)
	if code != 200 || out["status"] != "ambiguous" || sug["city"] != "STAMFORD" || sug["state"] != "CT" || !slices.Contains(zips, any("06901")) {
		t.Errorf("no ZIP: %d %v", code, out)
	}
	for _, body := range []string{`{"address":"Stamford CT 06905x"}`, `{"line1":"1 Main St","city":"Stamford","state":"CT","zip":"06905x"}`} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/addresses/verify", body)
		reasons, _ := out["reasons"].([]any)
		text := fmt.Sprint(reasons...)
		if code != 200 || out["status"] != "invalid" || !strings.Contains(text, "ZIP 06905X is malformed") || strings.Contains(text, "missing") && strings.Contains(text, "city") {
			t.Errorf("%s: %d %v", body, code, out)
		}
	}
}
