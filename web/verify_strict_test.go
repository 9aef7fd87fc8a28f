package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"indicia/metering/indicium"
	"indicia/web/webtest"
)

// The verify page publishes the fingerprint of the root that
// /.well-known/indicia/certs starts with, for offline verifiers to pin.
func TestVerifyPageShowsRootFingerprint(t *testing.T) {
	e := webtest.New(t)
	pem := webtest.Body(t, e.Do("anon", "GET", "/.well-known/indicia/certs", nil))
	certs, err := indicium.ParseCertificatesPEM([]byte(pem))
	if err != nil {
		t.Fatal(err)
	}
	page := webtest.Body(t, e.Do("staff", "GET", "/verify", nil))
	if want := `id="root-fingerprint-value" class="fingerprint">` + indicium.Fingerprint(certs[0]) + "<"; !strings.Contains(page, want) {
		t.Errorf("verify page does not show the root fingerprint %s", indicium.Fingerprint(certs[0]))
	}
}

// A label dated ahead verifies VALID with a warning on the page and in the
// API, and shows the version 2 fields.
func TestVerifyLabelWarnsOfFutureDate(t *testing.T) {
	e := webtest.New(t)
	date := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	req := `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","mailing_date":"` + date + `","recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}}]}`
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", req)
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	text := out["labels"].([]any)[0].(map[string]any)["indicium"].(string)
	// Both scans name the same piece, so the second is not a duplicate.
	code, page := postVerify(t, e, "staff", url.Values{"text": {text}, "piece_ref": {"P-1"}}, nil)
	if code != http.StatusOK || verdict(page) != "VALID" {
		t.Fatalf("verify: %d %q", code, verdict(page))
	}
	if !strings.Contains(page, `id="verdict-warning"`) || !strings.Contains(page, "The date of mailing "+date+" is in the future") {
		t.Error("verify page does not warn of the future mailing date")
	}
	for label, want := range map[string]string{"Indicium version": "2", "Software": "INDICIA/1.0"} {
		if got := decodedField(page, label); got != want {
			t.Errorf("%s = %q, want %q", label, got, want)
		}
	}
	code, v := apiCall(t, e, key(t, e, e.Users["staff"]), "POST", "/api/v1/indicia/verify", `{"text":"`+text+`","piece_ref":"P-1"}`)
	if code != http.StatusOK || v["result"] != "valid" || !strings.Contains(v["warning"].(string), "in the future") {
		t.Fatalf("API verify: %d %v", code, v)
	}
	f := v["fields"].(map[string]any)
	if f["version"].(float64) != 2 || f["software"] != "INDICIA/1.0" || f["cert_serial"] == "" || f["descending_register"] == nil {
		t.Errorf("API fields %v", f)
	}
}
