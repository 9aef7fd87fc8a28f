package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// On a phone, a mailer buys a letter to Canada on the purchase page (the
// label shows the country line) and is refused a package to France at the
// class field with nothing bought; every state passes axe-core and the
// Content-Security-Policy check.
func TestBrowserBuysALetterToCanadaAndIsRefusedAPackageToFrance(t *testing.T) {
	axe := axeSource(t)
	e := webtest.New(t)
	p := newPhone(t, e.Listen(), axe)
	p.as(e, "owner")
	p.open("purchase", "/postage")
	// Without a foreign country chosen the international classes are not offered;
	// "Get price" with Canada chosen brings them.
	err := chromedp.Do(p.ctx,
		chromedp.SetValue("#country", "CA"),
		fill("#recipient_name", "Justin Example"),
		chromedp.SetValue("#recipient_address", "24 Sussex Drive\nOttawa ON K1M 1M4"),
		fill("#weight_oz", "1"),
		chromedp.Click("#get-price"),
		chromedp.WaitReady(`#class option[value="FCMI_LETTER"]`),
	)
	if err != nil {
		t.Fatalf("choose Canada: %v", err)
	}
	p.check("purchase to Canada, priced")
	err = chromedp.Do(p.ctx,
		chromedp.SetValue("#class", "FCMI_LETTER"),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
		t.Fatalf("buy the letter to Canada: %v\n%s", err, page)
	}
	p.check("label to Canada")
	page, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
	if !strings.Contains(page, "CANADA") || !strings.Contains(page, "K1M 1M4") {
		t.Fatalf("the label page shows no country line:\n%s", page)
	}

	p.open("purchase", "/postage")
	err = chromedp.Do(p.ctx,
		chromedp.SetValue("#country", "FR"),
		fill("#recipient_name", "Marie Curie"),
		chromedp.SetValue("#recipient_address", "1 rue de Rivoli\n75001 Paris"),
		chromedp.SetValue("#class", "PRIORITY"),
		fill("#weight_oz", "16"),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#class-error"),
	)
	if err != nil {
		t.Fatalf("a package to France: %v", err)
	}
	p.check("package to France refused")
	msg, _ := chromedp.Run(p.ctx, chromedp.Text("#class-error"))
	if !strings.Contains(msg, "France") || !strings.Contains(msg, "international rates are not loaded") {
		t.Errorf("the class field says %q", msg)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d labels after the refusal, want the letter alone (%v)", n, err)
	}
}
