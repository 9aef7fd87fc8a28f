package web_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// fetchLink downloads what the link at sel points to with the browser's
// own session, and gives the HTTP status and the body.
func fetchLink(ctx context.Context, sel string) (int, []byte, error) {
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	a, err := chromedp.Run(ctx, chromedp.Evaluate[answer](`fetch(document.querySelector(`+"`"+sel+"`"+`).href, {credentials: "same-origin"})
		.then(r => r.arrayBuffer().then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return {status: r.status, body: btoa(s)}; }))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return 0, nil, err
	}
	b, err := base64.StdEncoding.DecodeString(a.Body)
	return a.Status, b, err
}

// A mailer opens the reports, narrows them to the meter, downloads the
// register CSV and last month's statement PDF; a user without "Export
// reports" finds no reports and is refused them.
func TestBrowserReportsDownloadsAndPermission(t *testing.T) {
	e, labels := reportsEnv(t)
	if _, err := e.App.Reports.GenerateStatements(context.Background(), time.Now().UTC(), nil, ""); err != nil {
		t.Fatal(err)
	}
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Click(`nav a[href="/reports"]`),
		chromedp.WaitVisible(`#report-filter`),
		chromedp.SetValue(`#r-meter`, e.Meter.Record.Serial),
		chromedp.Click(`#report-filter button[type=submit]`),
	)
	if err != nil {
		t.Fatalf("open the reports: %v", err)
	}
	// The register is on the page before filtering too: wait for the filtered page.
	if err := chromedp.Do(ctx, chromedp.WaitReady(`#r-meter option[selected]`), chromedp.WaitVisible(`#register-table`)); err != nil {
		t.Fatalf("the filtered reports: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "meter="+e.Meter.Record.Serial) {
		t.Errorf("the filter is not in the URL: %s", loc)
	}
	reg, _ := chromedp.Run(ctx, chromedp.Text(`#register-table`))
	for _, l := range labels {
		if !strings.Contains(reg, l) {
			t.Errorf("the register on the page lacks label %s", l)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Text(`#spend-by-month svg title`)); err != nil {
		t.Errorf("no spend chart: %v", err)
	}

	status, body, err := fetchLink(ctx, `a.download-register-csv`)
	if err != nil || status != 200 {
		t.Fatalf("download the register CSV: %d %v", status, err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(recs) != 1+len(labels) || recs[1][2] != e.Meter.Record.Serial {
		t.Errorf("register CSV: %d records %v (first row %v)", len(recs), err, recs[min(1, len(recs)-1)])
	}

	status, body, err = fetchLink(ctx, `a.statement-pdf`)
	if err != nil || status != 200 || !strings.HasPrefix(string(body), "%PDF") {
		t.Fatalf("download the statement PDF: %d %v (%.8q)", status, err, body)
	}

	// The clerk holds "Buy postage" only.
	err = chromedp.Do(ctx,
		chromedp.Click(`form.logout button[type=submit]`),
		chromedp.WaitVisible(`#email`),
		fill("#email", "clerk@example.com"),
		fill("#password", webtest.Passwords["clerk"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`form.logout`),
	)
	if err != nil {
		t.Fatalf("log in as the clerk: %v", err)
	}
	nav, _ := chromedp.Run(ctx, chromedp.Text(`nav`))
	if strings.Contains(nav, "Reports") {
		t.Errorf("the clerk's navigation offers reports: %s", nav)
	}
	code, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/reports/register/csv", {credentials: "same-origin"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || code != 403 {
		t.Errorf("the clerk downloads the register: %d %v, want 403", code, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/reports"), chromedp.WaitVisible(`main`)); err != nil {
		t.Fatal(err)
	}
	page, _ := chromedp.Run(ctx, chromedp.Text(`main`))
	if !strings.Contains(page, "Export reports") || strings.Contains(page, "Transaction register") {
		t.Errorf("the clerk's /reports page:\n%s", page)
	}
}
