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
		chromedp.WaitVisible(`#cost_code_required:checked`),
	)
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
