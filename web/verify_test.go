package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/jobs/tasks"
	"indicia/labels"
	"indicia/metering/indicium"
	"indicia/web/request"
	"indicia/web/webtest"
)

// buyViaAPI buys one label to "9 elm street, beverly hills ca 90210" and returns its id and indicium.
func buyViaAPI(t *testing.T, e *webtest.Env) (string, indicium.Indicium) {
	t.Helper()
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", oneLabel)
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	l := out["labels"].([]any)[0].(map[string]any)
	in, err := indicium.ParseText(l["indicium"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return l["id"].(string), in
}

func labelPNG(t *testing.T, in indicium.Indicium) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := labels.PNG(&b, labels.FromIndicium(in), labels.DefaultDPI); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postVerify submits the verify form as role, multipart, with an optional file.
func postVerify(t *testing.T, e *webtest.Env, role string, fields url.Values, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields.Set("_csrf", e.Sessions[role][1])
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := w.CreateFormFile("image", "label.png")
		fw.Write(file)
	}
	w.Close()
	req := httptest.NewRequest("POST", "/verify", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions[role][0]})
	resp := e.Test(req)
	return resp.StatusCode, webtest.Body(t, resp)
}

func verdict(page string) string {
	_, rest, ok := strings.Cut(page, `id="verdict-result"`)
	if !ok {
		return ""
	}
	_, rest, _ = strings.Cut(rest, ">")
	v, _, _ := strings.Cut(rest, "<")
	return v
}

func TestVerifyPage(t *testing.T) {
	e := webtest.New(t)
	id, in := buyViaAPI(t, e)

	code, page := postVerify(t, e, "staff", url.Values{"text": {in.Text()}, "piece_ref": {"P-1"},
		"address": {"9 Elm Street, Beverly Hills CA 90210"}}, nil)
	if code != http.StatusOK || verdict(page) != "VALID" || !strings.Contains(page, in.MeterSerial) || !strings.Contains(page, "$0.78") ||
		!strings.Contains(page, "matches the address") {
		t.Fatalf("pasted text: %d verdict %q\n%s", code, verdict(page), page)
	}
	code, page = postVerify(t, e, "admin", url.Values{"piece_ref": {"P-1"}}, labelPNG(t, in))
	if code != http.StatusOK || verdict(page) != "VALID" {
		t.Errorf("uploaded PNG of the same piece: %d %q", code, verdict(page))
	}
	code, page = postVerify(t, e, "staff", url.Values{"piece_ref": {"P-2"}}, labelPNG(t, in))
	if code != http.StatusOK || verdict(page) != "DUPLICATE" {
		t.Errorf("the same indicium on another piece: %d %q", code, verdict(page))
	}
	code, page = postVerify(t, e, "staff", url.Values{"text": {in.Text()}, "address": {"1 Main St, Stamford CT 06901"}}, nil)
	if verdict(page) != "INVALID" || !strings.Contains(page, "does not match") {
		t.Errorf("another recipient: %d %q", code, verdict(page))
	}
	code, page = postVerify(t, e, "staff", url.Values{}, []byte("%PDF-1.4 not an image"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "not a PNG or JPEG") || verdict(page) != "" {
		t.Errorf("a non-image upload: %d\n%s", code, page)
	}
	code, page = postVerify(t, e, "staff", url.Values{}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Paste the scanned barcode text") {
		t.Errorf("nothing sent: %d", code)
	}
	if !strings.Contains(page, `id="verify-log"`) || strings.Count(page, "<tr><td>") != 4 {
		t.Errorf("the page lists the four logged verifications:\n%s", page)
	}

	// A second label: the owner voids it on its page, and it verifies as VOID.
	id2, in2 := buyViaAPI(t, e)
	if r := e.Do("owner", "GET", "/labels/"+id2+"/void", nil); r.StatusCode != http.StatusOK || !strings.Contains(webtest.Body(t, r), "void-submit") {
		t.Errorf("void confirmation page: %d", r.StatusCode)
	}
	if r := e.Do("owner", "POST", "/labels/"+id2+"/void", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("void: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	if _, page = postVerify(t, e, "staff", url.Values{"text": {in2.Text()}}, nil); verdict(page) != "VOID" {
		t.Errorf("voided label verifies as %q", verdict(page))
	}
	if r := e.Do("owner", "POST", "/labels/"+id2+"/void", nil); r.StatusCode != http.StatusConflict || !strings.Contains(webtest.Body(t, r), "already voided") {
		t.Errorf("second void: %d", r.StatusCode)
	}
	// The first label was scanned: it can no longer be voided.
	if r := e.Do("owner", "POST", "/labels/"+id+"/void", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("void of a scanned label: %d", r.StatusCode)
	}
	var logged int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(*) FROM verifications`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged != 5 {
		t.Errorf("%d verifications logged, want 5", logged)
	}
}

func TestAPIVerifyAndVoid(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	id, in := buyViaAPI(t, e)
	staffKey := key(t, e, e.Users["staff"])
	ownerKey := key(t, e, e.Owner, "buy_postage")

	code, out := apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify",
		fmt.Sprintf(`{"text":%q,"piece_ref":"A1","address":"9 elm street, beverly hills ca 90210"}`, in.Text()))
	f, _ := out["fields"].(map[string]any)
	if code != http.StatusOK || out["result"] != "valid" || f["meter_serial"] != in.MeterSerial || f["postage"] != float64(78) || out["recipient_match"] != true {
		t.Fatalf("verify text: %d %v", code, out)
	}
	img := base64.StdEncoding.EncodeToString(labelPNG(t, in))
	code, out = apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"image":%q,"piece_ref":"B2"}`, img))
	if code != http.StatusOK || out["result"] != "duplicate" {
		t.Errorf("verify image on another piece: %d %v", code, out)
	}
	code, out = apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify", `{"image":"bm90IGFuIGltYWdl"}`)
	if c, fld := errField(out); code != http.StatusUnprocessableEntity || fld != "image" {
		t.Errorf("non-image: %d %s %s", code, c, fld)
	}
	code, out = apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify", `{"txt":"x"}`)
	if _, fld := errField(out); code != http.StatusBadRequest || fld != "txt" {
		t.Errorf("unknown field: %d %v", code, out)
	}
	if code, _ = apiCall(t, e, ownerKey, "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in.Text())); code != http.StatusForbidden {
		t.Errorf("a mailer key verifying: %d", code)
	}

	// Void through the API: a scanned label is refused, a fresh one refunds once.
	if code, _ = apiCall(t, e, ownerKey, "POST", "/api/v1/labels/"+id+"/void", ""); code != http.StatusConflict {
		t.Errorf("void of a scanned label: %d", code)
	}
	id2, in2 := buyViaAPI(t, e)
	strangerUser, _, err := e.Acc.SignUp(ctx, accounts.SignUpInput{Name: "Sly Stranger", Company: "Other Co", Email: "sly@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "5 Oak St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ = apiCall(t, e, key(t, e, strangerUser, "buy_postage"), "POST", "/api/v1/labels/"+id2+"/void", ""); code != http.StatusNotFound {
		t.Errorf("another account's void: %d", code)
	}
	code, out = apiCall(t, e, ownerKey, "POST", "/api/v1/labels/"+id2+"/void", "")
	l, _ := out["label"].(map[string]any)
	if code != http.StatusOK || out["refunded"] != float64(78) || l["status"] != "voided" || out["meter_descending_register"] != float64(100_00-78) {
		t.Fatalf("void: %d %v", code, out)
	}
	if code, _ = apiCall(t, e, ownerKey, "POST", "/api/v1/labels/"+id2+"/void", ""); code != http.StatusConflict {
		t.Errorf("second void: %d", code)
	}
	if _, out = apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in2.Text())); out["result"] != "void" {
		t.Errorf("voided label verifies as %v", out["result"])
	}
	rep, err := e.Metering.Audit(ctx)
	if err != nil || !rep.OK() || rep.Voided != 1 {
		t.Errorf("audit after API void: %+v %v", rep, err)
	}
}

func TestStaffCreatesAnAPIKeyOnItsPage(t *testing.T) {
	e := webtest.New(t)
	_, in := buyViaAPI(t, e)
	page := webtest.Body(t, e.Do("staff", "GET", "/dashboard", nil))
	if !strings.Contains(page, `href="/verify/keys"`) || !strings.Contains(page, `href="/verify"`) {
		t.Error("postal staff navigation lacks Verify and API keys")
	}
	r := e.Do("staff", "POST", "/verify/keys", url.Values{"name": {"scanner 7"}})
	body := webtest.Body(t, r)
	_, rest, ok := strings.Cut(body, `id="new-key">`)
	secret, _, _ := strings.Cut(rest, "<")
	if r.StatusCode != http.StatusOK || !ok || !strings.HasPrefix(secret, "ind_") {
		t.Fatalf("create key: %d\n%s", r.StatusCode, body)
	}
	code, out := apiCall(t, e, secret, "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in.Text()))
	if code != http.StatusOK || out["result"] != "valid" {
		t.Errorf("verify with the staff key: %d %v", code, out)
	}
	if code, _ = apiCall(t, e, secret, "POST", "/api/v1/labels", oneLabel); code != http.StatusForbidden {
		t.Errorf("a staff key buying postage: %d, want 403", code)
	}
}

// The daily scheduler submits one submit_refunds job per day; the worker voids
// old labels nobody scanned and leaves scanned and recent ones alone.
func TestSubmitRefundsJobFromTheScheduler(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	oldID, _ := buyViaAPI(t, e)
	scannedID, scanned := buyViaAPI(t, e)
	recentID, _ := buyViaAPI(t, e)
	if _, out := apiCall(t, e, key(t, e, e.Users["staff"]), "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, scanned.Text())); out["result"] != "valid" {
		t.Fatalf("scan: %v", out)
	}
	if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET mailing_date = mailing_date - 60 WHERE public_id = ANY($1)`, []string{oldID, scannedID}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := tasks.ScheduleRefundsOnce(ctx, e.Jobs, e.Metering, now); err != nil {
		t.Fatal(err)
	}
	if err := tasks.ScheduleRefundsOnce(ctx, e.Jobs, e.Metering, now); err != nil {
		t.Fatal(err)
	}
	var jobs int
	if err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, tasks.JobKindSubmitRefunds).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Fatalf("%d submit_refunds jobs for one day, want 1", jobs)
	}
	e.StartWorker()
	var status string
	for range 200 {
		e.Pool.QueryRow(ctx, `SELECT status FROM jobs WHERE kind = $1`, tasks.JobKindSubmitRefunds).Scan(&status)
		if status == "succeeded" || status == "dead" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status != "succeeded" {
		t.Fatalf("refund job status %q", status)
	}
	for id, want := range map[string]string{oldID: "voided", scannedID: "issued", recentID: "issued"} {
		var st, reason string
		e.Pool.QueryRow(ctx, `SELECT status, void_reason FROM indicia WHERE public_id = $1`, id).Scan(&st, &reason)
		if st != want || (want == "voided" && reason != "submitted for refund") {
			t.Errorf("label %s: %s (%q), want %s", id, st, reason, want)
		}
	}
	if rep, err := e.Metering.Audit(ctx); err != nil || !rep.OK() || rep.Voided != 1 {
		t.Errorf("audit after the refund job: %+v %v", rep, err)
	}
}

// The first valid scan marks the label used, and the answer says so.
func TestVerifySaysTheLabelIsNowUsed(t *testing.T) {
	e := webtest.New(t)
	_, in := buyViaAPI(t, e)
	code, page := postVerify(t, e, "staff", url.Values{"text": {in.Text()}, "piece_ref": {"P-1"}, "location": {"Stamford P&DC"}}, nil)
	if code != http.StatusOK || verdict(page) != "VALID" {
		t.Fatalf("first scan: %d %q", code, verdict(page))
	}
	status := decodedField(page, "Label status")
	if !strings.HasPrefix(status, "used (scanned "+time.Now().UTC().Format("2006-01-02")) || !strings.Contains(status, "Stamford P&amp;DC") {
		t.Errorf("label status after the first valid scan: %q", status)
	}
	if !strings.Contains(page, "now recorded as used") {
		t.Errorf("the first valid scan does not say it marked the label used:\n%s", page)
	}
	// The same piece again: still VALID, the first scan's time and place.
	code, page = postVerify(t, e, "staff", url.Values{"text": {in.Text()}, "piece_ref": {"P-1"}, "location": {"Hartford"}}, nil)
	if again := decodedField(page, "Label status"); code != http.StatusOK || verdict(page) != "VALID" || again != status {
		t.Errorf("second scan of the same piece: %q %q, want %q", verdict(page), again, status)
	}
}

// decodedField is the value of one row of the verify page's decoded fields.
func decodedField(page, label string) string {
	_, rest, ok := strings.Cut(page, "<dt>"+label+"</dt>")
	if !ok {
		return ""
	}
	_, rest, _ = strings.Cut(rest, ">")
	v, _, _ := strings.Cut(rest, "</dd>")
	return v
}
