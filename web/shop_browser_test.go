package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// In Chromium on a phone: the mailer saves a ship-from address and a
// preset, fills the purchase form from the preset, previews the label
// (the specimen image shows, nothing is bought), then buys it. Every page
// state is checked for width, CSP and axe-core.
func TestBrowserPreviewThenBuy(t *testing.T) {
	axe := axeSource(t)
	e := webtest.New(t)
	base := e.Listen()
	k := key(t, e, e.Owner, "buy_postage")
	if code, out := apiCall(t, e, k, "POST", "/api/v1/presets", `{"name":"Small box","mail_class":"PRIORITY","weight_oz":20,"length":10,"width":8,"height":4}`); code != 201 {
		t.Fatalf("preset: %d %v", code, out)
	}
	if code, out := apiCall(t, e, k, "POST", "/api/v1/ship-from-addresses", `{"nickname":"Warehouse","company":"Acme Shipping","address":"350 fifth avenue, new york ny 10118"}`); code != 201 {
		t.Fatalf("ship-from: %d %v", code, out)
	}
	p := newPhone(t, base, axe)
	p.as(e, "owner")
	p.open("owner", "/account/ship-from")
	p.open("owner", "/account/presets")
	p.open("owner", "/postage")
	err := chromedp.Do(p.ctx,
		fill("#recipient_name", "Ann Lee"),
		fill("#recipient_address", "9 elm street, beverly hills ca 90210"),
		chromedp.SetValue("#preset_id", "1"),
		chromedp.Click("#use-preset"),
		chromedp.WaitVisible("#purchase-form"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The old page also has the form: wait for the filled one. A poll that
	// started on the old page ends with the navigation; poll again on the new one.
	filled := `document.getElementById("weight_oz").value + "/" + document.getElementById("class").value === "20/PRIORITY"`
	for i := 0; i < 3; i++ {
		if _, err = chromedp.Run(p.ctx, chromedp.Poll[bool](filled, chromedp.WithPollingTimeout(10*time.Second))); err == nil {
			break
		}
	}
	if err != nil {
		weight, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById("weight_oz").value + "/" + document.getElementById("class").value`))
		t.Fatalf("the preset did not fill the form: %q (%v)", weight, err)
	}
	before := meterState(t, e)
	if err := chromedp.Do(p.ctx, chromedp.Click("#preview"), chromedp.WaitVisible("#label-preview")); err != nil {
		page, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
		t.Fatalf("preview: %v\n%s", err, page)
	}
	p.check("owner preview")
	shown, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`(() => { const i = document.getElementById("preview-image"); return i.complete && i.naturalWidth === 400 })()`))
	if err != nil || !shown {
		t.Fatalf("the preview image did not load (%v)", err)
	}
	if after := meterState(t, e); after != before {
		t.Fatalf("the preview bought something:\n%s\n%s", before, after)
	}
	if err := chromedp.Do(p.ctx, chromedp.Click("#buy"), chromedp.WaitVisible("#download-pdf")); err != nil {
		page, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
		t.Fatalf("buy after preview: %v\n%s", err, page)
	}
	page, err := chromedp.Run(p.ctx, chromedp.Text("main"))
	if err != nil || !strings.Contains(page, "Postage bought") {
		t.Fatalf("after buying: %v\n%s", err, page)
	}
	var from string
	if err := e.Pool.QueryRow(t.Context(), `SELECT ship_from::text FROM indicia`).Scan(&from); err != nil || !strings.Contains(from, "ACME SHIPPING") {
		t.Fatalf("the label's ship-from %q (%v)", from, err)
	}
}
