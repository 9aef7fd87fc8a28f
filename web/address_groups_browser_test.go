package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/webtest"
)

// In the browser, a mailer ticks two of three address-book entries, saves
// them as a group, and buys a batch for the group: two labels, one purchase.
func TestBrowserAddressGroupBatch(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	var ids []string
	for _, n := range []string{"Ann Lee", "Bob Ray", "Cy Doe"} {
		en, err := coaBook(e).Create(ctx, e.Owner, addressbook.EntryInput{Name: n, Fields: address.Fields{Line1: "9 Elm St", City: "Beverly Hills", State: "CA", ZIP: "90210"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(en.ID, 10))
	}
	base := e.Listen()
	bctx := webtest.Browser(t)
	err := chromedp.Do(bctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/addresses"),
		chromedp.WaitVisible("#group-form"),
		chromedp.Click("#select-"+ids[0]),
		chromedp.Click("#select-"+ids[2]),
		chromedp.SendKeys("#name", "Board"),
		chromedp.Click("#save-group"),
		chromedp.WaitVisible("#group-count"),
	)
	if err != nil {
		page, _ := chromedp.Run(bctx, chromedp.Text("main"))
		t.Fatalf("save the group: %v\n%s", err, page)
	}
	members, _ := chromedp.Run(bctx, chromedp.Text("#members"))
	if !strings.Contains(members, "Ann Lee") || !strings.Contains(members, "Cy Doe") || strings.Contains(members, "Bob Ray") {
		t.Fatalf("the group holds:\n%s", members)
	}
	err = chromedp.Do(bctx,
		chromedp.Click("#group-batch"),
		chromedp.WaitVisible("#batch-book"),
		chromedp.SendKeys("#weight_oz", "1"),
		chromedp.Click("#check-book"),
		chromedp.WaitVisible("#batch-review"),
	)
	if err != nil {
		page, _ := chromedp.Run(bctx, chromedp.Text("main"))
		t.Fatalf("check the group's batch: %v\n%s", err, page)
	}
	if good, _ := chromedp.Run(bctx, chromedp.Text("#batch-good")); good != "2" {
		page, _ := chromedp.Run(bctx, chromedp.Text("main"))
		t.Fatalf("review shows %q good, want 2:\n%s", good, page)
	}
	err = chromedp.Do(bctx,
		chromedp.Click("#buy-batch"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(bctx, chromedp.Text("main"))
		t.Fatalf("buy: %v\n%s", err, page)
	}
	if n, p := pieces(t, e), purchaseCount(t, e); n != 2 || p != 1 {
		t.Fatalf("%d pieces in %d purchases, want 2 in 1", n, p)
	}
}
