package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

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
