package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/web/webtest"
)

// freshMeter makes a meter of the owner's account in the given lifecycle state.
func freshMeter(state, pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		ctx := context.Background()
		m, err := e.Metering.Manufacture(ctx, accounts.System, e.Owner.AccountID)
		if err == nil && state != "manufactured" {
			m, err = e.Metering.Register(ctx, accounts.System, m.ID, "10001")
		}
		if err == nil && state == "active" {
			m, err = e.Metering.Activate(ctx, accounts.System, m.ID)
		}
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", strconv.FormatInt(m.ID, 10), 1)
	}
}

func ownerMeter(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		return strings.Replace(pattern, ":id", strconv.FormatInt(e.Meter.ID, 10), 1)
	}
}

func openAlert(e *webtest.Env) string {
	var id int64
	err := e.Pool.QueryRow(context.Background(), `INSERT INTO tamper_alerts (meter_id, serial, reason, detail, created_at)
		VALUES ($1, $2, 'mac', 'test', now()) RETURNING id`, e.Meter.ID, e.Meter.Record.Serial).Scan(&id)
	if err != nil {
		e.T.Fatal(err)
	}
	return "/admin/alerts/" + strconv.FormatInt(id, 10) + "/resolve"
}

func init() {
	adminOnly := func(anon, code int) map[string]int { return only(anon, map[string]int{"admin": code}) }
	routeCases = append(routeCases,
		routeCase{"GET", "/.well-known/indicia/certs", fixed("/.well-known/indicia/certs"), nil, all(ok)},
		routeCase{"GET", "/.well-known/indicia/revocations", fixed("/.well-known/indicia/revocations"), nil, all(ok)},
		routeCase{"GET", "/admin/meters", fixed("/admin/meters"), nil, adminOnly(see, ok)},
		routeCase{"POST", "/admin/meters", func(e *webtest.Env) string { return "/admin/meters" }, url.Values{"customer_id": {"100001"}}, adminOnly(unauth, see)},
		routeCase{"GET", "/admin/meters/:id", ownerMeter("/admin/meters/:id"), nil, adminOnly(see, ok)},
		routeCase{"POST", "/admin/meters/:id/register", freshMeter("manufactured", "/admin/meters/:id/register"), url.Values{"origin_zip": {"10001"}}, adminOnly(unauth, see)},
		routeCase{"POST", "/admin/meters/:id/activate", freshMeter("registered", "/admin/meters/:id/activate"), nil, adminOnly(unauth, see)},
		routeCase{"POST", "/admin/meters/:id/suspend", freshMeter("active", "/admin/meters/:id/suspend"), url.Values{"reason": {"inspection"}}, adminOnly(unauth, see)},
		routeCase{"POST", "/admin/meters/:id/retire", freshMeter("active", "/admin/meters/:id/retire"), nil, adminOnly(unauth, see)},
		routeCase{"POST", "/admin/meters/:id/credit", ownerMeter("/admin/meters/:id/credit"), url.Values{"amount": {"5.25"}}, adminOnly(unauth, see)},
		routeCase{"GET", "/admin/alerts", fixed("/admin/alerts"), nil, adminOnly(see, ok)},
		routeCase{"GET", "/postal", fixed("/postal"), nil, only(see, map[string]int{"staff": ok, "admin": ok})},
		routeCase{"POST", "/postal/fraud/:id/resolve", openFraudSignal, url.Values{"resolution": {"reprint by the mailer"}}, only(unauth, map[string]int{"staff": see, "admin": see})},
		routeCase{"POST", "/admin/alerts/:id/resolve", openAlert, url.Values{"resolution": {"checked the record"}}, adminOnly(unauth, see)},
		// API routes answer 401 to a session without a key; the key cases are in api_metering_test.go.
		routeCase{"GET", "/api/v1/meters", fixed("/api/v1/meters"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/meters", fixed("/api/v1/meters"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/meters/:serial", fixed("/api/v1/meters/IN000000001"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/meters/:serial/:action", fixed("/api/v1/meters/IN000000001/activate"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/labels", fixed("/api/v1/labels"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/labels/:id", fixed("/api/v1/labels/l_x"), nil, all(unauth)},
	)
}
