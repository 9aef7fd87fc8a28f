package web_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/web/webtest"
)

// A mailer filters the label list to letters, ticks three, reprints them as
// one 4x6 PDF whose three pages carry the three indicia, then voids two of
// them from the list.
func TestBrowserLabelHistoryFilterReprintVoid(t *testing.T) {
	e := webtest.New(t)
	letters := buyLetters(t, e, "FCM_LETTER", 78, 90, 150, 200, 55)
	priority := buyLetters(t, e, "PRIORITY", 1305)
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/labels"),
		chromedp.WaitVisible("#labels"),
		chromedp.Click(".label-filters summary"),
		chromedp.WaitVisible("#f-mail_class"),
		chromedp.SetValue("#f-mail_class", "FCM_LETTER"),
		chromedp.Click("#apply-filters"),
	)
	if err == nil {
		err = chromedp.Do(ctx, chromedp.WaitVisible("#filter-summary"), chromedp.WaitVisible(`#labels tr[data-label="`+letters[0]+`"]`))
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "mail_class=FCM_LETTER") {
		t.Errorf("the filter is not in the URL: %s", loc)
	}
	if err != nil {
		t.Fatalf("filter the list: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#labels tbody tr").length`))
	if err != nil || rows != len(letters) {
		t.Fatalf("the filtered list shows %d rows (%v), want the %d letters", rows, err, len(letters))
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#labels tr[data-label="`+priority[0]+`"]').length`)); n != 0 {
		t.Error("the Priority Mail label is still listed")
	}

	// Tick three labels and reprint them through the form, as its button would.
	picked := []string{letters[0], letters[2], letters[4]}
	for _, id := range picked {
		if err := chromedp.Do(ctx, chromedp.Click("#sel-"+id)); err != nil {
			t.Fatalf("tick %s: %v", id, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.SetValue("#bulk-format", "pdf-4x6")); err != nil {
		t.Fatal(err)
	}
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const form = document.getElementById("bulk-form");
		const body = new URLSearchParams(new FormData(form, document.getElementById("bulk-reprint")));
		return fetch(form.getAttribute("action"), {method: "POST", body, credentials: "same-origin"})
			.then(r => r.ok ? r.arrayBuffer() : r.text().then(t => { throw new Error(r.status + " " + t.slice(0, 2000)); }))
			.then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); });
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reprint the three labels: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the reprint is not a PDF (%d bytes, %v)", len(pdf), err)
	}
	if n := len(pdfPage.FindAllString(string(pdf), -1)); n != 3 {
		t.Fatalf("the merged PDF has %d pages, want 3", n)
	}
	printed := map[int64]bool{}
	for page := 1; page <= 3; page++ {
		in := verifyText(t, e, decodePDFPage(t, pdf, page))
		printed[int64(in.Postage)] = true
	}
	for _, want := range []int64{78, 150, 55} {
		if !printed[want] {
			t.Errorf("no page carries the %d-cent indicium (pages: %v)", want, printed)
		}
	}

	// Void two of them from the list.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/labels?mail_class=FCM_LETTER"),
		chromedp.WaitVisible("#labels"),
		chromedp.Click("#sel-"+letters[0]),
		chromedp.Click("#sel-"+letters[2]),
		chromedp.Click("#bulk-void"),
		chromedp.WaitVisible("#bulk-result"),
	)
	if err != nil {
		t.Fatalf("void two labels: %v", err)
	}
	result, _ := chromedp.Run(ctx, chromedp.Text("#bulk-result"))
	if !strings.Contains(result, "2 voided, 0 not voided") || !strings.Contains(result, letters[0]) || !strings.Contains(result, letters[2]) {
		t.Errorf("the void result says:\n%s", result)
	}
	page, _ := chromedp.Run(ctx, chromedp.Text("#labels"))
	if strings.Count(page, "Voided") != 2 {
		t.Errorf("the list after voiding shows %d voided labels, want 2:\n%s", strings.Count(page, "Voided"), page)
	}
}

// At 390 px the page does not scroll sideways: the filters fold to one
// column and the wide table scrolls inside its own box, its recipient column
// still readable.
func TestBrowserLabelHistoryAt390px(t *testing.T) {
	e := webtest.New(t)
	buyLetters(t, e, "FCM_LETTER", 78, 90)
	base := e.Listen()
	ctx := webtest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		logInAsOwner(base),
		chromedp.Navigate(base+"/labels?mail_class=FCM_LETTER"),
		chromedp.WaitVisible("#labels"),
		chromedp.WaitVisible("#f-recipient"),
	)
	if err != nil {
		t.Fatalf("open the list: %v", err)
	}
	for what, js := range map[string]string{
		"the page":         `document.documentElement.scrollWidth > window.innerWidth`,
		"the table's box":  `document.querySelector(".table-scroll").getBoundingClientRect().right > window.innerWidth`,
		"the filter form":  `document.getElementById("label-filters").getBoundingClientRect().right > window.innerWidth`,
		"the bulk buttons": `document.getElementById("bulk-void").getBoundingClientRect().right > window.innerWidth`,
	} {
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			t.Errorf("%s is wider than a 390 px screen", what)
		}
	}
	// The recipient stays readable: squeezed to the screen, its column once
	// showed one letter a line; now the table scrolls inside its box.
	to, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("#labels tbody td:nth-child(5)").getBoundingClientRect().width`))
	if err != nil {
		t.Fatal(err)
	}
	if to < 150 {
		t.Errorf("the recipient column is %.0f px wide at 390 px, want at least 150", to)
	}
}
