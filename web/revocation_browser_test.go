package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// On a 390 px wide screen a vendor admin suspends a meter for tamper,
// revoking its labels from a chosen day, on forms that fit the screen; the meter page then says from when its certificate is revoked.
func TestBrowserAdminSuspendsRevokingFromADay(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	day := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	page := base + "/admin/meters/" + strconv.FormatInt(e.Meter.ID, 10)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/login"),
		fill("#email", "admin@example.com"),
		fill("#password", webtest.Passwords["admin"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitReady(`a[href="/admin/meters"]`), // the menu folds on a phone
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#suspend-revoke-date`),
	)
	if err != nil {
		t.Fatalf("open the meter page: %v", err)
	}
	// The lifecycle forms fit; the signed records table below them is wider
	// than a phone on every meter page, a matter of its own.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('form[action$="/suspend"], form[action$="/retire"], form[action$="/suspend"] *, form[action$="/retire"] *'))
		.some(el => el.getBoundingClientRect().right > window.innerWidth)`))
	if err != nil || wide {
		t.Errorf("the suspend or retire form is wider than 390 px (%v)", err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(`#reason`, "tamper"),
		chromedp.Click(`#suspend-revoke-date-choice`),
		chromedp.SetValue(`#suspend-revoke-date`, day),
		chromedp.Click(`form[action$="/suspend"] button[type=submit]`),
		chromedp.WaitVisible(`#meter-revoked`),
	)
	if err != nil {
		t.Fatalf("suspend: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(`#meter-revoked`))
	if err != nil || !strings.Contains(got, day+" 00:00 UTC") || !strings.Contains(got, "tamper") {
		t.Errorf("the meter page says %q (%v), want revoked from %s for tamper", got, err, day)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(`#meter-status`))
	if err != nil || !strings.Contains(status, "suspended") {
		t.Errorf("status %q (%v)", status, err)
	}
}
