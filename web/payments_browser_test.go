package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"indicia/payments"
	"indicia/web/webtest"
)

// The owner adds Stripe's test Visa on the billing page, switches the meter
// to trickle charging and buys a label on the purchase page: the card is
// charged for the postage plus the fee, the meter's balance is untouched,
// and the charge is on the billing page with its receipt.
func TestBrowserAddTestCardAndBuyTrickleLabel(t *testing.T) {
	e := webtest.New(t)
	base := e.Listen()
	ctx := webtest.Browser(t)
	id := strconv.FormatInt(e.Meter.ID, 10)
	err := chromedp.Do(ctx,
		logInAsOwner(base),
		chromedp.Navigate(base+"/billing"),
		chromedp.WaitVisible(`#payment_method`),
		chromedp.SetValue(`#payment_method`, "pm_card_visa"),
		chromedp.Click(`form[action="/billing/card"] button[type=submit]`),
		chromedp.WaitVisible(`p.card-on-file`),
	)
	if err != nil {
		t.Fatalf("add the test card: %v", err)
	}
	card, _ := chromedp.Run(ctx, chromedp.Text(`p.card-on-file`))
	if !strings.Contains(card, "visa ending 4242") {
		t.Fatalf("card on file shows %q", card)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(`#mode-`+id, "trickle"),
		chromedp.Click(`form[action="/billing/meters/`+id+`/funding"] button[type=submit]`),
	)
	if err != nil {
		t.Fatalf("switch to trickle: %v", err)
	}
	// The card's flash is already on the page: wait for the trickle mode itself.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#meter-`+id+` .mode-trickle`)); err != nil {
		t.Fatalf("the trickle setting was not confirmed: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/postage"),
		chromedp.WaitVisible("#purchase-form"),
		fill("#recipient_name", "Ann Lee"),
		fill("#recipient_address", "9 elm street, beverly hills ca 90210"),
		fill("#weight_oz", "1"),
	)
	if err != nil {
		t.Fatalf("fill the purchase form: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("price-total").textContent === "$0.78"`)); err != nil {
		t.Fatalf("live price: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#buy"), chromedp.WaitVisible("#download-pdf")); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text("main"))
		t.Fatalf("buy: %v\n%s", err, page)
	}
	if e.Stripe.SucceededCharges() != 1 {
		t.Fatalf("%d card charges, want 1", e.Stripe.SucceededCharges())
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/billing"), chromedp.WaitVisible(`table.charges`))
	if err != nil {
		t.Fatal(err)
	}
	charges, _ := chromedp.Run(ctx, chromedp.Text(`table.charges`))
	want := "$" + strconv.FormatFloat(float64(78+payments.DefaultFeePerPiece)/100, 'f', 2, 64)
	if !strings.Contains(charges, "Postage (trickle)") || !strings.Contains(charges, want) || !strings.Contains(charges, "paid") {
		t.Errorf("billing charges:\n%s\nwant a paid trickle charge of %s", charges, want)
	}
	bal, _ := chromedp.Run(ctx, chromedp.Text(`#meter-`+id))
	if !strings.Contains(bal, "$100.00") {
		t.Errorf("meter balance changed on a trickle purchase: %s", bal)
	}
}
