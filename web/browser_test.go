package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

func fill(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(sel, v) }

// logInAsOwner logs the test account's owner in through the login page.
func logInAsOwner(base string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		return chromedp.Void{}, chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			fill("#email", "owner@example.com"),
			fill("#password", webtest.Passwords["owner"]),
			chromedp.Click(`main button[type=submit]`),
			chromedp.WaitReady(`form.logout`),
		)
	}
}

// A new mailer signs up through the real form, confirms the address from the
// email, logs in, sees the dashboard, logs out and back in.
func TestBrowserSignUpLogoutLogin(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signup"),
		fill("#name", "Grace Hopper"),
		fill("#company", "Hopper Freight"),
		fill("#email", "grace@example.com"),
		fill("#password", "navy cobol 1906"),
		fill("#address_line1", "12 Harbor Rd"),
		fill("#city", "Arlington"),
		fill("#state", "VA"),
		fill("#zip", "22201"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible("#check-email"),
	)
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	link := mailLink(t, e, 1, "grace@example.com")
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+link),
		chromedp.WaitVisible(`input#email`),
		fill("#email", "grace@example.com"),
		fill("#password", "navy cobol 1906"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible("#customer-id"),
	)
	if err != nil {
		t.Fatalf("confirm and log in: %v", err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "Hopper Freight") || !strings.Contains(page, "22201") {
		t.Fatalf("dashboard after sign-up shows:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`form.logout button`),
		chromedp.WaitVisible(`input#email`),
		fill("#email", "grace@example.com"),
		fill("#password", "navy cobol 1906"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible("#customer-id"),
	)
	if err != nil {
		t.Fatalf("log out and back in: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/dashboard") {
		t.Errorf("after login the browser is at %s", loc)
	}
}

// A wrong password gets a clear message; rapid repeated attempts are throttled.
func TestBrowserWrongPasswordAndThrottling(t *testing.T) {
	e := webtest.New(t, webtest.Options{LoginMaxFails: 3})
	base := e.Listen()
	ctx := webtest.Browser(t)
	attempt := func() string {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			fill("#email", "owner@example.com"),
			fill("#password", "not my password"),
			chromedp.Click(`main button[type=submit]`),
			chromedp.WaitVisible(".error-banner"),
		)
		if err != nil {
			t.Fatalf("login attempt: %v", err)
		}
		msg, _ := chromedp.Run(ctx, chromedp.Text(".error-banner"))
		return msg
	}
	if msg := attempt(); !strings.Contains(msg, "do not match") {
		t.Errorf("wrong password message: %q", msg)
	}
	attempt()
	attempt()
	msg := attempt()
	if !strings.Contains(msg, "Too many failed attempts") {
		t.Errorf("fourth rapid attempt: %q, want a throttling message", msg)
	}
	// Even the right password waits out the lockout.
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		fill("#email", "owner@example.com"),
		fill("#password", webtest.Passwords["owner"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(".error-banner"),
	)
	if err != nil {
		t.Fatalf("locked login: %v", err)
	}
}
