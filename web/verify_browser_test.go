package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// Postal staff log in, upload a label PNG on /verify and see VALID with the meter serial.
func TestBrowserStaffVerifiesALabelImage(t *testing.T) {
	e := webtest.New(t)
	_, in := buyViaAPI(t, e)
	png := filepath.Join(t.TempDir(), "label.png")
	if err := os.WriteFile(png, labelPNG(t, in), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		fill("#email", "staff@example.com"),
		fill("#password", webtest.Passwords["staff"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`a[href="/verify"]`),
		chromedp.Click(`a[href="/verify"]`),
		chromedp.WaitVisible(`#image`),
		chromedp.SetUploadFiles(`#image`, []string{png}),
		fill("#piece_ref", "IMB-0001"),
		chromedp.Click(`#verify-submit`),
		chromedp.WaitVisible(`#verdict-result`),
	)
	if err != nil {
		t.Fatalf("verify in the browser: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(`#verdict-result`))
	if err != nil {
		t.Fatal(err)
	}
	fields, err := chromedp.Run(ctx, chromedp.Text(`#decoded`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(result) != "VALID" || !strings.Contains(fields, in.MeterSerial) || !strings.Contains(fields, "$0.78") {
		t.Errorf("verdict %q, fields:\n%s", result, fields)
	}
	log, err := chromedp.Run(ctx, chromedp.Text(`#verify-log`))
	if err != nil || !strings.Contains(log, "IMB-0001") || !strings.Contains(log, "staff@example.com") {
		t.Errorf("the verification log shows:\n%s (%v)", log, err)
	}
}
