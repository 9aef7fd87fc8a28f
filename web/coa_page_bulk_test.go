package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/webtest"
)

// seedPageMoves puts n entries in the owner's book, with the mailer's ids,
// and a list moving them: the first half to a new address in June, the rest
// moved-left-no-address (family) in September.
func seedPageMoves(e *webtest.Env, n int) {
	e.T.Helper()
	book := coaBook(e)
	var rows []string
	for i := range n {
		last := fmt.Sprintf("Page%c%c", 'a'+rune(i/26), 'a'+rune(i%26))
		line := fmt.Sprintf("%d Page St", 10+i)
		if _, err := book.Create(context.Background(), e.Owner, addressbook.EntryInput{Name: "Ann " + last, ExternalID: fmt.Sprintf("CRM-%03d", i),
			Reference: "ref " + fmt.Sprint(i), Fields: address.Fields{Line1: line, ZIP: "06901"}, Decision: addressbook.DecisionSuggested}); err != nil {
			e.T.Fatal(err)
		}
		if i < n/2 {
			rows = append(rows, fmt.Sprintf("individual,Ann,,%s,,%s,,,,06901,%d Elm Rd,,,,06902,2026-06-01,,", last, line, i))
		} else {
			rows = append(rows, fmt.Sprintf("family,,,%s,,%s,,,,06901,,,,,,2026-09-01,yes,", last, line))
		}
	}
	loadCOAList(e, rows...)
}

func TestCOAPagePagesFiltersBulkAndExports(t *testing.T) {
	e := webtest.New(t)
	seedPageMoves(e, 60)
	page := webtest.Body(t, e.Do("owner", "GET", "/coa", nil))
	if strings.Count(page, `name="ids"`) != 50 || !strings.Contains(page, "50 shown of 60") || !strings.Contains(page, `id="next-page"`) {
		t.Fatalf("first page:\n%s", page)
	}
	// Filter by result and date: only the 30 moves without an address.
	q := "code=moved_left_no_address&from=2026-08-01"
	page = webtest.Body(t, e.Do("owner", "GET", "/coa?"+q, nil))
	if !strings.Contains(page, "30 shown of 30") || strings.Contains(page, "Elm Rd") || strings.Contains(page, `id="next-page"`) {
		t.Errorf("filtered page:\n%s", page)
	}
	// A bad date in the URL is named at its field, and the page still shows.
	page = webtest.Body(t, e.Do("owner", "GET", "/coa?from=June", nil))
	if !strings.Contains(page, "Enter a date like") {
		t.Errorf("bad date not named")
	}
	// Export of the filtered matches carries the mailer's ids back.
	resp := e.Do("owner", "GET", "/coa/export?format=csv&"+q, nil)
	recs, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(recs) != 31 || recs[0][2] != "external_id" || !strings.HasPrefix(recs[1][2], "CRM-") || recs[1][18] != "moved_left_no_address" {
		t.Fatalf("csv export: %v %d rows %q", err, len(recs), recs[:min(2, len(recs))])
	}
	resp = e.Do("owner", "GET", "/coa/export?format=xlsx&code=new_address", nil)
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	xrows, _ := f.GetRows("Sheet1")
	if len(xrows) != 31 || xrows[1][11] == "" {
		t.Errorf("xlsx export: %d rows %q", len(xrows), xrows[:min(2, len(xrows))])
	}
	// Bulk: accept two selected, then all the filter shows.
	ids := idsOnPage(page)
	r := e.Do("owner", "POST", "/coa/matches/bulk", url.Values{"action": {"dismiss-selected"}, "ids": ids[:2], "status": {"pending"}})
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/coa") {
		t.Fatalf("bulk selected: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = e.Do("owner", "POST", "/coa/matches/bulk", url.Values{"action": {"accept-all"}, "status": {"pending"}, "code": {"new_address"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/coa?code=new_address&status=pending" {
		t.Fatalf("bulk all: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page = webtest.Body(t, e.Do("owner", "GET", "/coa", nil))
	if !strings.Contains(page, "28 shown of 28") {
		t.Errorf("after bulk: %s", page)
	}
	page = webtest.Body(t, e.Do("owner", "GET", "/coa?status=accepted", nil))
	if !strings.Contains(page, "of 30") {
		t.Errorf("accepted: %s", page)
	}
}

// idsOnPage returns the match ids a page offers to select, in order.
func idsOnPage(page string) []string {
	var ids []string
	for _, part := range strings.Split(page, `name="ids" value="`)[1:] {
		ids = append(ids, part[:strings.IndexByte(part, '"')])
	}
	return ids
}
