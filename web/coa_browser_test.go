package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/webtest"
)

// Postal staff upload a small list in the browser; the worker loads and
// matches it; the mailer sees the move at /coa and accepts it, and the
// address book shows the new address.
func TestBrowserCOAUploadAndAccept(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	if _, err := coaBook(e).Create(context.Background(), e.Owner, addressbook.EntryInput{Name: "William Penn", Fields: address.Fields{Line1: "5 Chestnut St", ZIP: "06901"},
		Decision: addressbook.DecisionSuggested}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "moves.csv")
	if err := os.WriteFile(file, []byte(coaCSVHeader+"individual,Bill,,Penn,,5 Chestnut St,,,,06901,9 Walnut St,,,,06902,2026-09-01,,\n"), 0o600); err != nil {
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
				// Logged in once the login form has gone (navigating earlier aborts the login).
				chromedp.WaitNotPresent(`input#password`),
			)
		}
	}
	err := chromedp.Do(ctx,
		login("staff@example.com", webtest.Passwords["staff"]),
		chromedp.Navigate(base+"/coa/lists"),
		chromedp.WaitVisible("#coa-format"),
		fill("#source", "USPS weekly 2026-48"),
		chromedp.SetUploadFiles("#file", []string{file}),
		chromedp.Click("#upload"),
		chromedp.WaitNotPresent("#upload"),
	)
	if err != nil {
		t.Fatalf("staff upload: %v", err)
	}
	// The worker emails the owner once the list is loaded and matched.
	if mails := e.Mail.Wait(1, 30*time.Second); len(mails) != 1 {
		t.Fatalf("no notification email: %v", mails)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`form.logout button`),
		chromedp.WaitVisible(`input#email`),
		login("owner@example.com", webtest.Passwords["owner"]),
		chromedp.Navigate(base+"/coa"),
		chromedp.WaitVisible("#coa-matches"),
	)
	if err != nil {
		t.Fatalf("owner opens /coa: %v", err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text("#coa-matches tbody tr"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"William Penn", "5 CHESTNUT ST", "9 WALNUT ST", "individual, nickname of the name", "2026-09-01", "New address given"} {
		if !strings.Contains(row, want) {
			t.Errorf("the match row lacks %q:\n%s", want, row)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#coa-matches button.accept"),
		chromedp.WaitVisible("#no-matches"),
		chromedp.Navigate(base+"/addresses"),
		chromedp.WaitVisible("main"),
	)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	book, _ := chromedp.Run(ctx, chromedp.Text("main"))
	if !strings.Contains(book, "9 WALNUT ST") || strings.Contains(book, "5 CHESTNUT ST") {
		t.Errorf("the address book after accepting:\n%s", book)
	}
}
