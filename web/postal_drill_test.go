package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/web/webtest"
)

// buyThree buys three pieces on the test meter (origin 06901).
func buyThree(t *testing.T, e *webtest.Env) []metering.Label {
	t.Helper()
	var pieces []metering.PieceRequest
	for range 3 {
		pieces = append(pieces, metering.PieceRequest{Postage: 78, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Name: "Pat Doe", Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500"}})
	}
	p, err := e.Metering.Purchase(context.Background(), e.Owner, metering.PurchaseRequest{Pieces: pieces})
	if err != nil {
		t.Fatal(err)
	}
	return p.Labels
}

func labelText(t *testing.T, l metering.Label) string {
	t.Helper()
	in, err := indicium.Parse(l.Indicium)
	if err != nil {
		t.Fatal(err)
	}
	return in.Text()
}

// A clerk drills from an origin ZIP to its meters and from a meter to its
// pieces, as a page and as JSON, and never sees a recipient.
func TestPostalDrillDownFromOriginToMeterToPieces(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	labels := buyThree(t, e)
	// One piece mailed (accepted at home), one voided, one still in process;
	// then the voided one is presented as postage.
	if _, err := e.Metering.Verify(ctx, e.Users["staff"], metering.VerifyRequest{Text: labelText(t, labels[0]), Location: "06901"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Metering.Void(ctx, e.Owner, labels[1].PublicID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Metering.Verify(ctx, e.Users["staff"], metering.VerifyRequest{Text: labelText(t, labels[1]), Location: "06901"}); err != nil {
		t.Fatal(err)
	}
	serial := e.Meter.Record.Serial

	body := webtest.Body(t, e.Do("staff", "GET", "/postal/origins/06901", nil))
	want := `<td><a href="/postal/meters/` + serial + `">` + serial + `</a></td><td>active</td><td>2</td><td class="money">$1.56</td><td>1</td><td>1</td><td>1</td>`
	if !strings.Contains(body, want) {
		t.Errorf("origin page lacks the meter row %s:\n%s", want, body)
	}
	code, out := apiCall(t, e, key(t, e, e.Users["staff"]), "GET", "/api/v1/postal/origins/06901/meters", "")
	ms, _ := out["meters"].([]any)
	if code != 200 || len(ms) != 1 {
		t.Fatalf("API origin: %d %v", code, out)
	}
	if m := ms[0].(map[string]any); m["meter_serial"] != serial || m["pieces"] != float64(2) || m["in_process"] != float64(1) || m["processed"] != float64(1) || m["voided"] != float64(1) {
		t.Errorf("API origin meter %v", m)
	}

	body = webtest.Body(t, e.Do("staff", "GET", "/postal/meters/"+serial, nil))
	for _, want := range []string{"<td>processed</td>", "<td>voided</td>", "<td>in process</td>", "Voided label scanned", "20500"} {
		if !strings.Contains(body, want) {
			t.Errorf("meter page lacks %q", want)
		}
	}
	code, out = apiCall(t, e, key(t, e, e.Users["staff"]), "GET", "/api/v1/postal/meters/"+serial, "")
	meter, _ := out["meter"].(map[string]any)
	pieces, _ := meter["pieces"].([]any)
	signals, _ := out["fraud_signals"].([]any)
	if code != 200 || len(pieces) != 3 || len(signals) != 1 || signals[0].(map[string]any)["kind"] != metering.FraudVoidedScanned {
		t.Fatalf("API meter: %d %v", code, out)
	}
	for _, page := range []string{body, webtest.Body(t, e.Do("staff", "GET", "/postal/origins/06901", nil))} {
		if strings.Contains(page, "PENNSYLVANIA") || strings.Contains(page, "Pat Doe") {
			t.Error("a postal page shows the recipient")
		}
	}

	// Mailers see none of it; an unknown meter or ZIP is not found.
	if r := e.Do("owner", "GET", "/postal/meters/"+serial, nil); r.StatusCode != 403 {
		t.Errorf("mailer on the meter page: %d", r.StatusCode)
	}
	if code, _ := apiCall(t, e, key(t, e, e.Owner), "GET", "/api/v1/postal/meters/"+serial, ""); code != 403 {
		t.Errorf("mailer key: %d", code)
	}
	if r := e.Do("staff", "GET", "/postal/meters/NOPE", nil); r.StatusCode != 404 {
		t.Errorf("unknown meter: %d", r.StatusCode)
	}
	if r := e.Do("staff", "GET", "/postal/origins/abcde", nil); r.StatusCode != 404 {
		t.Errorf("not a ZIP: %d", r.StatusCode)
	}
	if r := e.Do("staff", "GET", "/postal/origins/06901?days=0", nil); r.StatusCode != 422 {
		t.Errorf("bad period: %d", r.StatusCode)
	}
}

// A postal clerk on a phone goes from a fraud signal on /postal to its
// meter and resolves the signal there.
func TestBrowserClerkResolvesAFraudSignalFromTheMeter(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	labels := buyThree(t, e)
	if _, err := e.Metering.Void(ctx, e.Owner, labels[0].PublicID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Metering.Verify(ctx, e.Users["staff"], metering.VerifyRequest{Text: labelText(t, labels[0]), Location: "06901", PieceRef: "TRAY-7"}); err != nil {
		t.Fatal(err)
	}
	serial := e.Meter.Record.Serial
	base := e.Listen()
	bctx := webtest.Browser(t)
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/login"),
		fill("#email", "staff@example.com"),
		fill("#password", webtest.Passwords["staff"]),
		chromedp.Click(`main button[type=submit]`),
		chromedp.WaitReady(`form.logout`),
		chromedp.Navigate(base+"/postal"),
		chromedp.WaitVisible(`#fraud`),
		chromedp.Click(`#fraud a[href="/postal/meters/`+serial+`"]`),
		chromedp.WaitVisible(`#meter-fraud`),
	)
	if err != nil {
		t.Fatalf("from the signal to the meter: %v", err)
	}
	text, err := chromedp.Run(bctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Meter "+serial) || !strings.Contains(text, "Voided label scanned") || !strings.Contains(text, "TRAY-7") {
		t.Fatalf("the meter page shows:\n%s", text)
	}
	wide, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		t.Errorf("the meter page is wider than a 390 px screen")
	}
	err = chromedp.Do(bctx,
		fill(`#meter-fraud input[name=resolution]`, "Mailer reprinted a voided label; warned them."),
		chromedp.Click(`#meter-fraud button[type=submit]`),
		chromedp.WaitVisible(`p.flash`),
	)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	text, err = chromedp.Run(bctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Fraud signal resolved.") || !strings.Contains(text, "by Sam Staff: Mailer reprinted a voided label; warned them.") {
		t.Errorf("after resolving, the meter page shows:\n%s", text)
	}
	if n, _ := e.Metering.OpenFraudSignals(ctx, e.Users["staff"]); n != 0 {
		t.Errorf("%d signals still open", n)
	}
}
