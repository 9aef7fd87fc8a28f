package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// In the browser, the owner adds a cost code and makes it required; buying
// without one shows the message at the field and buys nothing; choosing it
// buys, and the purchase names it.
func TestBrowserCostCodeRequiredOnPurchase(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Click(`a[href="/account/cost-codes"]`),
		chromedp.WaitVisible("#new-cost-code"),
		fill("#name", "Marketing"),
		fill("#code", "MKT-100"),
		chromedp.Click("#add-cost-code"),
		chromedp.WaitVisible(`#cost-codes tbody tr[id^="cost-code-"]`),
		chromedp.Click("#cost_code_required"),
		chromedp.Click("#save-setting"),
	)
	if err == nil {
		// The checkbox is ticked before the submit: wait for the saved page's message.
		// A poll that started on the old page ends with the navigation; poll again on the new one.
		for i := 0; i < 3; i++ {
			if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll(".flash")].some(e => e.textContent.includes("Every purchase must now name a cost code"))`)); err == nil {
				break
			}
		}
	}
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("define the cost code: %v\n%s", err, page)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/postage"),
		chromedp.WaitVisible("#purchase-form"),
		fill("#recipient_name", "Ann Lee"),
		fill("#recipient_address", "9 elm street, beverly hills ca 90210"),
		fill("#weight_oz", "1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The live price does not wait for the cost code.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("price-total").textContent === "$0.78"`)); err != nil {
		price, _ := chromedp.Run(ctx, chromedp.Text("#live-price"))
		t.Fatalf("live price without a cost code shows %q: %v", price, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#cost_code-error"),
	)
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("buy without a cost code: %v\n%s", err, page)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text("#cost_code-error"))
	if !strings.Contains(msg, "Choose a cost code") {
		t.Errorf("field message: %q", msg)
	}
	if n := pieces(t, e); n != 0 {
		t.Fatalf("bought %d pieces without the required cost code", n)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue("#cost_code", "MKT-100"),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("buy with the cost code: %v\n%s", err, page)
	}
	named, _ := chromedp.Run(ctx, chromedp.Text("#purchase-cost-codes"))
	if named != "Marketing (MKT-100)" || pieces(t, e) != 1 {
		t.Errorf("purchase names %q, %d pieces", named, pieces(t, e))
	}
}
