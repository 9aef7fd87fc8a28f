package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// A postal clerk uploads a list with a bad row and reads the line's reason;
// a mailer filters /coa, accepts every filtered move at once and downloads
// the matches as CSV with their own ids.
func TestBrowserCOABulkWorkflow(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	seedPageMoves(e, 6) // 3 new addresses, 3 moved-left-no-address
	file := filepath.Join(t.TempDir(), "weekly.csv")
	if err := os.WriteFile(file, []byte(coaCSVHeader+
		"individual,Zed,,Quill,,1 Quill St,,,,06901,2 Quill St,,,,06902,2026-09-01,,\n"+
		"individual,Zoe,,Quill,,3 Quill St,,,,06901,4 Quill St,,,,06902,2026-09-01,yes,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.Listen()
	ctx := webtest.Browser(t)
	login := func(email, password string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, chromedp.Do(ctx,
				chromedp.Navigate(base+"/login"),
				chromedp.WaitVisible(`input#email`),
				fill("#email", email),
				fill("#password", password),
				chromedp.Click(`main button[type=submit]`),
				chromedp.WaitNotPresent(`input#password`),
			)
		}
	}
	err := chromedp.Do(ctx,
		login("staff@example.com", webtest.Passwords["staff"]),
		chromedp.Navigate(base+"/coa/lists"),
		chromedp.WaitVisible("#coa-template"),
		fill("#source", "USPS weekly 2026-49"),
		chromedp.SetUploadFiles("#file", []string{file}),
		chromedp.Click("#upload"),
		chromedp.WaitVisible("#job-result"), // the job page reloads itself when the list is loaded
		chromedp.Click("#job-result"),
		chromedp.WaitVisible("#line-errors"),
	)
	if err != nil {
		t.Fatalf("staff upload: %v", err)
	}
	lines, _ := chromedp.Run(ctx, chromedp.Text("#line-errors"))
	bad, _ := chromedp.Run(ctx, chromedp.Text("#bad-rows"))
	if bad != "1" || !strings.Contains(lines, "3") || !strings.Contains(lines, "moved_left_no_address but also gives a new address") {
		t.Errorf("list page: bad %q, lines:\n%s", bad, lines)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(`form.logout button`),
		chromedp.WaitVisible(`input#email`),
		login("owner@example.com", webtest.Passwords["owner"]),
		chromedp.Navigate(base+"/coa"),
		chromedp.WaitVisible("#coa-filter"),
	)
	if err != nil {
		t.Fatalf("owner opens /coa: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.getElementById("code").value = "new_address"; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#apply-filter"),
		chromedp.WaitReady(`#code option[value="new_address"][selected]`),
	)
	if err != nil {
		t.Fatalf("filter: %v", err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Text("#coa-shown"))
	table, _ := chromedp.Run(ctx, chromedp.Text("#coa-matches"))
	if shown != "3 shown of 3" || strings.Contains(table, "Moved, left no address") || !strings.Contains(table, "CRM-000") {
		t.Fatalf("filtered /coa: %q\n%s", shown, table)
	}
	csvText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("export-csv").href, {credentials: "same-origin"})
		.then(r => r.ok ? r.text() : Promise.reject(r.status))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if !strings.HasPrefix(csvText, "match_id,entry_id,external_id,reference,") || strings.Count(csvText, "\n") != 4 || !strings.Contains(csvText, "CRM-002,ref 2") {
		t.Errorf("CSV export:\n%s", csvText)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#accept-all"),
		chromedp.WaitVisible("#no-matches"),
	)
	if err != nil {
		t.Fatalf("accept all: %v", err)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text("main"))
	if !strings.Contains(body, "Accepted 3.") {
		t.Errorf("after accepting all:\n%s", body)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/coa"), chromedp.WaitVisible("#coa-shown"))
	if err != nil {
		t.Fatal(err)
	}
	if shown, _ := chromedp.Run(ctx, chromedp.Text("#coa-shown")); shown != "3 shown of 3" {
		t.Errorf("pending after accepting the filtered ones: %q", shown)
	}
	// On a phone the page does not overflow: the table scrolls in its box.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/coa"), chromedp.WaitVisible("#accept-all"))
	if err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth ||
		document.getElementById("accept-all").getBoundingClientRect().right > window.innerWidth`))
	if err != nil || wide {
		t.Errorf("/coa is wider than a 390 px screen (%v)", err)
	}
	// The addresses stay readable: each keeps its width and its words whole
	// (squeezed to the screen, "STAMFORD" broke into "STAMFO" and "RD").
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("#coa-matches td.address")].map(td => td.getBoundingClientRect().width)`))
	if err != nil || len(cells) == 0 {
		t.Fatalf("the address cells: %v (%d)", err, len(cells))
	}
	for _, w := range cells {
		if w < 150 {
			t.Errorf("an address cell is %.0f px wide at 390 px, want at least 150", w)
		}
	}
}
