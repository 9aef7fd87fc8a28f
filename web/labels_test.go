package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/web/request"
	"indicia/web/webtest"
)

// mailDay is a date of mailing under the July 12, 2026 price list, the one
// metering/rating's published-price tests are typed from.
const mailDay = "2026-11-30"

// TestRatesAPI prices pieces as USPS Notice 123 lists them and names the
// field of bad input.
func TestRatesAPI(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner)
	// "FCM letters metered, 1 oz: $0.78" (the row metering/rating tests cite).
	code, out := apiCall(t, e, k, "POST", "/api/v1/rates", `{"mail_class":"FCM_LETTER","weight_oz":1,"dest_zip":"90210","mailing_date":"`+mailDay+`"}`)
	if code != 200 {
		t.Fatalf("rate a letter: %d %v", code, out)
	}
	q := out["quotes"].([]any)[0].(map[string]any)
	if q["total"].(float64) != 78 || q["ok"] != true || len(q["lines"].([]any)) != 1 {
		t.Errorf("1 oz metered letter: %v", q)
	}
	// Compare: "GA retail, 8 oz, zone 5: $8.60" for 6 oz from 10001 to Chicago; a letter cannot weigh 6 oz.
	code, out = apiCall(t, e, k, "POST", "/api/v1/rates", `{"weight_oz":6,"origin_zip":"10001","dest_zip":"60601","mailing_date":"`+mailDay+`"}`)
	if code != 200 {
		t.Fatalf("compare: %d %v", code, out)
	}
	byClass := map[string]map[string]any{}
	for _, x := range out["quotes"].([]any) {
		q := x.(map[string]any)
		byClass[q["mail_class"].(string)] = q
	}
	if ga := byClass["GROUND_ADVANTAGE"]; ga["total"].(float64) != 860 || ga["zone"].(float64) != 5 {
		t.Errorf("Ground Advantage: %v", ga)
	}
	if l := byClass["FCM_LETTER"]; l["ok"] != false || !strings.Contains(l["reason"].(string), "3.5 oz") {
		t.Errorf("a 6 oz letter: %v", l)
	}
	// "Priority Mail Retail, 1 lb, zone 5: $13.05": 6 oz pays the 1 lb price.
	if p := byClass["PRIORITY"]; p["ok"] != true || p["total"].(float64) != 1305 || p["zone"].(float64) != 5 || p["billable_weight_oz"].(float64) != 16 {
		t.Errorf("Priority Mail: %v", p)
	}
	bad := []struct{ body, field string }{
		{`{"mail_class":"FCM_LETTER","weight_oz":0,"dest_zip":"90210"}`, "weight_oz"},
		{`{"weight_oz":-2,"dest_zip":"90210"}`, "weight_oz"},
		{`{"mail_class":"FCM_LETTER","weight_oz":9,"dest_zip":"90210"}`, "weight_oz"},
		{`{"weight_oz":3,"dest_zip":"00000"}`, "dest_zip"},
		{`{"mail_class":"FCM_LETTER","weight_oz":1,"dest_zip":"90210","services":["CERTIFIED","REGISTERED"]}`, "services"},
		{`{"mail_class":"PRIORITY","weight_oz":1121,"dest_zip":"90210"}`, "weight_oz"}, // over the 70 lb maximum
		{`{"mail_class":"PARCEL_POST","weight_oz":16,"dest_zip":"90210"}`, "mail_class"},
		{`{"mail_class":"FCM_LETTER","weight_oz":1,"mailing_date":"30/11/2026"}`, "mailing_date"},
	}
	for _, b := range bad {
		code, out := apiCall(t, e, k, "POST", "/api/v1/rates", b.body)
		if c, f := errField(out); code != 422 || c != "invalid" || f != b.field {
			t.Errorf("%s: %d %v, want 422 naming %s", b.body, code, out, b.field)
		}
	}
}

// TestRatesPage compares every class without JavaScript (a GET form).
func TestRatesPage(t *testing.T) {
	e := webtest.New(t)
	page := webtest.Body(t, e.Do("owner", "GET", "/rates", nil))
	if !strings.Contains(page, `value="06901"`) {
		t.Error("the rates form does not default the origin ZIP to the account's")
	}
	resp := e.Do("clerk", "GET", "/rates?origin_zip=10001&dest_zip=60601&weight_lb=&weight_oz=6&mailing_date="+mailDay, nil)
	page = webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "$8.60") || !strings.Contains(page, "Zone 5") {
		t.Errorf("Ground Advantage 6 oz to Chicago should show $8.60 in zone 5:\n%s", page)
	}
	// "Priority Mail Retail, 1 lb, zone 5: $13.05", in Priority Mail's own row.
	if row := quoteRow(page, "PRIORITY"); !strings.Contains(row, "$13.05") || !strings.Contains(row, "Zone 5") {
		t.Errorf("Priority Mail 6 oz to Chicago should show $13.05 in zone 5: %q", row)
	}
	resp = e.Do("owner", "GET", "/rates?dest_zip=60601&weight_oz=abc", nil)
	page = webtest.Body(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(page, `id="weight-error"`) {
		t.Errorf("bad weight: %d, no message next to the weight", resp.StatusCode)
	}
}

// quoteRow is the comparison table's row for one mail class ("" if none).
func quoteRow(page, class string) string {
	i := strings.Index(page, `data-class="`+class+`"`)
	if i < 0 {
		return ""
	}
	row, _, _ := strings.Cut(page[i:], "</tr>")
	return row
}

var tokenRe = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

// buyForm is a First-Class letter to a real address, mailed today (a
// purchase's date of mailing must be near today; every price list since
// July 12, 2026 charges $0.78 for it).
func buyForm(token string) url.Values {
	return url.Values{"token": {token}, "action": {"buy"}, "recipient_name": {"Ann Lee"}, "recipient_address": {"9 elm street, beverly hills ca 90210"},
		"class": {"FCM_LETTER"}, "weight_oz": {"1"}}
}

func formToken(t *testing.T, e *webtest.Env, role string) string {
	t.Helper()
	page := webtest.Body(t, e.Do(role, "GET", "/postage", nil))
	m := tokenRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no one-time token on the purchase form:\n%s", page)
	}
	return m[1]
}

func pieces(t *testing.T, e *webtest.Env) int64 {
	t.Helper()
	m, err := e.Metering.Meter(context.Background(), accounts.System, e.Meter.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Record.PieceCount
}

// TestPurchasePage: price, buy, land on the labels; a double submit buys once.
func TestPurchasePage(t *testing.T) {
	e := webtest.New(t)
	tok := formToken(t, e, "owner")
	f := buyForm(tok)
	f.Set("action", "quote")
	resp := e.Do("owner", "POST", "/postage", f)
	page := webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "$0.78") || !strings.Contains(page, "9 ELM ST") || !strings.Contains(page, tok) {
		t.Fatalf("Get price: %d\n%s", resp.StatusCode, page)
	}
	if pieces(t, e) != 0 {
		t.Fatal("getting a price bought postage")
	}
	resp = e.Do("owner", "POST", "/postage", buyForm(tok))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/labels/") {
		t.Fatalf("buy: %d %q\n%s", resp.StatusCode, loc, webtest.Body(t, resp))
	}
	again := e.Do("owner", "POST", "/postage", buyForm(tok))
	if again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != loc {
		t.Errorf("double submit: %d %q, want the same purchase %q", again.StatusCode, again.Header.Get("Location"), loc)
	}
	if n := pieces(t, e); n != 1 {
		t.Errorf("a double submit dispensed %d pieces", n)
	}
	page = webtest.Body(t, e.Do("owner", "GET", loc, nil))
	if !strings.Contains(page, "$0.78") || !strings.Contains(page, "BEVERLY HILLS CA 90210") || !strings.Contains(page, loc+"/label.pdf?layout=4x6") {
		t.Errorf("labels page:\n%s", page)
	}
	history := webtest.Body(t, e.Do("clerk", "GET", "/labels", nil))
	if !strings.Contains(history, "ANN LEE") || !strings.Contains(history, "/labels/l/") {
		t.Errorf("the account's label history lacks the label:\n%s", history)
	}
	// The live price endpoint answers the page's script.
	req := httptest.NewRequest("POST", "/postage/quote", strings.NewReader(buyForm(tok).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", e.Sessions["owner"][1])
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions["owner"][0]})
	live := e.Test(req)
	if body := webtest.Body(t, live); live.StatusCode != 200 || !strings.Contains(body, `"total_cents":78`) {
		t.Errorf("live quote: %d %s", live.StatusCode, body)
	}
}

// TestPurchasePageRefusals: bad input, a suspended meter and too little
// money are shown next to the form and buy nothing.
func TestPurchasePageRefusals(t *testing.T) {
	e := webtest.New(t)
	tok := formToken(t, e, "owner")
	f := buyForm(tok)
	f.Set("weight_oz", "0")
	resp := e.Do("owner", "POST", "/postage", f)
	if page := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(page, `id="weight-error"`) {
		t.Errorf("zero weight: %d", resp.StatusCode)
	}
	f = buyForm(tok)
	f.Set("recipient_address", "nowhere at all")
	resp = e.Do("owner", "POST", "/postage", f)
	if page := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(page, `id="recipient_address-error"`) {
		t.Errorf("bad address: %d", resp.StatusCode)
	}
	// Spend all but $0.50 of the meter's $100; a $0.78 letter is then too much.
	ownerPurchaseOf(t, e, 99_50)
	resp = e.Do("owner", "POST", "/postage", buyForm(tok))
	page := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusPaymentRequired || !strings.Contains(page, "does not hold enough postage") {
		t.Errorf("a piece over the balance: %d\n%s", resp.StatusCode, page)
	}
	if _, err := e.Metering.Suspend(context.Background(), accounts.System, e.Meter.ID, "inspection"); err != nil {
		t.Fatal(err)
	}
	resp = e.Do("owner", "POST", "/postage", buyForm(tok))
	page = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "no active meter") {
		t.Errorf("suspended meter: %d\n%s", resp.StatusCode, page)
	}
	if n := pieces(t, e); n != 1 {
		t.Errorf("refused purchases dispensed %d pieces", n-1)
	}
}

// ownerPurchaseOf spends cents of the owner's meter on one metered piece.
func ownerPurchaseOf(t *testing.T, e *webtest.Env, cents int64) {
	t.Helper()
	_, err := e.Metering.Purchase(context.Background(), e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{
		Postage: cents, MailClass: "FCM_LETTER", DestZIP: "90210",
		Recipient: metering.Recipient{Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST, BEVERLY HILLS CA 90210"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// verifyText checks barcode text against the published certificates offline.
func verifyText(t *testing.T, e *webtest.Env, text string) indicium.Indicium {
	t.Helper()
	in, err := indicium.ParseText(strings.TrimSpace(text))
	if err != nil {
		t.Fatalf("decoded text %q: %v", text, err)
	}
	certs, err := indicium.ParseCertificatesPEM([]byte(webtest.Body(t, e.Do("anon", "GET", "/.well-known/indicia/certs", nil))))
	if err != nil {
		t.Fatal(err)
	}
	mc, err := indicium.FindMeterCertificate(in, certs)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicium.VerifyWithCertificates(in, certs[0], mc); err != nil {
		t.Fatalf("printed indicium does not verify: %v", err)
	}
	return in
}

// decodePDFPage rasterises one page at 300 dpi and reads its Data Matrix with libdmtx.
func decodePDFPage(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "dmtxread"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install poppler-utils dmtx-utils)", tool)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprint(page)
	if out, err := exec.Command("pdftoppm", "-r", "300", "-gray", "-png", "-f", p, "-l", p, "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("dmtxread", "-N1", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("dmtxread found no Data Matrix on page %d: %v", page, err)
	}
	return string(out)
}

func getFile(t *testing.T, e *webtest.Env, role, path string) (int, []byte, http.Header) {
	t.Helper()
	resp := e.Do(role, "GET", path, nil)
	return resp.StatusCode, []byte(webtest.Body(t, resp)), resp.Header
}

// TestLabelFiles buys a rated batch through the API and prints it in every
// format; the printed barcodes verify offline and reprints are identical.
func TestLabelFiles(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	body := `{"pieces":[
		{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}},
		{"mail_class":"GROUND_ADVANTAGE","weight_oz":7.1,"services":["SIGNATURE_CONFIRMATION"],"recipient":{"name":"Bo Diaz","address":"233 S Wacker Dr, Chicago IL 60606"}}]}`
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", body)
	if code != 201 {
		t.Fatalf("buy a rated batch: %d %v", code, out)
	}
	pid := out["id"].(string)
	ls := out["labels"].([]any)
	first, second := ls[0].(map[string]any), ls[1].(map[string]any)
	if first["postage"].(float64) != 78 {
		t.Errorf("the API did not charge the rated price for a 1 oz letter: %v", first["postage"])
	}
	if s := second["services"].([]any); len(s) != 1 || s[0] != "SIGNATURE_CONFIRMATION" {
		t.Errorf("services of the second label: %v", s)
	}
	status, pdf, hdr := getFile(t, e, "owner", "/labels/"+pid+"/label.pdf?layout=4x6")
	if status != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("batch PDF: %d %q", status, hdr.Get("Content-Type"))
	}
	for i, want := range []map[string]any{first, second} {
		text := decodePDFPage(t, pdf, i+1)
		if strings.TrimSpace(text) != want["indicium"] {
			t.Errorf("page %d decodes to %q, want the stored indicium", i+1, text)
		}
		verifyText(t, e, text)
	}
	_, again, _ := getFile(t, e, "clerk", "/labels/"+pid+"/label.pdf?layout=4x6")
	if !bytes.Equal(pdf, again) {
		t.Error("a reprint of the batch PDF differs from the first print")
	}
	for _, layout := range []string{"letter", "envelope"} {
		if status, b, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.pdf?layout="+layout); status != 200 || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("%s PDF: %d", layout, status)
		}
	}
	if status, _, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.pdf?layout=poster"); status != 422 {
		t.Errorf("unknown layout: %d", status)
	}
	status, pngData, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.png?piece=2")
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if status != 200 || err != nil || cfg.Width != 1200 || cfg.Height != 1800 {
		t.Errorf("PNG piece 2: %d %v %dx%d, want 1200x1800 (4x6 in at 300 dpi)", status, err, cfg.Width, cfg.Height)
	}
	status, zpl, _ := getFile(t, e, "owner", "/labels/"+pid+"/label.zpl")
	if status != 200 || strings.Count(string(zpl), "^XA") != 2 || !strings.Contains(string(zpl), "^BX") {
		t.Errorf("ZPL: %d %q", status, zpl)
	}
	lid := first["id"].(string)
	_, one, _ := getFile(t, e, "owner", "/labels/l/"+lid+".pdf")
	_, oneAgain, _ := getFile(t, e, "owner", "/labels/l/"+lid+".pdf")
	if !bytes.HasPrefix(one, []byte("%PDF")) || !bytes.Equal(one, oneAgain) {
		t.Error("per-label PDF missing or not identical on reprint")
	}
	if got := decodePDFPage(t, one, 1); strings.TrimSpace(got) != first["indicium"] {
		t.Errorf("per-label PDF decodes to %q", got)
	}
	for _, ext := range []string{"png", "zpl"} {
		if status, _, _ := getFile(t, e, "owner", "/labels/l/"+lid+"."+ext); status != 200 {
			t.Errorf("per-label %s: %d", ext, status)
		}
	}
	// The same files through the API.
	req := func(path string) (int, []byte) {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer "+k)
		resp := e.Test(r)
		return resp.StatusCode, []byte(webtest.Body(t, resp))
	}
	if status, b := req("/api/v1/labels/" + lid + "/file?format=png"); status != 200 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("API label PNG: %d", status)
	}
	if status, b := req("/api/v1/purchases/" + pid + "/file?format=pdf&layout=4x6"); status != 200 || !bytes.Equal(b, pdf) {
		t.Errorf("API batch PDF: %d, identical to the page's: %v", status, bytes.Equal(b, pdf))
	}
	if status, b := req("/api/v1/purchases/" + pid + "/file?format=zpl"); status != 200 || !bytes.Equal(b, zpl) {
		t.Errorf("API batch ZPL: %d", status)
	}
	// The print page shows each label as a 4x6 image.
	_, printPage, _ := getFile(t, e, "owner", "/labels/"+pid+"/print")
	if !strings.Contains(string(printPage), "/labels/"+pid+"/label.png?piece=2") || !strings.Contains(string(printPage), "/static/css/labels.css") {
		t.Errorf("print page:\n%s", printPage)
	}
	css := webtest.Body(t, e.Do("anon", "GET", "/static/css/labels.css", nil))
	if !strings.Contains(css, "size: 4in 6in") {
		t.Error("print CSS does not set a 4x6 in page")
	}

	// Another account sees none of it.
	other := otherMailer(t, e)
	for _, p := range []string{"/labels/" + pid, "/labels/" + pid + "/label.pdf", "/labels/l/" + lid + ".pdf", "/labels/" + pid + "/print"} {
		if status, _, _ := getFile(t, e, other, p); status != 404 {
			t.Errorf("another account GET %s: %d, want 404", p, status)
		}
	}
	ok2 := key(t, e, e.Users[other])
	r := httptest.NewRequest("GET", "/api/v1/labels/"+lid+"/file", nil)
	r.Header.Set("Authorization", "Bearer "+ok2)
	if resp := e.Test(r); resp.StatusCode != 404 {
		t.Errorf("another account's API key reads the label file: %d", resp.StatusCode)
	}
}

// otherMailer signs up a second mailer account with a session; it returns the role name for e.Do.
func otherMailer(t *testing.T, e *webtest.Env) string {
	t.Helper()
	ctx := context.Background()
	u, _, err := e.Acc.SignUp(ctx, accounts.SignUpInput{Name: "Otto Other", Company: "Other Co", Email: "other@example.com",
		Password: "other password 1", Address: accounts.Address{Line1: "5 Oak St", City: "Stamford", State: "CT", ZIP: "06902"}})
	if err != nil {
		t.Fatal(err)
	}
	id, s, err := e.Acc.Sessions.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Users["other"] = u
	e.Sessions["other"] = [2]string{id, s.CSRF}
	return "other"
}

// TestAPIBuyRatesByWeight: a rated purchase refuses a postage that is not the price.
func TestAPIBuyRatesByWeight(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	cases := []struct{ body, field string }{
		{`{"pieces":[{"mail_class":"FCM_LETTER","weight_oz":1,"postage":50,"recipient":{"address":"9 elm street, beverly hills ca 90210"}}]}`, "postage"},
		{`{"pieces":[{"mail_class":"FCM_LETTER","weight_oz":12,"recipient":{"address":"9 elm street, beverly hills ca 90210"}}]}`, "weight_oz"},
		{`{"pieces":[{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"address":"9 elm street, beverly hills ca 90210"}},
			{"mail_class":"FCM_LETTER","weight_oz":1,"services":["TELEPATHY"],"recipient":{"address":"9 elm street, beverly hills ca 90210"}}]}`, "pieces[1].services"},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", c.body)
		if _, f := errField(out); code != 422 || f != c.field {
			t.Errorf("%s: %d %v, want 422 naming %s", c.body, code, out, c.field)
		}
	}
	if pieces(t, e) != 0 {
		t.Error("refused API purchases dispensed postage")
	}
}

// TestPurchaseFromAddressBook: an address-book entry is offered on the
// purchase form and, picked without typing an address, is the recipient.
func TestPurchaseFromAddressBook(t *testing.T) {
	e := webtest.New(t)
	entry := url.Values{"name": {"Bo Diaz"}, "company": {"Diaz Tools"}, "line1": {"233 S Wacker Dr"}, "city": {"Chicago"}, "state": {"IL"}, "zip": {"60606"}, "decision": {"mine"}}
	if resp := e.Do("owner", "POST", "/addresses", entry); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add an address-book entry: %d", resp.StatusCode)
	}
	page := webtest.Body(t, e.Do("clerk", "GET", "/postage", nil))
	m := regexp.MustCompile(`<option value="(\d+)"[^>]*data-name="Bo Diaz"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the purchase form does not offer the address book:\n%s", page)
	}
	f := url.Values{"token": {tokenRe.FindStringSubmatch(page)[1]}, "action": {"buy"}, "book_id": {m[1]}, "class": {"FCM_LETTER"}, "weight_oz": {"2"}}
	resp := e.Do("clerk", "POST", "/postage", f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy to an address-book entry: %d\n%s", resp.StatusCode, webtest.Body(t, resp))
	}
	labels := webtest.Body(t, e.Do("clerk", "GET", resp.Header.Get("Location"), nil))
	if !strings.Contains(labels, "DIAZ TOOLS") || !strings.Contains(labels, "CHICAGO IL 60606") || !strings.Contains(labels, "$1.07") {
		t.Errorf("label to the address-book entry (2 oz letter, $1.07):\n%s", labels)
	}
}
