package web_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// In the browser, a mailer uploads a list of 25 recipients, two of them bad:
// the review lists the two with their lines and reasons, one click buys the
// 23 good ones as one purchase, and one merged PDF of the 23 downloads.
func TestBrowserBatchLabelsFromCSV(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	file := filepath.Join(t.TempDir(), "recipients.csv")
	if err := os.WriteFile(file, []byte(batchCSV(25, 4, 17)), 0o600); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/postage"),
		chromedp.Click("#batch-link"),
		chromedp.WaitVisible("#batch-upload"),
		chromedp.SetUploadFiles("#file", []string{file}),
		chromedp.Click("#check-file"),
		chromedp.WaitVisible("#batch-review"),
	)
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("upload: %v\n%s", err, page)
	}
	bad, _ := chromedp.Run(ctx, chromedp.Text("#batch-bad"))
	good, _ := chromedp.Run(ctx, chromedp.Text("#batch-good"))
	if good != "23" || !strings.Contains(bad, "Line 6 (Person 5): This address could not be validated") ||
		!strings.Contains(bad, `Line 19 (Person 18): The weight "heavy"`) {
		t.Fatalf("review shows %s good; skipped:\n%s", good, bad)
	}
	err = chromedp.Do(ctx,
		chromedp.Click("#buy-batch"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("buy: %v\n%s", err, page)
	}
	if n, p := pieces(t, e), purchaseCount(t, e); n != 23 || p != 1 {
		t.Fatalf("%d pieces in %d purchases, want 23 in 1", n, p)
	}
	page, _ := chromedp.Run(ctx, chromedp.Text("main"))
	if !strings.Contains(page, "23 labels bought in one purchase") {
		t.Errorf("after buying:\n%s", page)
	}
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("download-pdf").href, {credentials: "same-origin"})
		.then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
		.then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the PDF: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") || len(pdfPageRe.FindAll(pdf, -1)) != 23 {
		t.Fatalf("the download is not one PDF of 23 labels (%d bytes, %v)", len(pdf), err)
	}
}
