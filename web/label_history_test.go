package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/web/webtest"
)

// buyLetters buys one purchase of letters for the owner, one per postage,
// and returns the label ids in piece order.
func buyLetters(t *testing.T, e *webtest.Env, class string, postages ...int64) []string {
	t.Helper()
	var ps []metering.PieceRequest
	for i, p := range postages {
		ps = append(ps, metering.PieceRequest{Postage: p, MailClass: class, DestZIP: "90210",
			Recipient: metering.Recipient{Name: fmt.Sprintf("Person %d", i), Lines: []string{fmt.Sprintf("PERSON %d", i), "9 ELM ST", "BEVERLY HILLS CA 90210"},
				Standardized: "9 ELM ST, BEVERLY HILLS CA 90210"}})
	}
	p, err := e.Metering.Purchase(context.Background(), e.Owner, metering.PurchaseRequest{Pieces: ps})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(p.Labels))
	for i, l := range p.Labels {
		ids[i] = l.PublicID
	}
	return ids
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// The API pages through every label with an opaque cursor, filters like the
// page, and names the parameter of every bad value with a 422.
func TestAPIListLabels(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner)
	letters := buyLetters(t, e, "FCM_LETTER", 78, 90, 150)
	priority := buyLetters(t, e, "PRIORITY", 1305)
	var seen []string
	path := "/api/v1/labels?limit=2"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging never ends")
		}
		code, out := apiCall(t, e, k, "GET", path, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, code, out)
		}
		for _, x := range out["labels"].([]any) {
			l := x.(map[string]any)
			seen = append(seen, l["id"].(string))
			if l["list_status"] != "issued" || l["purchased_at"] == "" || l["indicium"] == "" {
				t.Errorf("listed label: %v", l)
			}
		}
		next, _ := out["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/labels?limit=2&cursor=" + url.QueryEscape(next)
	}
	want := []string{priority[0], letters[2], letters[1], letters[0]}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("pages listed %v, want newest first %v", seen, want)
	}

	code, out := apiCall(t, e, k, "GET", "/api/v1/labels?mail_class=FCM_LETTER&sort=postage_desc", "")
	ls, _ := out["labels"].([]any)
	if code != http.StatusOK || len(ls) != 3 || ls[0].(map[string]any)["postage"].(float64) != 150 {
		t.Errorf("letters by postage, highest first: %d %v", code, out)
	}
	code, out = apiCall(t, e, k, "GET", "/api/v1/labels?recipient=person+1", "")
	if ls, _ := out["labels"].([]any); code != http.StatusOK || len(ls) != 1 || ls[0].(map[string]any)["id"] != letters[1] {
		t.Errorf("recipient person 1: %d %v", code, out)
	}

	bad := map[string]string{
		"purchased_from=2026-13-01":                         "purchased_from",
		"purchased_from=2026-05-02&purchased_to=2026-05-01": "purchased_to",
		"mailed_from=2020-01-01&mailed_to=2024-06-01":       "mailed_to",
		"meter=NOPE-1":                          "meter",
		"user=abc":                              "user",
		"user=999999":                           "user",
		"cost_code=12345":                       "cost_code",
		"cost_code=-1":                          "cost_code",
		"mail_class=CARRIER_PIGEON":             "mail_class",
		"status=lost":                           "status",
		"origin_zip=123":                        "origin_zip",
		"sort=zip":                              "sort",
		"limit=0":                               "limit",
		"limit=lots":                            "limit",
		"cursor=not-a-cursor":                   "cursor",
		"recipient=" + strings.Repeat("x", 101): "recipient",
		"label=" + strings.Repeat("l", 65):      "label",
		"purchased_from=2020-01-01&purchased_to=2026-01-01":  "purchased_to",
		"mailed_from=yesterday":                              "mailed_from",
		"purchased_to=2026-01-01&purchased_from=2026-01-02":  "purchased_to",
		"status=issued&sort=postage_asc&cursor=eyJzIjoiZGF0": "cursor",
	}
	for q, field := range bad {
		code, out := apiCall(t, e, k, "GET", "/api/v1/labels?"+q, "")
		if c, f := errField(out); code != http.StatusUnprocessableEntity || c != "invalid" || f != field {
			t.Errorf("%s: %d %v, want 422 naming %s", q, code, out, field)
		}
	}
	// Postal staff and vendor admins have no label history.
	if code, _ := apiCall(t, e, key(t, e, e.Users["admin"]), "GET", "/api/v1/labels", ""); code != http.StatusForbidden {
		t.Errorf("an admin key: %d, want 403", code)
	}
}

// The page keeps every filter in its URL, pages with a next link, and shows
// a bad filter at its field with a 422, never a 500.
func TestLabelHistoryPageFiltersAndPages(t *testing.T) {
	e := webtest.New(t)
	letters := buyLetters(t, e, "FCM_LETTER", 78, 90)
	priority := buyLetters(t, e, "PRIORITY", 1305)

	r := e.Do("owner", "GET", "/labels?mail_class=PRIORITY", nil)
	page := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK || labelRowOf(page, priority[0]) == "" || labelRowOf(page, letters[0]) != "" {
		t.Fatalf("filtered to Priority Mail: %d\n%s", r.StatusCode, page)
	}
	if !strings.Contains(page, `<option value="PRIORITY" selected`) {
		t.Error("the filter form does not keep the chosen class")
	}
	// Every label, newest first, no cap: 3 labels over pages of 50 is one page.
	page = webtest.Body(t, e.Do("owner", "GET", "/labels", nil))
	if strings.Index(page, priority[0]) > strings.Index(page, letters[0]) || strings.Contains(page, `id="next-page"`) {
		t.Errorf("the unfiltered list is not newest first on one page")
	}
	r = e.Do("owner", "GET", "/labels?purchased_from=2026-05-02&purchased_to=2026-05-01&mail_class=PRIORITY", nil)
	page = webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="err-purchased_to"`) || !strings.Contains(page, "ends before it starts") {
		t.Errorf("a reversed range: %d\n%s", r.StatusCode, page)
	}
	if !strings.Contains(page, `value="2026-05-02"`) {
		t.Error("the refused filter is not kept in the form")
	}
	r = e.Do("owner", "GET", "/labels?cursor=garbage", nil)
	if page = webtest.Body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="err-cursor"`) {
		t.Errorf("a bad cursor: %d", r.StatusCode)
	}
}

// A bulk reprint is one file of the selected labels (voided ones left out);
// a bulk void voids each through the one void path and reports per label.
func TestLabelsBulkReprintAndVoid(t *testing.T) {
	e := webtest.New(t)
	ids := buyLetters(t, e, "FCM_LETTER", 78, 90, 150, 200)
	form := func(action string, sel ...string) url.Values {
		v := url.Values{"action": {action}, "format": {"pdf-4x6"}}
		for _, id := range sel {
			v.Add("id", id)
		}
		return v
	}
	r := e.Do("owner", "POST", "/labels/bulk", form("reprint", ids[0], ids[2], ids[3]))
	pdf := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") || len(pdfPage.FindAllString(pdf, -1)) != 3 {
		t.Fatalf("reprint three: %d %q, %d pages", r.StatusCode, r.Header.Get("Content-Type"), len(pdfPage.FindAllString(pdf, -1)))
	}
	v := form("reprint", ids[0], ids[1])
	v.Set("format", "zpl")
	if r := e.Do("owner", "POST", "/labels/bulk", v); r.StatusCode != http.StatusOK || strings.Count(webtest.Body(t, r), "^XA") != 2 {
		t.Errorf("reprint two as ZPL: %d", r.StatusCode)
	}
	// All that match the filters: the class filter carried by the form.
	v = url.Values{"action": {"reprint"}, "format": {"pdf-letter"}, "all": {"1"}, "mail_class": {"FCM_LETTER"}}
	if r := e.Do("owner", "POST", "/labels/bulk", v); r.StatusCode != http.StatusOK || r.Header.Get("X-Labels-Printed") != "4" {
		t.Errorf("reprint all that match: %d, %s printed", r.StatusCode, r.Header.Get("X-Labels-Printed"))
	}

	// Void two: both voided, each its own credit back on the meter.
	before := meterDR(t, e)
	r = e.Do("owner", "POST", "/labels/bulk", form("void", ids[0], ids[1]))
	page := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(page, "2 voided, 0 not voided") {
		t.Fatalf("void two: %d\n%s", r.StatusCode, page)
	}
	if got := meterDR(t, e) - before; got != 78+90 {
		t.Errorf("the meter got %d cents back, want %d", got, 78+90)
	}
	// Void again with one of them: it is reported, the other is voided.
	page = webtest.Body(t, e.Do("owner", "POST", "/labels/bulk", form("void", ids[1], ids[2])))
	if !strings.Contains(page, "1 voided, 1 not voided") || !strings.Contains(page, `class="bulk-failed" data-label="`+ids[1]+`"`) {
		t.Errorf("void an already voided label with another:\n%s", page)
	}
	if got := meterDR(t, e) - before; got != 78+90+150 {
		t.Errorf("after the second void the meter got %d cents back, want %d", got, 78+90+150)
	}
	// A voided label is not reprinted; only voided ones: refused.
	if r := e.Do("owner", "POST", "/labels/bulk", form("reprint", ids[0], ids[3])); r.Header.Get("X-Labels-Printed") != "1" {
		t.Errorf("reprint a voided and a valid label: %d, %s printed", r.StatusCode, r.Header.Get("X-Labels-Printed"))
	}
	if r := e.Do("owner", "POST", "/labels/bulk", form("reprint", ids[0])); r.StatusCode != http.StatusConflict {
		t.Errorf("reprint only voided labels: %d, want 409", r.StatusCode)
	}
	// Nothing selected, or an unknown action or format: 422 on the list.
	for name, v := range map[string]url.Values{"nothing": form("void"), "action": form("burn", ids[3]), "format": {"action": {"reprint"}, "format": {"gif"}, "id": {ids[3]}}} {
		if r := e.Do("owner", "POST", "/labels/bulk", v); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, r.StatusCode)
		}
	}
	// Another account's label is not in this account's list: nothing happens to it.
	if r := e.Do("owner", "POST", "/labels/bulk", form("void", "l_not_ours")); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a label not in the list: %d, want 422", r.StatusCode)
	}
}

// meterDR is the descending register of the owner's first meter.
func meterDR(t *testing.T, e *webtest.Env) int64 {
	t.Helper()
	ms, err := e.Metering.Meters(context.Background(), e.Owner, e.Owner.AccountID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("meters: %v", err)
	}
	return ms[0].Record.DR
}

// Two bulk voids of the same labels at once void each label exactly once:
// the meter gets each postage back once, and the two answers together report
// every label voided once and refused once.
func TestConcurrentBulkVoidsVoidEachLabelOnce(t *testing.T) {
	e := webtest.New(t)
	ids := buyLetters(t, e, "FCM_LETTER", 78, 90, 150)
	before := meterDR(t, e)
	pages := make(chan string, 2)
	for range 2 {
		go func() {
			v := url.Values{"action": {"void"}, "id": ids}
			r := e.Do("owner", "POST", "/labels/bulk", v)
			pages <- fmt.Sprint(r.StatusCode) + webtest.Body(t, r)
		}()
	}
	voided, refused := 0, 0
	for range 2 {
		p := <-pages
		if !strings.HasPrefix(p, "200") {
			t.Fatalf("a bulk void answered %.3s", p)
		}
		voided += strings.Count(p, `class="bulk-ok"`)
		refused += strings.Count(p, `class="bulk-failed"`)
	}
	if voided != 3 || refused != 3 {
		t.Errorf("the two bulk voids reported %d voided and %d refused, want 3 and 3", voided, refused)
	}
	if got := meterDR(t, e) - before; got != 78+90+150 {
		t.Errorf("the meter got %d cents back, want %d exactly once", got, 78+90+150)
	}
}
