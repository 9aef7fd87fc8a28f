package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/metering/box"
	"indicia/web/webtest"
)

// In the browser, the origin ZIP field appears only while a floating meter is
// chosen (the page's script), and a purchase on the floating meter prints the
// origin typed there.
func TestBrowserFloatingMeterAsksForOrigin(t *testing.T) {
	e := webtest.New(t)
	fl := secondMeter(t, e, box.FloatingOrigin, 20_00)
	base := e.Listen()
	ctx := webtest.Browser(t)
	// Choose a meter in the select as a person does: the value, then "change".
	choose := func(id int64) chromedp.Action[chromedp.Void] {
		return func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](`(() => { const s = document.getElementById("meter_id"); s.value = "`+strconv.FormatInt(id, 10)+`";
				s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)(c, tg)
			return chromedp.Void{}, err
		}
	}
	hidden := func() bool {
		t.Helper()
		h, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("origin-zip-field").hidden`))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/postage"),
		chromedp.WaitVisible("#purchase-form"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !hidden() {
		t.Fatal("the origin ZIP field shows while the default (fixed-origin) meter is chosen")
	}
	if err := chromedp.Do(ctx, choose(fl.ID), chromedp.WaitVisible("#origin_zip")); err != nil {
		t.Fatalf("choosing the floating meter did not show the origin ZIP field: %v", err)
	}
	if err := chromedp.Do(ctx, choose(e.Meter.ID)); err != nil || !hidden() {
		t.Fatalf("choosing the fixed meter again did not hide the origin ZIP field (%v)", err)
	}
	err = chromedp.Do(ctx,
		choose(fl.ID),
		chromedp.WaitVisible("#origin_zip"),
		fill("#origin_zip", "10001"),
		fill("#recipient_name", "Ann Lee"),
		fill("#recipient_address", "9 elm street, beverly hills ca 90210"),
		fill("#weight_oz", "1"),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("buy on the floating meter: %v\n%s", err, page)
	}
	page, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "mail at ZIP 10001") || !strings.Contains(page, fl.Record.Serial) {
		t.Errorf("the label page does not show the floating meter %s and origin 10001:\n%s", fl.Record.Serial, page)
	}
	if got := meterNow(t, e, fl.ID); got.Record.PieceCount != 1 {
		t.Errorf("floating meter: %d pieces, want 1", got.Record.PieceCount)
	}
	if got := meterNow(t, e, e.Meter.ID); got.Record.PieceCount != 0 {
		t.Errorf("the default meter was debited")
	}
}
