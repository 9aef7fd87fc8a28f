package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

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
