package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/accounts"
	"indicia/web/webtest"
)

// A vendor admin on a phone reads a login chain alert and resolves it.
func TestBrowserLoginChainAlertAt390px(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.Acc.Login(ctx, accounts.LoginAttempt{Email: "owner@example.com", Password: webtest.Passwords["owner"], IP: fmt.Sprintf("10.0.0.%d", i), UserAgent: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Pool.Exec(ctx, `UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = (SELECT max(id) FROM login_history)`); err != nil {
		t.Fatal(err)
	}
	base := e.Listen()
	bctx := webtest.Browser(t)
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/login"),
		fill("#email", "admin@example.com"),
		fill("#password", webtest.Passwords["admin"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitReady(`form.logout`), // folded behind the menu on a phone
		chromedp.Navigate(base+"/admin/login-alerts"),
		chromedp.WaitVisible(`table.login-chain-alerts`),
	)
	if err != nil {
		t.Fatalf("open the alerts page: %v", err)
	}
	// The admin's own login above found the break and raised the alert.
	wide, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector("table.login-chain-alerts").getBoundingClientRect().right > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		t.Errorf("the alerts table is wider than a 390 px screen")
	}
	text, err := chromedp.Run(bctx, chromedp.Text("table.login-chain-alerts"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "changed after it was signed") {
		t.Errorf("alert shows:\n%s", text)
	}
	err = chromedp.Do(bctx,
		fill(`table.login-chain-alerts input[name=resolution]`, "restored from backup"),
		chromedp.Click(`table.login-chain-alerts button[type=submit]`),
		chromedp.WaitVisible(`p.flash`),
	)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	text, err = chromedp.Run(bctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Login chain alert resolved.") || !strings.Contains(text, "by Ada Admin: restored from backup") {
		t.Errorf("after resolving, the page shows:\n%s", text)
	}
}
