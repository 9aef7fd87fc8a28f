package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// onlyReader hides a reader's length, so the request goes out chunked.
type onlyReader struct{ io.Reader }

func TestBodyLimitRefusesBigFormsWithAPageNamingTheLimit(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	big := "email=a%40b.c&password=" + strings.Repeat("x", 100<<10)
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = onlyReader{body} // net/http sends a body of unknown length chunked
		}
		req, err := http.NewRequest("POST", base+"/login", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("chunked=%v: %v", chunked, err)
		}
		page := webtest.Body(t, resp)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "64 KB") || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("chunked=%v: %d %s\n%.300s", chunked, resp.StatusCode, resp.Header.Get("Content-Type"), page)
		}
	}
}

func TestBodyLimitOnAPIIsJSONAndNamesTheLimit(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	name := strings.Repeat("A", 3<<20)
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"`+name+`","address":"9 elm street, beverly hills ca 90210"}}]}`)
	errObj, _ := out["error"].(map[string]any)
	if code != http.StatusRequestEntityTooLarge || errObj["code"] != "too_large" || !strings.Contains(fmt.Sprint(errObj["message"]), "2 MB") {
		t.Fatalf("3 MB purchase: %d %v", code, out)
	}
	// A small JSON route takes 64 KB.
	code, out = apiCall(t, e, k, "POST", "/api/v1/rates", `{"weight_oz":1,"dest_zip":"`+strings.Repeat("9", 70<<10)+`"}`)
	errObj, _ = out["error"].(map[string]any)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(fmt.Sprint(errObj["message"]), "64 KB") {
		t.Fatalf("70 KB rate request: %d %v", code, out)
	}
}

func TestBodyLimitUploadsGoToDiskAndAreRemoved(t *testing.T) {
	e := webtest.New(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	// A list well over the form limit is accepted on the upload route.
	var csv bytes.Buffer
	csv.WriteString("name,address\n")
	for i := 0; csv.Len() < 200<<10; i++ {
		fmt.Fprintf(&csv, "Ann Lee %d,\"%d elm street, beverly hills ca 90210\"\n", i, i+1)
	}
	resp := upload(t, e, "clerk", "/cleanse", "list.csv", csv.Bytes())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("200 KB list: %d %.500s", resp.StatusCode, webtest.Body(t, resp))
	}
	// A file over the upload limit is refused with the limit named.
	resp = upload(t, e, "clerk", "/verify", "label.png", make([]byte, 7<<20))
	if page := webtest.Body(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "6 MB") {
		t.Fatalf("7 MB image: %d %.300s", resp.StatusCode, page)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "indicia-upload-*"))
	if len(left) != 0 {
		t.Errorf("temporary uploads left behind: %v", left)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal(err)
	}
}

func TestAPIRefusesTextPlainAndLongIdempotencyKeys(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	req := httptest.NewRequest("POST", "/api/v1/labels", strings.NewReader(oneLabel))
	req.Header.Set("Authorization", "Bearer "+k)
	req.Header.Set("Content-Type", "text/plain")
	resp := e.Test(req)
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %d %v %v", resp.StatusCode, out, err)
	}
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", oneLabel, "Idempotency-Key", strings.Repeat("k", 10<<10))
	errObj, _ := out["error"].(map[string]any)
	if code != http.StatusUnprocessableEntity || errObj["field"] != "Idempotency-Key" {
		t.Fatalf("10 KB key: %d %v", code, out)
	}
	_, meters := apiCall(t, e, k, "GET", "/api/v1/meters", "")
	if m := meters["meters"].([]any)[0].(map[string]any); m["piece_count"].(float64) != 0 {
		t.Errorf("refused requests dispensed %v pieces", m["piece_count"])
	}
}

func TestAPILabelTextAndNumbersAreCheckedAtTheirField(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	piece := func(extra string) string {
		return `{"pieces":[{"mail_class":"FCM_LETTER",` + extra + `}]}`
	}
	addr := `"address":"9 elm street, beverly hills ca 90210"`
	cases := []struct{ name, body, field string }{
		{"NUL in the name", piece(`"postage":78,"recipient":{"name":"Ann\u0000Lee",` + addr + `}`), "recipient.name"},
		{"NUL in the address", piece(`"postage":78,"recipient":{"address":"9 elm street\u0000, beverly hills ca 90210"}`), "recipient.address"},
		{"a name no label prints", piece(`"postage":78,"recipient":{"name":"` + strings.Repeat("Ann ", 100) + `",` + addr + `}`), "recipient.name"},
		{"zero weight", piece(`"weight_oz":0,"recipient":{` + addr + `}`), "weight_oz"},
		{"weight of 1e308 oz", piece(`"weight_oz":1e308,"recipient":{` + addr + `}`), "weight_oz"},
		{"length of 1e16 in", `{"pieces":[{"mail_class":"PRIORITY","weight_oz":16,"length":1e16,"width":5,"height":5,"recipient":{` + addr + `}}]}`, "length"},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", c.body)
		errObj, _ := out["error"].(map[string]any)
		if code != http.StatusUnprocessableEntity || errObj["field"] != c.field {
			t.Errorf("%s: %d %v, want 422 at %s", c.name, code, out, c.field)
		}
	}
	_, meters := apiCall(t, e, k, "GET", "/api/v1/meters", "")
	if m := meters["meters"].([]any)[0].(map[string]any); m["piece_count"].(float64) != 0 {
		t.Errorf("refused requests dispensed %v pieces", m["piece_count"])
	}
}

func TestBodyLimitFormWithNULIsRefusedAtTheField(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("clerk", "POST", "/addresses", url.Values{"name": {"Ann\x00Lee"}, "line1": {"9 elm street"}, "city": {"Beverly Hills"}, "state": {"CA"}, "zip": {"90210"}})
	if page := webtest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "name") {
		t.Fatalf("NUL in a form: %d %.300s", resp.StatusCode, page)
	}
}

func TestPurchasePageNameNoLabelPrintsIsRefusedAtTheField(t *testing.T) {
	e := webtest.New(t)
	f := buyForm(formToken(t, e, "owner"))
	f.Set("recipient_name", strings.Repeat("Bartholomew ", 10))
	resp := e.Do("owner", "POST", "/postage", f)
	page := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="recipient_name-error">The name is 119 characters long; at most 64 fit on a label.`) {
		t.Fatalf("long name: %d\n%.2000s", resp.StatusCode, page)
	}
	if n := pieces(t, e); n != 0 {
		t.Errorf("a refused name dispensed %d pieces", n)
	}
}
