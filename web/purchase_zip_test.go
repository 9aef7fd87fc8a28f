package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// An address whose city has several ZIPs and none written is refused by
// the API with the candidates in the error, and nothing is bought.
func TestAPIRefusesAnAmbiguousZIPWithTheCandidates(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels",
		`{"pieces":[{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"name":"Ann Example","address":"1 Main St\nSpringfield IL"}}]}`)
	gotCode, field := errField(out)
	if code != http.StatusUnprocessableEntity || gotCode != "zip_choice" || field != "recipient.address" {
		t.Fatalf("ambiguous ZIP: %d %v", code, out)
	}
	var zips []string
	for _, z := range out["error"].(map[string]any)["candidate_zips"].([]any) {
		zips = append(zips, z.(string))
	}
	if len(zips) < 2 || !slices.Contains(zips, "62704") || !slices.IsSorted(zips) {
		t.Fatalf("candidate_zips %v", zips)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d labels bought (%v)", n, err)
	}
}

// On the page, a ZIP that is another city's is refused at the address with
// the written city's ZIPs as choices; choosing one (no script) buys to it.
func TestPurchasePageOffersTheCandidateZIPsAtTheField(t *testing.T) {
	e := webtest.New(t)
	v := url.Values{"token": {"tok-zip"}, "recipient_name": {"Ann Example"}, "recipient_address": {"1 Main St\nStamford CT 06820"},
		"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "action": {"buy"}}
	resp := e.Do("owner", "POST", "/postage", v)
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="recipient_address-error"`) ||
		!strings.Contains(body, `id="zip-choice"`) || !strings.Contains(body, `name="zip_choice" value="06901"`) || !strings.Contains(body, `name="zip_choice" value="06902"`) {
		t.Fatalf("no ZIP choice at the address: %d\n%.4000s", resp.StatusCode, body)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d labels bought to a guessed ZIP (%v)", n, err)
	}
	v.Set("zip_choice", "06902")
	resp = e.Do("owner", "POST", "/postage", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the ZIP chosen: %d\n%.4000s", resp.StatusCode, webtest.Body(t, resp))
	}
	var dest string
	if err := e.Pool.QueryRow(t.Context(), `SELECT dest_zip FROM indicia`).Scan(&dest); err != nil || !strings.HasPrefix(dest, "06902") {
		t.Fatalf("bought to %q (%v), want ZIP 06902", dest, err)
	}
}

// In the browser, on a phone, the candidate ZIPs are offered at the field
// (axe-clean, no policy violation) and picking one buys to it.
func TestBrowserPicksACandidateZIP(t *testing.T) {
	axe := axeSource(t)
	e := webtest.New(t)
	p := newPhone(t, e.Listen(), axe)
	p.as(e, "owner")
	p.open("purchase", "/postage")
	err := chromedp.Do(p.ctx,
		fill("#recipient_name", "Ann Example"),
		chromedp.SetValue("#recipient_address", "1 Main St\nStamford CT 06820"),
		fill("#weight_oz", "1"),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#zip-choice"),
	)
	if err != nil {
		t.Fatalf("an address with another city's ZIP: %v", err)
	}
	p.check("purchase with candidate ZIPs")
	err = chromedp.Do(p.ctx,
		chromedp.Click(`#zip-choice input[value="06902"]`),
		chromedp.Click("#buy"),
		chromedp.WaitVisible("#download-pdf"),
	)
	if err != nil {
		page, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
		t.Fatalf("buy with the ZIP chosen: %v\n%s", err, page)
	}
	if page, _ := chromedp.Run(p.ctx, chromedp.Text("main")); !strings.Contains(page, "STAMFORD CT 06902") {
		t.Fatalf("the label is not addressed to 06902:\n%s", page)
	}
}
