package web_test

import (
	"context"
	"net/url"
	"strings"
	"time"

	"indicia/metering"
	"indicia/web/webtest"
)

func init() {
	postal := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	meterFraud := func(e *webtest.Env) string {
		return strings.Replace(openFraudSignal(e), "/postal/fraud/", "/postal/meters/"+e.Meter.Record.Serial+"/fraud/", 1)
	}
	routeCases = append(routeCases,
		routeCase{"GET", "/admin", fixed("/admin"), nil, only(see, map[string]int{"admin": ok})},
		routeCase{"GET", "/postal/tracking", fixed("/postal/tracking"), nil, postal(see, ok)},
		routeCase{"GET", "/api/v1/postal/tracking", fixed("/api/v1/postal/tracking"), nil, all(unauth)},
		routeCase{"GET", "/postal/forecasts", fixed("/postal/forecasts"), nil, postal(see, ok)},
		routeCase{"GET", "/postal/forecasts/:scope/:origin", withForecast("/postal/forecasts/zip/06901"), nil, postal(see, ok)},
		routeCase{"GET", "/api/v1/postal/forecasts", fixed("/api/v1/postal/forecasts"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/postal/forecasts/:scope/:origin", fixed("/api/v1/postal/forecasts/zip/06901"), nil, all(unauth)},
		routeCase{"GET", "/postal/origins/:zip", fixed("/postal/origins/06901"), nil, postal(see, ok)},
		routeCase{"GET", "/postal/meters/:serial", func(e *webtest.Env) string { return "/postal/meters/" + e.Meter.Record.Serial }, nil, postal(see, ok)},
		routeCase{"POST", "/postal/meters/:serial/fraud/:id/resolve", meterFraud, url.Values{"resolution": {"reprint by the mailer"}}, postal(unauth, see)},
		routeCase{"GET", "/api/v1/postal/origins/:zip/meters", fixed("/api/v1/postal/origins/06901/meters"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/postal/meters/:serial", func(e *webtest.Env) string { return "/api/v1/postal/meters/" + e.Meter.Record.Serial }, nil, all(unauth)},
	)
}

// withForecast buys a piece and makes today's forecasts, so the origin has one.
func withForecast(path string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		ctx := context.Background()
		if _, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: 78, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW"}}}}); err != nil {
			e.T.Fatal(err)
		}
		if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET created_at = now() - interval '20 days'`); err != nil {
			e.T.Fatal(err)
		}
		if _, err := e.Metering.RunForecasts(ctx, time.Now()); err != nil {
			e.T.Fatal(err)
		}
		return path
	}
}
