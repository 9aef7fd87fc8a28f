package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"indicia/web/request"
	"indicia/web/webtest"
)

// axeSource reads the pinned axe-core that scripts/test.sh installs from
// scripts/tools' lock file. Without it the test is skipped locally but fails
// under CI, as a missing Chromium does.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("AXE_CORE_PATH")
	if p == "" {
		p = filepath.Join("..", "var", "tools", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core: %v (scripts/test.sh installs it into var/tools)", err)
		}
		t.Skipf("axe-core not installed (%v); run `make test`, which installs it", err)
	}
	return string(b)
}

// cspWatch runs in every document before the page's own scripts and keeps
// each violation of the Content-Security-Policy the page reports.
const cspWatch = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`

// pageCheck answers what a phone user and a screen reader would hit first:
// sideways scrolling (with the widest elements, to find the culprit), the
// policy violations the page saw, and axe-core's violations of any impact.
const pageCheck = `(async () => {
	const vw = window.innerWidth, sw = document.documentElement.scrollWidth;
	const wide = sw > vw ? Array.from(document.querySelectorAll("body *"))
		.filter(el => el.getBoundingClientRect().right > vw + 1)
		.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(el.getBoundingClientRect().right)) : [];
	const unexplained = Array.from(document.querySelectorAll("[aria-invalid=true]"))
		.filter(el => !(el.getAttribute("aria-describedby") || "").split(" ").some(id => { const m = document.getElementById(id); return m && m.textContent.trim() !== ""; }))
		.map(el => el.id || el.name);
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return JSON.stringify({vw, sw, wide, unexplained, errors: document.querySelectorAll("[aria-invalid=true], .error-banner").length, csp: window.__csp || [], axe: r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))});
})()`

type pageReport struct {
	VW, SW      int
	Unexplained []string // refused fields without a message tied to them
	Errors      int      // refused fields and error banners
	Wide        []string
	CSP         []string
	Axe         []string
}

// phone is one browser at 390 × 844 that checks every page it opens.
type phone struct {
	t       *testing.T
	ctx     context.Context
	base    string
	axe     string
	mu      sync.Mutex
	console []string // policy messages and uncaught exceptions
}

func newPhone(t *testing.T, base, axe string) *phone {
	ctx := webtest.Browser(t)
	p := &phone{t: t, ctx: ctx, base: base, axe: axe}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || m.Source == "security" {
				p.mu.Lock()
				p.console = append(p.console, m.String())
				p.mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatal(err)
	}
	return p
}

// as gives the browser the session of role ("anon": none).
func (p *phone) as(e *webtest.Env, role string) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		p.t.Fatal(err)
	}
	if s, ok := e.Sessions[role]; ok {
		if _, err := chromedp.Call(p.ctx, network.SetCookie, network.SetCookieParams{Name: request.SessionCookie, Value: s[0], URL: p.base}); err != nil {
			p.t.Fatal(err)
		}
	}
}

// open navigates to path and checks the page as it stands.
func (p *phone) open(label, path string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.base+path)); err != nil {
		p.t.Errorf("%s: open %s: %v", label, path, err)
		return
	}
	p.check(label + " " + path)
}

// check runs the checks on the page the browser shows.
func (p *phone) check(label string) pageReport {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (() => { `+p.axe+`; return true })()`)); err != nil {
		p.t.Fatalf("%s: inject axe-core: %v", label, err)
	}
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](pageCheck, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Errorf("%s: check: %v", label, err)
		return pageReport{}
	}
	var r pageReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		p.t.Fatal(err)
	}
	if r.SW > r.VW {
		p.t.Errorf("%s: %d px wide on a %d px phone; too wide: %s", label, r.SW, r.VW, strings.Join(r.Wide, ", "))
	}
	for _, f := range r.Unexplained {
		p.t.Errorf("%s: field %s is marked invalid without a message tied to it", label, f)
	}
	for _, v := range r.CSP {
		p.t.Errorf("%s: Content-Security-Policy violation: %s", label, v)
	}
	for _, v := range r.Axe {
		p.t.Errorf("%s: axe: %s", label, v)
	}
	p.mu.Lock()
	for _, m := range p.console {
		p.t.Errorf("%s: console: %s", label, m)
	}
	p.console = nil
	p.mu.Unlock()
	return r
}

// TestBrowserEveryPageOnAPhone opens every page each role may see (the GET
// rows of routeCases that answer a role with a page) at 390 × 844 and asserts
// no sideways scrolling, no Content-Security-Policy violation and no axe-core
// violation of any impact. A new route needs its row in routeCases, so its
// page is walked here too.
func TestBrowserEveryPageOnAPhone(t *testing.T) {
	axe := axeSource(t)
	e := webtest.New(t)
	base := e.Listen()
	// Something in the lists: a label, a receipt, an address, a move.
	ownerPurchase("")(e)
	paidCharge("")(e)
	ownerEntry("")(e)
	seedCOAMove(e, "Walker")
	openFraudSignal(e)
	openAlert(e)
	openPaymentAlert(e)
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			p := newPhone(t, base, axe)
			p.as(e, role)
			for _, rc := range routeCases {
				if rc.method != http.MethodGet || rc.want[role] != http.StatusOK {
					continue
				}
				path := rc.path(e)
				resp := e.Do(role, http.MethodGet, path, nil)
				resp.Body.Close()
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				p.open(role, path)
			}
			// The states a page shows besides its first view.
			p.open(role+" not found", "/no-such-page")
			switch role {
			case "anon":
				p.formErrors("login", "/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}})
				p.formErrors("signup", "/signup", url.Values{"email": {"not an email"}})
			case "owner":
				p.open(role+" forbidden", "/admin/users")
				p.formErrors("purchase", "/postage", url.Values{"weight_oz": {"0"}})
				p.formErrors("password", "/account/password", url.Values{"current_password": {"x"}})
			}
		})
	}
}

// formErrors submits a form with bad values through the browser and checks
// the page that comes back with its messages.
func (p *phone) formErrors(label, path string, values url.Values) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.base+path)); err != nil {
		p.t.Fatalf("%s: %v", label, err)
	}
	var js strings.Builder
	js.WriteString(`(() => { const f = document.querySelector("main form[method=post]"); `)
	for k, vs := range values {
		b, _ := json.Marshal(k)
		v, _ := json.Marshal(vs[0])
		js.WriteString(`{ const el = f.elements[` + string(b) + `]; if (el) el.value = ` + string(v) + `; } `)
	}
	js.WriteString(`window.__before = true; f.noValidate = true; f.querySelector("[type=submit]").click(); return true })()`)
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js.String())); err != nil {
		p.t.Fatalf("%s: submit: %v", label, err)
	}
	// The answer is a new document: wait until the old one is gone.
	for {
		done, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`window.__before === undefined && document.readyState === "complete"`))
		if err == nil && done {
			break
		}
		if p.ctx.Err() != nil {
			p.t.Fatalf("%s: the form's answer never loaded", label)
		}
		chromedp.Do(p.ctx, chromedp.Sleep(50*time.Millisecond))
	}
	if r := p.check(p.t.Name() + " " + label + " with errors"); r.Errors == 0 {
		p.t.Errorf("%s: the form came back without a message", label)
	}
}

// On a phone the navigation is one "Menu" button that opens the links, with
// JavaScript off; on a wide screen the links show and the button does not.
func TestBrowserNavigationFoldsIntoAMenuWithoutJavaScript(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: request.SessionCookie, Value: e.Sessions["owner"][0], URL: base}); err != nil {
		t.Fatal(err)
	}
	shown := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const el = document.querySelector(`+strconvQuote(sel)+`); return !!el && el.getClientRects().length > 0 })()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/dashboard"))
	if err != nil {
		t.Fatal(err)
	}
	if shown(`nav[aria-label=Main] a[href="/labels"]`) || !shown(`label.menu-button`) {
		t.Fatalf("at 390 px the links show before the menu is opened, or there is no Menu button")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`label.menu-button`)); err != nil {
		t.Fatal(err)
	}
	if !shown(`nav[aria-label=Main] a[href="/labels"]`) || !shown(`form.logout button`) {
		t.Errorf("the Menu button does not open the links and the log-out button")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 800), chromedp.Navigate(base+"/dashboard")); err != nil {
		t.Fatal(err)
	}
	if !shown(`nav[aria-label=Main] a[href="/labels"]`) || shown(`label.menu-button`) {
		t.Errorf("at 1200 px the links should show without a Menu button")
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
