package web_test

import (
	"net/url"
	"slices"
)

func init() {
	staffOnly := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	rows := []routeCase{
		{"GET", "/coa/lists/template.csv", fixed("/coa/lists/template.csv"), nil, staffOnly(see, ok)},
		{"GET", "/addresses/template.csv", fixed("/addresses/template.csv"), nil, mailers(see, ok)},
		{"GET", "/cleanse/template.csv", fixed("/cleanse/template.csv"), nil, mailers(see, ok)},
		{"GET", "/coa/export", fixed("/coa/export?format=csv"), nil, mailers(see, ok)},
		// Nothing selected: back to /coa with a message.
		{"POST", "/coa/matches/bulk", fixed("/coa/matches/bulk"), url.Values{"action": {"accept-selected"}}, mailers(unauth, see)},
		// The API answers 401 to a session without a key; key cases are in api_coa_workflow_test.go.
		{"POST", "/api/v1/coa/matches/accept", fixed("/api/v1/coa/matches/accept"), nil, all(unauth)},
		{"POST", "/api/v1/coa/matches/dismiss", fixed("/api/v1/coa/matches/dismiss"), nil, all(unauth)},
		{"POST", "/api/v1/coa/lists", fixed("/api/v1/coa/lists"), nil, all(unauth)},
		{"GET", "/api/v1/coa/lists/:id", fixed("/api/v1/coa/lists/1"), nil, all(unauth)},
		{"GET", "/api/v1/addresses", fixed("/api/v1/addresses"), nil, all(unauth)},
		{"POST", "/api/v1/addresses", fixed("/api/v1/addresses"), nil, all(unauth)},
		{"POST", "/api/v1/addresses/import", fixed("/api/v1/addresses/import"), nil, all(unauth)},
		{"GET", "/api/v1/addresses/:id", fixed("/api/v1/addresses/1"), nil, all(unauth)},
		{"PATCH", "/api/v1/addresses/:id", fixed("/api/v1/addresses/1"), nil, all(unauth)},
		{"DELETE", "/api/v1/addresses/:id", fixed("/api/v1/addresses/1"), nil, all(unauth)},
		{"GET", "/api/v1/address-groups", fixed("/api/v1/address-groups"), nil, all(unauth)},
		{"POST", "/api/v1/address-groups", fixed("/api/v1/address-groups"), nil, all(unauth)},
		{"GET", "/api/v1/address-groups/:id", fixed("/api/v1/address-groups/1"), nil, all(unauth)},
		{"PATCH", "/api/v1/address-groups/:id", fixed("/api/v1/address-groups/1"), nil, all(unauth)},
		{"DELETE", "/api/v1/address-groups/:id", fixed("/api/v1/address-groups/1"), nil, all(unauth)},
	}
	// Before the logout row, which ends the sessions the rows use.
	i := slices.IndexFunc(routeCases, func(rc routeCase) bool { return rc.route == "/logout" })
	if i < 0 {
		i = len(routeCases)
	}
	routeCases = slices.Insert(routeCases, i, rows...)
}
