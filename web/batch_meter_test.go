package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/webtest"
)

// The batch page offers the account's active meters with the default one
// chosen; a batch checked and bought on the second meter is paid by it.
func TestBatchChoosesMeter(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	m2 := secondMeter(t, e, "06901", 20_00)
	id1, id2 := strconv.FormatInt(e.Meter.ID, 10), strconv.FormatInt(m2.ID, 10)
	en, err := coaBook(e).Create(ctx, e.Owner, addressbook.EntryInput{Name: "Ann Lee", Fields: address.Fields{Line1: "9 Elm St", City: "Beverly Hills", State: "CA", ZIP: "90210"}})
	if err != nil {
		t.Fatal(err)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/postage/batch", nil))
	for _, want := range []string{`<select id="meter_id-file" name="meter_id"`, `<select id="meter_id-book" name="meter_id"`,
		`<option value="` + id1 + `" selected`, m2.Record.Serial} {
		if !strings.Contains(page, want) {
			t.Errorf("the batch page lacks %q", want)
		}
	}
	check := url.Values{"action": {"check"}, "token": {"meter-token"}, "book_ids": {strconv.FormatInt(en.ID, 10)}, "weight_oz": {"1"},
		"class": {"FCM_LETTER"}, "meter_id": {id2}}
	resp := e.Do("owner", "POST", "/postage/batch", check)
	page = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "from meter "+m2.Record.Serial) || !strings.Contains(page, `name="meter_id" value="`+id2+`"`) {
		t.Fatalf("check on the second meter: %d\n%.3000s", resp.StatusCode, page)
	}
	other := cloneValues(check)
	other.Set("meter_id", "999999")
	if r := e.Do("owner", "POST", "/postage/batch", other); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(webtest.Body(t, r), `id="meter_id-book-error"`) {
		t.Errorf("a meter not the account's: %d, want 422 at the meter", r.StatusCode)
	}
	m := batchRowsRe.FindStringSubmatch(page)
	buy := url.Values{"action": {"buy"}, "token": {"meter-token"}, "rows": {html.UnescapeString(m[1])}, "meter_id": {id2}}
	if r := e.Do("owner", "POST", "/postage/batch", buy); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	if a, b := meterNow(t, e, e.Meter.ID), meterNow(t, e, m2.ID); a.Record.PieceCount != 0 || b.Record.PieceCount != 1 {
		t.Errorf("pieces: default meter %d, second meter %d; want 0 and 1", a.Record.PieceCount, b.Record.PieceCount)
	}
}
