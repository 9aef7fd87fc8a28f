package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// rawCall is an API call whose body is kept as bytes (label files are not JSON).
func rawCall(t *testing.T, e *webtest.Env, key, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp := e.Test(req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// A postal verifier's key gets the verdict and what paid for the piece, but
// never the recipient nor a printable label: those stay the mailer's.
func TestPostalKeyReadsNoRecipientsOrLabelFiles(t *testing.T) {
	e := webtest.New(t)
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", oneLabel)
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	purchaseID := out["id"].(string)
	label := out["labels"].([]any)[0].(map[string]any)
	labelID, text := label["id"].(string), label["indicium"].(string)
	recipientBits := []string{"ANN LEE", "Ann Lee", "ELM", "BEVERLY", "recipient_hash", `"recipient"`}

	staffKey := key(t, e, e.Users["staff"])
	code, body := rawCall(t, e, staffKey, "POST", "/api/v1/indicia/verify",
		fmt.Sprintf(`{"text":%q,"piece_ref":"P-1","location":"06901","address":"9 elm street, beverly hills ca 90210"}`, text))
	if code != http.StatusOK {
		t.Fatalf("verify: %d %s", code, body)
	}
	for _, bit := range recipientBits {
		if strings.Contains(body, bit) {
			t.Errorf("verification answer carries %s: %s", bit, body)
		}
	}
	for _, want := range []string{`"result":"valid"`, `"recipient_match":true`, `"meter_serial":"` + label["meter_serial"].(string) + `"`,
		`"postage":78`, `"mail_class":"FCM_LETTER"`, `"origin_zip":"06901"`, `"mailing_date":"`} {
		if !strings.Contains(body, want) {
			t.Errorf("verification answer lacks %s: %s", want, body)
		}
	}
	// A second scan of it without any reference cannot be shown to be the
	// same piece.
	if _, out := apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, text)); out["result"] != "duplicate" {
		t.Errorf("a scan with no reference after the first use: %v", out)
	}

	files := []string{"/api/v1/labels/" + labelID, "/api/v1/labels/" + labelID + "/file?format=pdf", "/api/v1/labels/" + labelID + "/file?format=png",
		"/api/v1/labels/" + labelID + "/file?format=zpl", "/api/v1/purchases/" + purchaseID + "/file?format=pdf"}
	for _, path := range files {
		code, body := rawCall(t, e, staffKey, "GET", path, "")
		if code != http.StatusForbidden || strings.HasPrefix(body, "%PDF") || strings.Contains(body, "ELM") {
			t.Errorf("staff key GET %s: %d %.80q", path, code, body)
		}
	}
	if code, body := rawCall(t, e, staffKey, "POST", "/api/v1/labels/"+labelID+"/void", ""); code != http.StatusForbidden {
		t.Errorf("staff key voids a label: %d %s", code, body)
	}
	// The mailer still reads and prints its own label: the refusals above are
	// about the key, not the label.
	ownerKey := key(t, e, e.Owner)
	for _, path := range files {
		if code, body := rawCall(t, e, ownerKey, "GET", path, ""); code != http.StatusOK {
			t.Errorf("owner key GET %s: %d %.200s", path, code, body)
		}
	}

	// A postal staff session: no label pages or files, and the verify page
	// shows no recipient either.
	for _, path := range []string{"/labels/l/" + labelID + ".pdf", "/labels/" + purchaseID, "/labels/" + purchaseID + "/label.pdf", "/labels/" + purchaseID + "/print"} {
		resp := e.Do("staff", "GET", path, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || strings.HasPrefix(string(b), "%PDF") || strings.Contains(string(b), "ELM ST") {
			t.Errorf("staff session GET %s: %d", path, resp.StatusCode)
		}
	}
	code, page := postVerify(t, e, "staff", url.Values{"text": {text}, "piece_ref": {"P-1"}, "address": {"9 elm street, beverly hills ca 90210"}}, nil)
	if code != http.StatusOK || verdict(page) != "VALID" {
		t.Fatalf("verify page: %d %q", code, verdict(page))
	}
	for _, bit := range []string{"ANN LEE", "Ann Lee", "9 ELM ST", "/label.pdf", "/labels/l/"} {
		if strings.Contains(page, bit) {
			t.Errorf("verify page shows %s", bit)
		}
	}
}
