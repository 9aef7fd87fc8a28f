package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"indicia/handlers"
	"indicia/web"
)

// TestRouteTableRegistersEveryRow is the other half of
// TestRouteTableCoversEveryRoute, and needs no database: every route a role
// row expects is registered with its method and path, so one that goes
// missing from routes.go fails here rather than as a 404 deep in a browser test.
func TestRouteTableRegistersEveryRow(t *testing.T) {
	srv := web.New(web.Options{Handler: handlers.New(handlers.Deps{})})
	registered := map[string]bool{}
	for _, r := range srv.App.GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
	}
	for _, rc := range routeCases {
		if !registered[rc.method+" "+rc.route] {
			t.Errorf("%s %s has a row in routeCases but no route", rc.method, rc.route)
		}
	}
	// Outside the role table: the public routes a verifier and Stripe need.
	for _, want := range []string{"GET /.well-known/indicia/certs", "GET /.well-known/indicia/revocations", "POST /stripe/webhook"} {
		if !registered[want] {
			t.Errorf("%s is not registered", want)
		}
	}
}

// The Stripe stand-in never listens on the public address, even in test mode.
func TestNoStandInOnThePublicListener(t *testing.T) {
	srv := web.New(web.Options{Handler: handlers.New(handlers.Deps{TestMode: true}), TestMode: true})
	for _, r := range srv.App.GetRoutes(true) {
		if strings.Contains(r.Path, "stripe-stub") || strings.Contains(r.Path, "_stub") {
			t.Fatalf("%s %s is registered on the public listener", r.Method, r.Path)
		}
	}
}

// StripeElements widens the content security policy for Stripe's scripts
// and frames; without it pages load scripts from this site only.
func TestContentSecurityPolicyFollowsStripeElements(t *testing.T) {
	for _, elements := range []bool{false, true} {
		srv := web.New(web.Options{Handler: handlers.New(handlers.Deps{}), StripeElements: elements})
		resp, err := srv.App.Test(httptest.NewRequest("GET", "/healthz", nil))
		if err != nil {
			t.Fatal(err)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if got := strings.Contains(csp, "https://js.stripe.com"); got != elements {
			t.Errorf("StripeElements %v: policy %q", elements, csp)
		}
	}
}
