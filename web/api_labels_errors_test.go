package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// batch builds a purchase of n copies of a metered FCM letter with piece i
// replaced by bad (a JSON object).
func batch(n, i int, bad string) string {
	good := `{"postage":78,"mail_class":"FCM_LETTER","recipient":{"address":"9 elm street, beverly hills ca 90210"}}`
	ps := make([]string, n)
	for j := range ps {
		ps[j] = good
	}
	ps[i] = bad
	return `{"pieces":[` + strings.Join(ps, ",") + `]}`
}

// A client developer's mistakes in a purchase are named at the piece and
// field they are in, in words (no Go type names), and dispense nothing.
func TestAPIPurchaseErrorsNameThePieceAndDispenseNothing(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	rec := `"recipient":{"address":"9 elm street, beverly hills ca 90210"}`
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"unknown mail class on metered postage", batch(3, 1, `{"postage":78,"mail_class":"BOGUS",`+rec+`}`), 422, "pieces[1].mail_class"},
		{"unknown mail class, one piece", `{"pieces":[{"postage":78,"mail_class":"fcm_letter",` + rec + `}]}`, 422, "mail_class"},
		{"international class with a US recipient", batch(2, 0, `{"postage":78,"mail_class":"FCMI_LETTER",`+rec+`}`), 422, "pieces[0].mail_class"},
		{"origin ZIP other than the meter's", batch(3, 2, `{"postage":78,"mail_class":"FCM_LETTER","origin_zip":"10001",`+rec+`}`), 422, "pieces[2].origin_zip"},
		{"wrong type in a batch", batch(3, 1, `{"postage":"lots","mail_class":"FCM_LETTER",`+rec+`}`), 400, "pieces[1].postage"},
		{"wrong type in a nested field", batch(3, 2, `{"postage":78,"mail_class":"FCM_LETTER","recipient":{"address":7}}`), 400, "pieces[2].recipient.address"},
		{"unknown field in a batch", batch(3, 1, `{"postage":78,"mail_class":"FCM_LETTER","colour":"red",`+rec+`}`), 400, "pieces[1].colour"},
		{"a piece that is not an object", batch(2, 1, `"one"`), 400, "pieces[1]"},
		{"trailing data", batch(1, 0, `{"postage":78,"mail_class":"FCM_LETTER",`+rec+`}`) + `{"again":1}`, 400, ""},
		{"an array, not an object", `[{"pieces":[]}]`, 400, ""},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", c.body)
		_, field := errField(out)
		msg := errMessage(out)
		if code != c.status || field != c.field || msg == "" {
			t.Errorf("%s: %d field %q, want %d field %q (%v)", c.name, code, field, c.status, c.field, out)
		}
		for _, leak := range []string{"int64", "float64", "handlers.", "bad request"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: message %q shows %q", c.name, msg, leak)
			}
		}
	}
	_, meters := apiCall(t, e, k, "GET", "/api/v1/meters", "")
	if m := meters["meters"].([]any)[0].(map[string]any); m["piece_count"].(float64) != 0 {
		t.Errorf("bad requests dispensed %v pieces", m["piece_count"])
	}
	// The rating endpoint decodes the same way.
	for body, field := range map[string]string{`{"weight_oz":"3"}`: "weight_oz", `[1]`: "", `{"weight_oz":3,"dest_zip":"90210"} {}`: ""} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/rates", body)
		_, f := errField(out)
		if msg := errMessage(out); code != http.StatusBadRequest || f != field || strings.Contains(msg, "float64") || strings.Contains(msg, "handlers.") {
			t.Errorf("rates %s: %d %v", body, code, out)
		}
	}
}
