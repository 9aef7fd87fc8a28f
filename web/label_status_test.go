package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"indicia/web/webtest"
)

// labelRowOf is the row of one label in a label table ("" if none).
func labelRowOf(page, id string) string {
	i := strings.Index(page, `data-label="`+id+`"`)
	if i < 0 {
		return ""
	}
	row, _, _ := strings.Cut(page[i:], "</tr>")
	return row
}

// buyBatch buys two letters in one purchase through the API; it returns the
// purchase id and the two label ids.
func buyBatch(t *testing.T, e *webtest.Env) (string, string, string) {
	t.Helper()
	body := `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}},
		{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"Bo Diaz","address":"233 S Wacker Dr, Chicago IL 60606"}}]}`
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", body)
	if code != http.StatusCreated {
		t.Fatalf("buy a batch: %d %v", code, out)
	}
	ls := out["labels"].([]any)
	return out["id"].(string), ls[0].(map[string]any)["id"].(string), ls[1].(map[string]any)["id"].(string)
}

// A voided label is no postage: none of its files can be downloaded, page or
// API, the lists offer no file or void link and say it is voided, and the
// purchase's files and print page leave it out.
func TestVoidedLabelCannotBePrinted(t *testing.T) {
	e := webtest.New(t)
	ownerKey := key(t, e, e.Owner, "buy_postage")
	pid, voided, kept := buyBatch(t, e)
	if r := e.Do("owner", "POST", "/labels/"+voided+"/void", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("void: %d %s", r.StatusCode, webtest.Body(t, r))
	}

	for _, ext := range []string{"pdf", "png", "zpl"} {
		status, body, hdr := getFile(t, e, "owner", "/labels/l/"+voided+"."+ext)
		if status != http.StatusConflict || !strings.Contains(string(body), "voided") || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
			t.Errorf("page %s of a voided label: %d %q, want 409 with a message", ext, status, hdr.Get("Content-Type"))
		}
		code, out := apiCall(t, e, ownerKey, "GET", "/api/v1/labels/"+voided+"/file?format="+ext, "")
		if c, f := errField(out); code != http.StatusConflict || c != "label_voided" || f != "label" {
			t.Errorf("API %s of a voided label: %d %v, want 409 label_voided", ext, code, out)
		}
	}
	if status, _, _ := getFile(t, e, "owner", "/labels/l/"+kept+".pdf"); status != http.StatusOK {
		t.Errorf("the other label of the purchase: %d", status)
	}

	// The purchase's files carry only the label still valid.
	if status, zpl, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.zpl"); status != http.StatusOK || strings.Count(string(zpl), "^XA") != 1 {
		t.Errorf("batch ZPL with one voided label: %d, %d labels, want 1", status, strings.Count(string(zpl), "^XA"))
	}
	if status, _, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.png?piece=1"); status != http.StatusConflict {
		t.Errorf("PNG of the voided piece 1: %d, want 409", status)
	}
	if status, _, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.png?piece=2"); status != http.StatusOK {
		t.Errorf("PNG of the valid piece 2: %d", status)
	}
	code, out := apiCall(t, e, ownerKey, "GET", "/api/v1/purchases/"+pid+"/file?format=png&piece=1", "")
	if c, _ := errField(out); code != http.StatusConflict || c != "label_voided" {
		t.Errorf("API PNG of the voided piece: %d %v", code, out)
	}
	printPage := webtest.Body(t, e.Do("owner", "GET", "/labels/"+pid+"/print", nil))
	if strings.Contains(printPage, "piece=1") || !strings.Contains(printPage, "piece=2") {
		t.Errorf("the print page still prints the voided piece:\n%s", printPage)
	}

	// The lists: "Voided", no files, no void link.
	for _, path := range []string{"/labels", "/labels/" + pid} {
		page := webtest.Body(t, e.Do("owner", "GET", path, nil))
		row := labelRowOf(page, voided)
		if row == "" || !strings.Contains(row, "Voided") || strings.Contains(row, "/labels/l/") || strings.Contains(row, "void-link") {
			t.Errorf("%s: row of the voided label: %q", path, row)
		}
		if row := labelRowOf(page, kept); !strings.Contains(row, "/labels/l/"+kept+".pdf") || !strings.Contains(row, "void-link") {
			t.Errorf("%s: row of the valid label lost its links: %q", path, row)
		}
	}

	// A purchase whose labels are all voided has nothing to print.
	if r := e.Do("owner", "POST", "/labels/"+kept+"/void", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("void the second: %d", r.StatusCode)
	}
	for _, p := range []string{"/labels/" + pid + "/label.pdf", "/labels/" + pid + "/label.zpl", "/labels/" + pid + "/print"} {
		if status, body, _ := getFile(t, e, "owner", p); status != http.StatusConflict || !strings.Contains(string(body), "voided") {
			t.Errorf("%s of an all-voided purchase: %d", p, status)
		}
	}
	code, out = apiCall(t, e, ownerKey, "GET", "/api/v1/purchases/"+pid+"/file?format=pdf", "")
	if c, _ := errField(out); code != http.StatusConflict || c != "label_voided" {
		t.Errorf("API PDF of an all-voided purchase: %d %v", code, out)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/labels/"+pid, nil))
	if strings.Contains(page, `id="download-pdf"`) || strings.Contains(page, `id="print-page"`) {
		t.Errorf("the page of an all-voided purchase still offers its files:\n%s", page)
	}
}

// A label the refund submission voided says why.
func TestLabelSubmittedForRefundSaysSo(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	id, _ := buyViaAPI(t, e)
	if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET mailing_date = mailing_date - 60 WHERE public_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if run, err := e.Metering.SubmitRefunds(ctx, 30*24*time.Hour, 10, nil); err != nil || run.Submitted != 1 {
		t.Fatalf("submit refunds: %+v %v", run, err)
	}
	row := labelRowOf(webtest.Body(t, e.Do("owner", "GET", "/labels", nil)), id)
	if !strings.Contains(row, "Voided (submitted for refund)") || strings.Contains(row, "/labels/l/") {
		t.Errorf("row of a label submitted for refund: %q", row)
	}
	if status, _, _ := getFile(t, e, "owner", "/labels/l/"+id+".pdf"); status != http.StatusConflict {
		t.Errorf("PDF of a label submitted for refund: %d", status)
	}
}

// A label the Postal Service scanned cannot be voided: no list or page offers
// it, and they say when it was scanned.
func TestScannedLabelOffersNoVoid(t *testing.T) {
	e := webtest.New(t)
	id, in := buyViaAPI(t, e)
	if _, out := apiCall(t, e, key(t, e, e.Users["staff"]), "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in.Text())); out["result"] != "valid" {
		t.Fatalf("scan: %v", out)
	}
	want := "Used (scanned " + time.Now().UTC().Format("2006-01-02") + ")"
	page := webtest.Body(t, e.Do("owner", "GET", "/labels", nil))
	if row := labelRowOf(page, id); !strings.Contains(row, want) || strings.Contains(row, "void-link") {
		t.Errorf("row of a scanned label, want %q and no Void link: %q", want, row)
	}
	page = webtest.Body(t, e.Do("owner", "GET", "/labels/"+id+"/void", nil))
	if strings.Contains(page, "void-submit") || !strings.Contains(page, want) {
		t.Errorf("the void page of a scanned label offers to void it:\n%s", page)
	}
	// Still printable: it is valid postage that was mailed.
	if status, _, _ := getFile(t, e, "owner", "/labels/l/"+id+".pdf"); status != http.StatusOK {
		t.Errorf("PDF of a scanned label: %d", status)
	}
}
