package web_test

import (
	"net/url"
	"strings"

	"indicia/web/webtest"
)

func init() {
	postal := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	meterFraud := func(e *webtest.Env) string {
		return strings.Replace(openFraudSignal(e), "/postal/fraud/", "/postal/meters/"+e.Meter.Record.Serial+"/fraud/", 1)
	}
	routeCases = append(routeCases,
		routeCase{"GET", "/postal/origins/:zip", fixed("/postal/origins/06901"), nil, postal(see, ok)},
		routeCase{"GET", "/postal/meters/:serial", func(e *webtest.Env) string { return "/postal/meters/" + e.Meter.Record.Serial }, nil, postal(see, ok)},
		routeCase{"POST", "/postal/meters/:serial/fraud/:id/resolve", meterFraud, url.Values{"resolution": {"reprint by the mailer"}}, postal(unauth, see)},
		routeCase{"GET", "/api/v1/postal/origins/:zip/meters", fixed("/api/v1/postal/origins/06901/meters"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/postal/meters/:serial", func(e *webtest.Env) string { return "/api/v1/postal/meters/" + e.Meter.Record.Serial }, nil, all(unauth)},
	)
}
