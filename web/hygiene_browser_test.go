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

func browserLogin(t *testing.T, ctx context.Context, base string, role string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		fill("#email", role+"@example.com"),
		fill("#password", webtest.Passwords[role]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible("#customer-id"),
	)
	if err != nil {
		t.Fatalf("log in as %s: %v", role, err)
	}
}

// A mailer types a misspelled city, takes the suggestion and finds the
// standardized entry in the address book.
func TestBrowserAddressBookUsesSuggestion(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	browserLogin(t, ctx, base, "owner")
	err := chromedp.Do(ctx,
		chromedp.Click(`nav a[href="/addresses"]`),
		chromedp.WaitVisible("#new-address"),
		chromedp.Click("#new-address"),
		chromedp.WaitVisible("#address-form"),
		fill("#name", "Ann Lee"),
		fill("#line1", "123 main street apt 4"),
		fill("#state", "IL"),
		fill("#zip", "62704"),
		fill("#city", "Springfeld"),
		chromedp.WaitVisible("#live-use"),
	)
	if err != nil {
		t.Fatalf("live check: %v", err)
	}
	sugg, _ := chromedp.Run(ctx, chromedp.Text("#live-check"))
	if !strings.Contains(sugg, "123 MAIN ST APT 4") || !strings.Contains(sugg, "SPRINGFIELD IL 62704") || !strings.Contains(sugg, "city corrected") ||
		!strings.Contains(sugg, "Checked: standardized; ZIP and city verified; delivery point not checked") {
		t.Fatalf("suggestion box shows:\n%s", sugg)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#live-use"),
		chromedp.WaitNotVisible("#live-check"),
	)
	if err != nil {
		t.Fatal(err)
	}
	city, _ := chromedp.Run(ctx, chromedp.Value("#city"))
	if city != "SPRINGFIELD" {
		t.Errorf("city field after Use suggested: %q", city)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#save"),
		chromedp.WaitVisible("#addresses"),
	)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := chromedp.Run(ctx, chromedp.Text("#addresses"))
	if !strings.Contains(list, "Ann Lee") || !strings.Contains(list, "123 MAIN ST APT 4") || !strings.Contains(list, "SPRINGFIELD IL 62704") {
		t.Errorf("address book shows:\n%s", list)
	}
}

// A mailer uploads a small CSV, watches the job and reaches the counts.
func TestBrowserBatchCleansing(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	base := e.Listen()
	ctx := webtest.Browser(t)
	path := filepath.Join(t.TempDir(), "list.csv")
	csv := "line1,city,state,zip\n123 main street apt 4,Springfeld,IL,62704\n350 5th Ave,New York,NY,10118\n1 Main St,Stamford,CT,06901\nzzz,,,\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, ctx, base, "owner")
	err := chromedp.Do(ctx,
		chromedp.Click(`nav a[href="/cleanse"]`),
		chromedp.WaitVisible("#file"),
		chromedp.SetUploadFiles("#file", []string{path}),
		chromedp.Click("#upload"),
		chromedp.WaitVisible("#job-result"),
		chromedp.Click("#job-result"),
		chromedp.WaitVisible("#counts"),
	)
	if err != nil {
		t.Fatalf("upload and follow the job: %v", err)
	}
	for st, want := range map[string]string{"valid": "2", "corrected": "1", "invalid": "1"} {
		if got, err := chromedp.Run(ctx, chromedp.Text(".count-"+st)); err != nil || got != want {
			t.Errorf("%s count: %q (%v), want %s", st, got, err, want)
		}
	}
	rows, _ := chromedp.Run(ctx, chromedp.Text("#rows"))
	if !strings.Contains(rows, "123 MAIN ST APT 4, SPRINGFIELD IL 62704") {
		t.Errorf("rows:\n%s", rows)
	}
}
