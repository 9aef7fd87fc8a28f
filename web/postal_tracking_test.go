package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"indicia/metering"
	"indicia/web/webtest"
)

// After a mixed day — purchases, a void, scans — the tracking totals, the
// funds owed to the post office, the settlement and the ledger all agree.
func TestTrackingTotalsTieToLedgerAndSettlement(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	staff := e.Users["staff"]
	var labels []metering.Label
	for _, postage := range []int64{78, 156, 73, 99} {
		p, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: postage, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW"}}}})
		if err != nil {
			t.Fatal(err)
		}
		labels = append(labels, p.Labels...)
	}
	if _, err := e.Metering.Void(ctx, e.Owner, labels[3].PublicID); err != nil {
		t.Fatal(err)
	}
	for _, l := range labels[:2] {
		if _, err := e.Metering.Verify(ctx, staff, metering.VerifyRequest{Text: labelText(t, l), Location: "06901"}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.Payments.Settle(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ledger int64
	if err := e.Pool.QueryRow(ctx, `SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE account = 'postal_revenue:06901'`).Scan(&ledger); err != nil {
		t.Fatal(err)
	}
	const paid = 78 + 156 + 73
	if ledger != paid || st.Total != paid {
		t.Fatalf("ledger %d, settlement %d, want %d", ledger, st.Total, paid)
	}

	code, out := apiCall(t, e, key(t, e, staff), "GET", "/api/v1/postal/tracking?days=7&scope=zip&by=month", "")
	if code != 200 {
		t.Fatalf("API tracking: %d %v", code, out)
	}
	tot := out["totals"].(map[string]any)
	if tot["pieces"] != float64(3) || tot["postage"] != float64(paid) || tot["in_process"] != float64(1) || tot["processed"] != float64(2) ||
		tot["voided"] != float64(1) || tot["postage_in_process"] != float64(73) {
		t.Errorf("totals %v", tot)
	}
	if out["funds_owed_total"] != float64(ledger) {
		t.Errorf("funds owed %v, ledger %d", out["funds_owed_total"], ledger)
	}
	owed := out["funds_owed"].([]any)
	if len(owed) != 1 || owed[0].(map[string]any)["period"] != time.Now().UTC().Format("2006-01") || owed[0].(map[string]any)["origin_zip"] != "06901" {
		t.Errorf("funds owed by month %v", owed)
	}
	rows := out["rows"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["origin"] != "06901" || rows[0].(map[string]any)["postage"] != float64(paid) {
		t.Errorf("rows per ZIP %v", rows)
	}

	body := webtest.Body(t, e.Do("staff", "GET", "/postal/tracking?days=7&origin=069", nil))
	for _, want := range []string{`id="volume-chart"`, `id="revenue-chart"`, `id="top-chart"`, "3 pieces, $3.07 postage: 1 in process, 2 processed.",
		`<a href="/postal/origins/069">069</a>`, "Total $3.07", "<td>06901</td><td>3</td><td class=\"money\">$3.07</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("tracking page lacks %q", want)
		}
	}
	for q, field := range map[string]string{"days=0": "days-error", "days=x": "days-error", "origin=12": "origin-error", "scope=city": "origin-error"} {
		r := e.Do("staff", "GET", "/postal/tracking?"+q, nil)
		if b := webtest.Body(t, r); r.StatusCode != 422 || !strings.Contains(b, `id="`+field+`"`) {
			t.Errorf("%s: %d, want 422 with %s", q, r.StatusCode, field)
		}
	}
	if r := e.Do("owner", "GET", "/postal/tracking", nil); r.StatusCode != 403 {
		t.Errorf("mailer: %d", r.StatusCode)
	}
}

// Every origin's rows come a week of days at a time, newest first, through
// the page and the API alike; together the pages hold every row once.
func TestTrackingRowsPageByWeek(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	var ids []string
	for _, postage := range []int64{78, 156} {
		p, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: postage, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW"}}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Labels[0].PublicID)
	}
	// The second piece was issued ten days ago: the second week's page.
	if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET created_at = created_at - interval '10 days' WHERE public_id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	k := key(t, e, e.Users["staff"])
	for page, want := range map[string]float64{"": 78, "1": 78, "2": 156, "3": 0} {
		code, out := apiCall(t, e, k, "GET", "/api/v1/postal/tracking?days=30&scope=zip&page="+page, "")
		if code != 200 || out["rows_pages"] != float64(5) {
			t.Fatalf("page %q: %d %v", page, code, out)
		}
		rows := out["rows"].([]any)
		got := 0.0
		for _, r := range rows {
			got += r.(map[string]any)["postage"].(float64)
		}
		if got != want {
			t.Errorf("page %q: rows %v, want %v of postage", page, rows, want)
		}
	}
	code, out := apiCall(t, e, k, "GET", "/api/v1/postal/tracking?days=30&scope=zip&page=6", "")
	if code != 422 || !strings.Contains(fmt.Sprint(out), "page") {
		t.Errorf("page 6 of 5: %d %v", code, out)
	}

	body := webtest.Body(t, e.Do("staff", "GET", "/postal/tracking?days=30&scope=zip", nil))
	for _, want := range []string{"Page 1 of 5, 7 days each, the newest first.", `id="tracking-older"`, "page=2", "<td>06901</td><td>1</td><td class=\"money\">$0.78</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="tracking-newer"`) || strings.Contains(body, "$1.56</td><td>") {
		t.Error("the first page links to newer days or shows the older piece")
	}
	body = webtest.Body(t, e.Do("staff", "GET", "/postal/tracking?days=30&scope=zip&page=2", nil))
	for _, want := range []string{"Page 2 of 5", `id="tracking-newer"`, `id="tracking-older"`, "<td>06901</td><td>1</td><td class=\"money\">$1.56</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("second page lacks %q", want)
		}
	}
	r := e.Do("staff", "GET", "/postal/tracking?days=30&scope=zip&page=9", nil)
	if b := webtest.Body(t, r); r.StatusCode != 422 || !strings.Contains(b, `id="page-error"`) || !strings.Contains(b, "Choose a page from 1 to 5.") {
		t.Errorf("page 9: %d", r.StatusCode)
	}
}

// The funds owed come a week of settled days (or a month) a page, newest
// first, through the page and the API alike; the total is the period's.
func TestFundsOwedPageByWeek(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	buy := func(postage int64) {
		t.Helper()
		if _, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: postage, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	// The first piece was booked ten days ago: the second week's page.
	buy(156)
	// The ledger refuses edits; its triggers are set aside for this one.
	if _, err := e.Pool.Exec(ctx, `BEGIN; SET LOCAL session_replication_role = replica;
		UPDATE ledger_entries SET created_at = created_at - interval '10 days' WHERE account LIKE 'postal_revenue:%'; COMMIT`); err != nil {
		t.Fatal(err)
	}
	buy(78)
	for _, day := range []time.Time{time.Now().AddDate(0, 0, -10), time.Now()} {
		if _, err := e.Payments.Settle(ctx, day); err != nil {
			t.Fatal(err)
		}
	}
	k := key(t, e, e.Users["staff"])
	for page, want := range map[string]float64{"": 78, "1": 78, "2": 156, "3": 0} {
		code, out := apiCall(t, e, k, "GET", "/api/v1/postal/tracking?days=30&owed_page="+page, "")
		if code != 200 || out["funds_owed_pages"] != float64(5) || out["funds_owed_total"] != float64(78+156) {
			t.Fatalf("owed page %q: %d %v", page, code, out)
		}
		got := 0.0
		for _, r := range out["funds_owed"].([]any) {
			got += r.(map[string]any)["postage"].(float64)
		}
		if got != want {
			t.Errorf("owed page %q: rows %v, want %v owed", page, out["funds_owed"], want)
		}
	}
	if code, out := apiCall(t, e, k, "GET", "/api/v1/postal/tracking?days=30&owed_page=6", ""); code != 422 || !strings.Contains(fmt.Sprint(out), "owed_page") {
		t.Errorf("owed page 6 of 5: %d %v", code, out)
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal/tracking?days=30&owed_page=2", nil))
	for _, want := range []string{"Page 2 of 5, 7 settled days each, the newest first.", `id="funds-owed-newer"`, `id="funds-owed-older"`,
		"Total $2.34", "<td>06901</td><td>1</td><td class=\"money\">$1.56</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("second page of funds owed lacks %q", want)
		}
	}
	r := e.Do("staff", "GET", "/postal/tracking?days=30&owed_page=x", nil)
	if b := webtest.Body(t, r); r.StatusCode != 422 || !strings.Contains(b, `id="page-error"`) {
		t.Errorf("owed page x: %d", r.StatusCode)
	}
}
