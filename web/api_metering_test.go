package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/metering/indicium"
	"indicia/web/webtest"
)

func apiCall(t *testing.T, e *webtest.Env, key, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp := e.Test(req)
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func key(t *testing.T, e *webtest.Env, u accounts.User, scopes ...string) string {
	t.Helper()
	_, k, err := e.Acc.CreateAPIKey(context.Background(), u, "test", scopes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const oneLabel = `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}}]}`

func errField(out map[string]any) (string, string) {
	e, _ := out["error"].(map[string]any)
	f, _ := e["field"].(string)
	c, _ := e["code"].(string)
	return c, f
}

// errMessage is the message of an API error answer.
func errMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestAPIBuysALabelThatVerifiesOfflineWithThePublishedCerts(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel)
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	labels := out["labels"].([]any)
	l := labels[0].(map[string]any)
	if l["dest_zip"] != "90210" || l["origin_zip"] != "06901" || l["postage"].(float64) != 78 {
		t.Errorf("label %v", l)
	}
	in, err := indicium.ParseText(l["indicium"].(string))
	if err != nil {
		t.Fatal(err)
	}
	pem := webtest.Body(t, e.Do("anon", "GET", "/.well-known/indicia/certs", nil))
	certs, err := indicium.ParseCertificatesPEM([]byte(pem))
	if err != nil || len(certs) < 2 {
		t.Fatalf("published certs: %d %v", len(certs), err)
	}
	meterCert, err := indicium.FindMeterCertificate(in, certs)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicium.VerifyWithCertificates(in, certs[0], meterCert); err != nil {
		t.Fatalf("label does not verify with the published certificates: %v", err)
	}
	if in.RecipientHash != indicium.RecipientHash("9 ELM ST, BEVERLY HILLS CA 90210") {
		t.Error("the indicium does not carry the hash of the standardized recipient address")
	}
	code, got := apiCall(t, e, k, "GET", "/api/v1/labels/"+l["id"].(string), "")
	if code != 200 || got["indicium"] != l["indicium"] {
		t.Errorf("GET label: %d %v", code, got)
	}
}

func TestAPIIdempotencyKey(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code1, first := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "order-7")
	code2, again := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", "order-7")
	if code1 != 201 || code2 != 200 || first["id"] != again["id"] || again["replayed"] != true {
		t.Fatalf("retry: %d %v / %d %v", code1, first, code2, again)
	}
	other := strings.Replace(oneLabel, `"postage":78`, `"postage":100`, 1)
	if code, out := apiCall(t, e, k, "POST", "/api/v1/labels", other, "Idempotency-Key", "order-7"); code != http.StatusConflict {
		t.Errorf("same key, other body: %d %v", code, out)
	}
	_, meters := apiCall(t, e, k, "GET", "/api/v1/meters", "")
	m := meters["meters"].([]any)[0].(map[string]any)
	if m["piece_count"].(float64) != 1 {
		t.Errorf("piece count %v after a retried purchase", m["piece_count"])
	}
}

func TestAPIBadInput(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	big := `{"pieces":[` + strings.TrimSuffix(strings.Repeat(`{"postage":1,"mail_class":"X","recipient":{"address":"x"}},`, 1001), ",") + `]}`
	cases := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"not JSON", `{"pieces":`, 400, "invalid_json", ""},
		{"unknown field", `{"peices":[]}`, 400, "invalid_json", "peices"},
		{"wrong type", `{"pieces":[{"postage":"lots"}]}`, 400, "invalid_json", "postage"},
		{"no pieces", `{"pieces":[]}`, 422, "invalid", "pieces"},
		{"bad address", `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"address":"nowhere at all"}}]}`, 422, "invalid", "recipient.address"},
		{"zero postage", strings.Replace(oneLabel, `"postage":78`, `"postage":0`, 1), 422, "invalid", "postage"},
		{"too many", big, 422, "invalid", "pieces"},
		{"more than the meter holds", strings.Replace(oneLabel, `"postage":78`, `"postage":100000`, 1), 402, "insufficient_funds", "postage"},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", c.body)
		gotCode, gotField := errField(out)
		if code != c.status || gotCode != c.code || gotField != c.field {
			t.Errorf("%s: %d %s field %q, want %d %s field %q (%v)", c.name, code, gotCode, gotField, c.status, c.code, c.field, out)
		}
	}
	_, meters := apiCall(t, e, k, "GET", "/api/v1/meters", "")
	if m := meters["meters"].([]any)[0].(map[string]any); m["piece_count"].(float64) != 0 {
		t.Errorf("bad requests dispensed %v pieces", m["piece_count"])
	}
	noScope := key(t, e, e.Owner, "export_reports")
	if code, _ := apiCall(t, e, noScope, "POST", "/api/v1/labels", oneLabel); code != http.StatusForbidden {
		t.Errorf("key without buy_postage: %d", code)
	}
}

func TestAPIMeterLifecycleForVendorAdmins(t *testing.T) {
	e := webtest.New(t)
	admin := key(t, e, e.Users["admin"])
	mailer := key(t, e, e.Owner, "buy_postage")
	code, m := apiCall(t, e, admin, "POST", "/api/v1/meters", fmt.Sprintf(`{"account_id":%d}`, e.Owner.AccountID))
	if code != 201 || m["status"] != "manufactured" {
		t.Fatalf("manufacture: %d %v", code, m)
	}
	serial := m["serial"].(string)
	steps := []struct{ action, body, status string }{
		{"register", `{"origin_zip":"00000"}`, "registered"},
		{"activate", ``, "active"},
		{"credit", `{"amount":2500}`, "active"},
		{"suspend", `{"reason":"inspection"}`, "suspended"},
		{"activate", ``, "active"},
		{"retire", ``, "retired"},
	}
	for _, s := range steps {
		code, m = apiCall(t, e, admin, "POST", "/api/v1/meters/"+serial+"/"+s.action, s.body)
		if code != 200 || m["status"] != s.status {
			t.Fatalf("%s: %d %v", s.action, code, m)
		}
	}
	if m["descending_register"].(float64) != 2500 || m["origin_zip"] != "00000" {
		t.Errorf("meter after lifecycle %v", m)
	}
	if code, out := apiCall(t, e, admin, "POST", "/api/v1/meters/"+serial+"/suspend", `{"reason":"bored"}`); code != 422 {
		t.Errorf("bad reason: %d %v", code, out)
	}
	if code, _ := apiCall(t, e, mailer, "POST", "/api/v1/meters/"+serial+"/activate", ``); code != http.StatusForbidden {
		t.Errorf("mailer ran the lifecycle: %d", code)
	}
	if code, _ := apiCall(t, e, mailer, "GET", "/api/v1/meters/"+serial, ``); code != 200 {
		t.Errorf("mailer reading own account's meter: %d", code)
	}
}
