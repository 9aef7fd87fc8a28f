package web_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// The owner buys a First-Class letter on the purchase page: the live price
// appears as they type, the purchase lands on the labels page, and the PDF
// behind the download link is a label whose barcode verifies offline.
func TestBrowserBuyLabelAndDownloadPDF(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/postage"),
		chromedp.WaitVisible("#purchase-form"),
		fill("#recipient_name", "Ann Lee"),
		fill("#recipient_address", "9 elm street, beverly hills ca 90210"),
		fill("#weight_oz", "1"),
	)
	if err != nil {
		t.Fatalf("fill the purchase form: %v", err)
	}
	// The live price comes from the page's script, before any submit.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("price-total").textContent === "$0.78"`)); err != nil {
		price, _ := chromedp.Run(ctx, chromedp.Text("#live-price"))
		t.Fatalf("live price never showed $0.78 (shows %q): %v", price, err)
	}
	hint, _ := chromedp.Run(ctx, chromedp.Text("#price-hint"))
	if !strings.Contains(hint, "9 ELM ST") {
		t.Errorf("the live price does not show the standardized address: %q", hint)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		t.Fatalf("buy: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	page, _ := chromedp.Run(ctx, chromedp.Text("main"))
	if !strings.Contains(loc, "/labels/") || !strings.Contains(page, "$0.78") || !strings.Contains(page, "BEVERLY HILLS CA 90210") {
		t.Fatalf("after buying the browser is at %s showing:\n%s", loc, page)
	}
	// Download through the link, with the browser's own session cookie.
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("download-pdf").href, {credentials: "same-origin"})
		.then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
		.then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the PDF: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the download is not a PDF (%d bytes, %v)", len(pdf), err)
	}
	in := verifyText(t, e, decodePDFPage(t, pdf, 1))
	if in.Postage != 78 || in.MailClass != "FCM_LETTER" {
		t.Errorf("the printed indicium says %d cents, class %s", in.Postage, in.MailClass)
	}
}
