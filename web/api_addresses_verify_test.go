package web_test

import (
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
