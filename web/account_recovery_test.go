package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"indicia/accounts"
	"indicia/metering"
	"indicia/web/webtest"
)

var mailLinkRe = regexp.MustCompile(`https?://[^\s/]+(/(?:password/reset|verify-email)/[A-Za-z0-9_-]+)`)

// mailLink waits for the n-th email and returns the path of its link.
func mailLink(t *testing.T, e *webtest.Env, n int, to string) string {
	t.Helper()
	mails := e.Mail.Wait(n, 30*time.Second)
	if len(mails) < n {
		t.Fatalf("%d emails arrived, want %d", len(mails), n)
	}
	m := mails[n-1]
	if len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("email %d went to %v, want %s", n, m.To, to)
	}
	data := strings.ReplaceAll(strings.ReplaceAll(m.Data, "=\r\n", ""), "=3D", "=")
	l := mailLinkRe.FindStringSubmatch(data)
	if l == nil {
		t.Fatalf("no link in email:\n%s", m.Data)
	}
	return l[1]
}

// Sign-up answers the same page for a new and a taken address; the owner of
// the taken one is told by email.
func TestSignUpAnswersTheSameForATakenEmail(t *testing.T) {
	e := webtest.New(t)
	form := func(email string) url.Values {
		return url.Values{"name": {"Bea"}, "company": {"Bea Co"}, "email": {email}, "password": {"a long password"},
			"address_line1": {"2 Oak St"}, "city": {"Albany"}, "state": {"NY"}, "zip": {"12207"}}
	}
	r1 := e.Do("anon", "POST", "/signup", form("bea@example.com"))
	b1 := webtest.Body(t, r1)
	r2 := e.Do("anon", "POST", "/signup", form("owner@example.com"))
	b2 := webtest.Body(t, r2)
	if r1.StatusCode != http.StatusOK || r2.StatusCode != http.StatusOK {
		t.Fatalf("statuses %d and %d, want 200 both", r1.StatusCode, r2.StatusCode)
	}
	strip := func(b, email string) string {
		i := strings.Index(b, `<main`)
		return strings.ReplaceAll(b[i:], email, "EMAIL")
	}
	if !strings.Contains(b1, "Check your email") || strip(b1, "bea@example.com") != strip(b2, "owner@example.com") {
		t.Errorf("the answers differ:\n%s\n----\n%s", b1, b2)
	}
	mails := e.Mail.Wait(2, 30*time.Second)
	var notice bool
	for _, m := range mails {
		notice = notice || (m.To[0] == "owner@example.com" && strings.Contains(m.Data, "tried to sign up"))
	}
	if !notice {
		t.Errorf("the owner of the taken address was not told: %+v", mails)
	}
}

// A new owner's purchases wait for the confirmation link; the API says why
// and where to get a new link.
func TestPurchaseWaitsForEmailConfirmation(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	u, acct, err := e.Acc.SignUp(ctx, accounts.SignUpInput{Name: "Una", Company: "Una Co", Email: "una@example.com", Password: "correct horse battery",
		Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Metering.Provision(ctx, acct.ID, acct.OriginZIP)
	if err == nil {
		_, err = e.Metering.Credit(ctx, accounts.System, m.ID, 10_00, metering.CreditAdmin, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	k := key(t, e, u, "buy_postage")
	const body = `{"pieces":[{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"name":"Ann Lee","address":"9 Elm St, Stamford CT 06901"}}]}`
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", body)
	errObj, _ := out["error"].(map[string]any)
	msg, _ := errObj["message"].(string)
	if code != http.StatusForbidden || errObj["code"] != "email_unverified" || !strings.Contains(msg, accounts.VerifyPath) {
		t.Fatalf("unconfirmed owner buying: %d %v", code, out)
	}
	if err := e.Acc.SendVerification(ctx, u); err != nil {
		t.Fatal(err)
	}
	link := mailLink(t, e, 1, "una@example.com")
	if r := e.Do("anon", "GET", link, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmation link: %d", r.StatusCode)
	}
	if code, out := apiCall(t, e, k, "POST", "/api/v1/labels", body); code != http.StatusCreated {
		t.Fatalf("after confirming: %d %v", code, out)
	}
	if r := e.Do("anon", "GET", link, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("the link used twice: %d, want 404", r.StatusCode)
	}
}

// The whole recovery in a browser: locked out, the message points to the
// reset, the emailed link sets a new password, and it logs in.
func TestBrowserPasswordReset(t *testing.T) {
	e := webtest.New(t, webtest.Options{LoginMaxFails: 2})
	base := e.Listen()
	ctx := webtest.Browser(t)
	for range 3 {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			fill("#email", "owner@example.com"),
			fill("#password", "not my password"),
			chromedp.Click(`main button[type=submit]`),
			chromedp.WaitVisible(".error-banner"),
		); err != nil {
			t.Fatal(err)
		}
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(".error-banner"))
	if !strings.Contains(msg, "/password/forgot") {
		t.Fatalf("lockout message %q does not point to the reset", msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.Click(`a[href="/password/forgot"]`),
		chromedp.WaitVisible(`input#email`),
		fill("#email", "owner@example.com"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible("#check-email"),
	); err != nil {
		t.Fatalf("ask for a reset: %v", err)
	}
	link := mailLink(t, e, 1, "owner@example.com")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+link),
		fill("#password", "password12"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible("#password-error"),
	); err != nil {
		t.Fatalf("a common password on the reset form: %v", err)
	}
	fieldMsg, _ := chromedp.Run(ctx, chromedp.Text("#password-error"))
	if !strings.Contains(fieldMsg, "common") {
		t.Errorf("password12 refused with %q", fieldMsg)
	}
	if err := chromedp.Do(ctx,
		fill("#password", "a fresh long passphrase"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`input#email`),
		fill("#email", "owner@example.com"),
		fill("#password", "a fresh long passphrase"),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitVisible(`form.logout`),
	); err != nil {
		t.Fatalf("reset and log in: %v", err)
	}
}
