package web_test

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"indicia/web/webtest"
)

// paidCharge gives the path of a receipt of the owner's paid top-up.
func paidCharge(suffix string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		ctx := context.Background()
		if _, err := e.Payments.SaveCard(ctx, e.Owner, "pm_card_visa"); err != nil {
			e.T.Fatal(err)
		}
		c, err := e.Payments.TopUp(ctx, e.Owner, e.Meter.ID, 20_00, "")
		if err != nil {
			e.T.Fatal(err)
		}
		return "/billing/receipts/" + c.PublicID + suffix
	}
}

// openPaymentAlert makes an open payment alert on the owner's meter and gives its resolve path.
func openPaymentAlert(e *webtest.Env) string {
	var id int64
	err := e.Pool.QueryRow(context.Background(), `INSERT INTO payment_alerts (account_id, meter_id, kind, detail, created_at)
		VALUES ($1, $2, 'stranded', 'test', now()) RETURNING id`, e.Owner.AccountID, e.Meter.ID).Scan(&id)
	if err != nil {
		e.T.Fatal(err)
	}
	return "/postal/settlement/alerts/" + strconv.FormatInt(id, 10) + "/resolve"
}

func init() {
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	ownerOnly := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code}) }
	postal := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	today := time.Now().UTC().Format(time.DateOnly)
	routeCases = append(routeCases,
		// The webhook is public and CSRF-free: Stripe's signature is its only key.
		routeCase{"POST", "/stripe/webhook", fixed("/stripe/webhook"), nil, all(400)},
		routeCase{"GET", "/billing", fixed("/billing"), nil, mailers(see, ok)},
		routeCase{"GET", "/billing/stripe.js", fixed("/billing/stripe.js"), nil, mailers(see, ok)},
		routeCase{"GET", "/billing/receipts/:id", paidCharge(""), nil, mailers(see, ok)},
		routeCase{"GET", "/billing/receipts/:id/pdf", paidCharge("/pdf"), nil, mailers(see, ok)},
		// The API uses keys, not sessions.
		routeCase{"GET", "/api/v1/charges/:id", fixed("/api/v1/charges/ch_x"), nil, all(unauth)},
		routeCase{"POST", "/billing/card", fixed("/billing/card"), url.Values{"payment_method": {"pm_card_visa"}}, ownerOnly(unauth, see)},
		routeCase{"POST", "/billing/card/remove", fixed("/billing/card/remove"), nil, ownerOnly(unauth, see)},
		routeCase{"GET", "/billing/card/new", fixed("/billing/card/new"), nil, ownerOnly(see, see)},
		routeCase{"GET", "/billing/card/done", fixed("/billing/card/done?setup_intent=seti_unknown"), nil, ownerOnly(see, see)},
		routeCase{"POST", "/billing/meters/:id/funding", ownerMeter("/billing/meters/:id/funding"), url.Values{"mode": {"prepaid"}}, ownerOnly(unauth, see)},
		routeCase{"POST", "/billing/meters/:id/topup", ownerMeter("/billing/meters/:id/topup"), url.Values{"amount": {""}}, ownerOnly(unauth, invalid)},
		routeCase{"GET", "/postal/settlement", fixed("/postal/settlement"), nil, postal(see, ok)},
		routeCase{"GET", "/postal/settlement/:day/csv", fixed("/postal/settlement/" + today + "/csv"), nil, postal(see, ok)},
		routeCase{"POST", "/postal/settlement", fixed("/postal/settlement"), url.Values{"day": {today}}, only(unauth, map[string]int{"admin": see})},
		routeCase{"POST", "/postal/settlement/alerts/:id/resolve", openPaymentAlert, url.Values{"resolution": {"refunded by hand"}}, only(unauth, map[string]int{"admin": see})},
	)
}
