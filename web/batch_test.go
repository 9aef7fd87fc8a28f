package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
	"indicia/web/webtest"
)

// batchCSV is a list of n recipients; the rows at the given 0-based indexes
// are bad: an address that does not exist, then a weight that is not one.
func batchCSV(n int, bad ...int) string {
	var b strings.Builder
	b.WriteString("name,address,weight_oz,class,cost_code,reference\n")
	for i := 0; i < n; i++ {
		addr, weight := "9 elm street, beverly hills ca 90210", "1"
		for j, k := range bad {
			if i == k && j%2 == 0 {
				addr = "12 nowhere lane, nowhere zz 99999"
			}
			if i == k && j%2 == 1 {
				weight = "heavy"
			}
		}
		fmt.Fprintf(&b, "Person %d,\"%s\",%s,FCM_LETTER,,Row %d\n", i+1, addr, weight, i+1)
	}
	return b.String()
}

// uploadBatch posts a batch file through the page as role.
func uploadBatch(t *testing.T, e *webtest.Env, role, name, content string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", e.Sessions[role][1])
	w.WriteField("token", "upload-token")
	w.WriteField("action", "check")
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest("POST", "/postage/batch", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions[role][0]})
	resp := e.Test(req)
	return resp, webtest.Body(t, resp)
}

var (
	batchRowsRe  = regexp.MustCompile(`name="rows" value="([^"]*)"`)
	batchTokenRe = regexp.MustCompile(`id="batch-buy">\s*<input type="hidden" name="_csrf" value="[^"]*"/?>\s*<input type="hidden" name="token" value="([^"]*)"`)
)

func purchaseCount(t *testing.T, e *webtest.Env) int {
	t.Helper()
	var n int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(*) FROM purchases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A list of 25 with two bad rows: the review names both by line with the
// reason and prices 23; buying buys the 23 as one purchase, and sending the
// same reviewed batch again (a retry, or two submits at once) buys nothing
// twice.
func TestBatchUploadReviewBuyOnce(t *testing.T) {
	e := webtest.New(t)
	resp, page := uploadBatch(t, e, "owner", "list.csv", batchCSV(25, 4, 17))
	if resp.StatusCode != 200 || !strings.Contains(page, `id="batch-good">23<`) || !strings.Contains(page, `id="batch-bad-count">2<`) {
		t.Fatalf("review: %d\n%.5000s", resp.StatusCode, page)
	}
	// Line numbers count the header: row index 4 is line 6, index 17 is line 19.
	if !strings.Contains(page, "<strong>Line 6</strong>") || !strings.Contains(page, "<strong>Line 19</strong> (Person 18): The weight &#34;heavy&#34;") {
		t.Errorf("bad rows not named by line with reasons:\n%.6000s", page)
	}
	m := batchRowsRe.FindStringSubmatch(page)
	tok := batchTokenRe.FindStringSubmatch(page)
	if m == nil || tok == nil {
		t.Fatalf("no buy form:\n%.6000s", page)
	}
	buy := url.Values{"action": {"buy"}, "token": {tok[1]}, "rows": {html.UnescapeString(m[1])}}
	if n := pieces(t, e); n != 0 {
		t.Fatalf("checking bought %d pieces", n)
	}
	// Two submits at once, then a retry: one purchase of 23 pieces.
	var wg sync.WaitGroup
	locs := make([]string, 3)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp := e.Do("owner", "POST", "/postage/batch", cloneValues(buy))
			locs[i] = resp.Header.Get("Location")
		}(i)
	}
	wg.Wait()
	resp = e.Do("owner", "POST", "/postage/batch", cloneValues(buy))
	locs[2] = resp.Header.Get("Location")
	if !strings.HasPrefix(locs[0], "/labels/p_") || locs[0] != locs[1] || locs[1] != locs[2] {
		t.Fatalf("buys went to %v", locs)
	}
	if n, p := pieces(t, e), purchaseCount(t, e); n != 23 || p != 1 {
		t.Fatalf("%d pieces in %d purchases, want 23 in 1", n, p)
	}
	var refs int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(DISTINCT reference) FROM indicia WHERE reference LIKE 'Row %'`).Scan(&refs); err != nil || refs != 23 {
		t.Errorf("references stored: %d %v", refs, err)
	}
	// The purchase offers one merged PDF of all 23 labels.
	labels := webtest.Body(t, e.Do("owner", "GET", locs[0], nil))
	if !strings.Contains(labels, "23 piece(s)") || !strings.Contains(labels, `id="download-pdf"`) {
		t.Errorf("purchase page:\n%.3000s", labels)
	}
	pdf := e.Do("owner", "GET", locs[0]+"/label.pdf?layout=4x6", nil)
	if b := webtest.Body(t, pdf); pdf.StatusCode != 200 || !strings.HasPrefix(b, "%PDF") || len(pdfPageRe.FindAllString(b, -1)) != 23 {
		t.Errorf("merged PDF: %d, %d bytes, %d pages", pdf.StatusCode, len(b), len(pdfPageRe.FindAllString(b, -1)))
	}
	zpl := webtest.Body(t, e.Do("owner", "GET", locs[0]+"/label.zpl", nil))
	if strings.Count(zpl, "^XA") != 23 {
		t.Errorf("merged ZPL has %d labels", strings.Count(zpl, "^XA"))
	}
}

// pdfPageRe finds a PDF's page objects (not the /Pages tree).
var pdfPageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// A list the batch cannot take is refused at the file field with a clear
// message naming the line or the column, and nothing is bought.
func TestBatchUploadRefusesBadFiles(t *testing.T) {
	e := webtest.New(t)
	for name, c := range map[string]struct {
		file, content string
		status        int
		msg           string
	}{
		"no weight column": {"a.csv", "name,address\nAnn,\"9 elm street, beverly hills ca 90210\"\n", 422, "weight_oz"},
		"binary":           {"a.csv", "\x00\x01\x02\x03binary\x00\x00", 422, "not a spreadsheet"},
		"unclosed quote":   {"a.csv", "name,address,weight_oz\nAnn,\"9 elm street, beverly hills ca 90210,1\nBob,x,1\n", 200, "Line 2"},
		"header only":      {"a.csv", "name,address,weight_oz\n", 422, "no recipients"},
	} {
		resp, page := uploadBatch(t, e, "owner", c.file, c.content)
		if resp.StatusCode != c.status || !strings.Contains(page, c.msg) {
			t.Errorf("%s: %d\n%.3000s", name, resp.StatusCode, page)
		}
		if c.status != 200 && !strings.Contains(page, `id="file-error"`) {
			t.Errorf("%s: the message is not at the file field", name)
		}
	}
	if n := pieces(t, e); n != 0 {
		t.Errorf("bad files bought %d pieces", n)
	}
	// A damaged reviewed batch is refused, not bought.
	resp := e.Do("owner", "POST", "/postage/batch", url.Values{"action": {"buy"}, "token": {"x"}, "rows": {"not json"}})
	if resp.StatusCode != 422 {
		t.Errorf("damaged rows: %d", resp.StatusCode)
	}
}

// On a trickle-charged meter a batch is one purchase and one card charge
// (postage of every piece plus the fee per piece), and its retry charges
// nothing more.
func TestBatchOnTrickleMeterChargesTheCardOnce(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d", r.StatusCode)
	}
	_, page := uploadBatch(t, e, "owner", "list.csv", batchCSV(5))
	want := views.Money(5*78+e.Payments.Fee(5)) + " will be charged to your card once"
	if !strings.Contains(page, want) {
		t.Errorf("review lacks %q:\n%.3000s", want, page)
	}
	m, tok := batchRowsRe.FindStringSubmatch(page), batchTokenRe.FindStringSubmatch(page)
	if m == nil || tok == nil {
		t.Fatalf("no buy form:\n%.3000s", page)
	}
	buy := url.Values{"action": {"buy"}, "token": {tok[1]}, "rows": {html.UnescapeString(m[1])}}
	for i := 0; i < 2; i++ {
		if r := e.Do("owner", "POST", "/postage/batch", cloneValues(buy)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("buy %d: %d %s", i, r.StatusCode, webtest.Body(t, r))
		}
	}
	if n := e.Stripe.SucceededCharges(); n != 1 {
		t.Errorf("%d card charges for one batch, want 1", n)
	}
	charges, err := e.Payments.Charges(context.Background(), e.Owner, 10)
	if err != nil || len(charges) != 1 || charges[0].Amount != 5*78+e.Payments.Fee(5) {
		t.Errorf("charges: %+v %v", charges, err)
	}
	if p := purchaseCount(t, e); p != 1 {
		t.Errorf("%d purchases", p)
	}
}

// Recipients ticked in the address book are checked with the shared weight,
// class and cost code, and bought as one purchase.
func TestBatchFromAddressBook(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	if _, err := e.Acc.CreateCostCode(ctx, e.Owner, "Marketing", "MKT"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range []string{"Ann Lee", "Bob Ray", "Cy Doe"} {
		en, err := coaBook(e).Create(ctx, e.Owner, addressbook.EntryInput{Name: n, Fields: address.Fields{Line1: "9 Elm St", City: "Beverly Hills", State: "CA", ZIP: "90210"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(en.ID, 10))
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/postage/batch?q=lee", nil))
	if !strings.Contains(page, "Ann Lee") || strings.Contains(page, "Bob Ray") {
		t.Errorf("search:\n%.3000s", page)
	}
	check := url.Values{"action": {"check"}, "token": {"book-token"}, "book_ids": ids[:2], "weight_oz": {"2"}, "class": {"FCM_LETTER"}, "cost_code": {"MKT"}}
	resp := e.Do("owner", "POST", "/postage/batch", check)
	page = webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="batch-good">2<`) || !strings.Contains(page, "Marketing (MKT)") {
		t.Fatalf("check: %d\n%.4000s", resp.StatusCode, page)
	}
	bad := cloneValues(check)
	bad.Set("weight_oz", "")
	if r := e.Do("owner", "POST", "/postage/batch", bad); r.StatusCode != 422 || !strings.Contains(webtest.Body(t, r), `id="weight_oz-error"`) {
		t.Errorf("no weight: %d", r.StatusCode)
	}
	m := batchRowsRe.FindStringSubmatch(page)
	buy := url.Values{"action": {"buy"}, "token": {"book-token"}, "rows": {html.UnescapeString(m[1])}}
	if r := e.Do("owner", "POST", "/postage/batch", buy); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	var n int
	if err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE cost_code_id IS NOT NULL`).Scan(&n); err != nil || n != 2 || pieces(t, e) != 2 {
		t.Errorf("%d pieces with a cost code of %d", n, pieces(t, e))
	}
}

// A skipped row can be corrected on the page: the corrected rows are
// checked again with the good ones, and still nothing is bought until Buy.
func TestBatchFixRowsInline(t *testing.T) {
	e := webtest.New(t)
	_, page := uploadBatch(t, e, "owner", "list.csv", batchCSV(4, 1, 3))
	if !strings.Contains(page, `id="batch-good">2<`) || !strings.Contains(page, `id="fix-address-1"`) || !strings.Contains(page, `id="fix-weight-2"`) {
		t.Fatalf("review offers no fix:\n%.5000s", page)
	}
	fixRe := regexp.MustCompile(`name="fix_row" value="([^"]*)"`)
	fixes := fixRe.FindAllStringSubmatch(page, -1)
	m := batchRowsRe.FindStringSubmatch(page)
	if len(fixes) != 2 || m == nil {
		t.Fatalf("%d fixable rows", len(fixes))
	}
	v := url.Values{"action": {"recheck"}, "token": {"fix-token"}, "rows": {html.UnescapeString(m[1])}}
	for _, f := range fixes {
		v.Add("fix_row", html.UnescapeString(f[1]))
		v.Add("fix_address", "9 elm street, beverly hills ca 90210")
		v.Add("fix_weight_oz", "2")
		v.Add("fix_cost_code", "")
	}
	resp := e.Do("owner", "POST", "/postage/batch", v)
	page = webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="batch-good">4<`) || strings.Contains(page, `id="batch-bad"`) {
		t.Fatalf("after fixing: %d\n%.5000s", resp.StatusCode, page)
	}
	// Lines stay those of the file, in order.
	if i, j := strings.Index(page, "<td>Line 3</td>"), strings.Index(page, "<td>Line 4</td>"); i < 0 || j < i {
		t.Errorf("rows out of file order:\n%.5000s", page)
	}
	if n := pieces(t, e); n != 0 {
		t.Errorf("checking again bought %d pieces", n)
	}
	// A damaged fix is refused at the form, not a 500.
	v.Set("fix_row", "{")
	if r := e.Do("owner", "POST", "/postage/batch", v); r.StatusCode != 422 {
		t.Errorf("damaged fix: %d", r.StatusCode)
	}
}
