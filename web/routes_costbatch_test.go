package web_test

import (
	"net/url"
	"slices"
)

// Cost codes are managed by their owner (clerks lack "Manage cost codes");
// batch labels are bought by anyone who buys postage.
func init() {
	owner := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code}) }
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	rows := []routeCase{
		{"GET", "/account/cost-codes", fixed("/account/cost-codes"), nil, owner(see, ok)},
		{"POST", "/account/cost-codes", fixed("/account/cost-codes"), url.Values{"name": {""}}, owner(unauth, invalid)},
		{"POST", "/account/cost-codes/setting", fixed("/account/cost-codes/setting"), url.Values{"cost_code_required": {"on"}}, owner(unauth, invalid)},
		{"POST", "/account/cost-codes/:id", fixed("/account/cost-codes/999999"), url.Values{"name": {"Sales"}}, owner(unauth, notFound)},
		{"GET", "/api/v1/cost-codes", fixed("/api/v1/cost-codes"), nil, all(unauth)},
		{"POST", "/api/v1/cost-codes", fixed("/api/v1/cost-codes"), nil, all(unauth)},
		{"PATCH", "/api/v1/cost-codes/:id", fixed("/api/v1/cost-codes/1"), nil, all(unauth)},
		{"GET", "/postage/batch", fixed("/postage/batch"), nil, mailers(see, ok)},
		{"GET", "/postage/batch/template.csv", fixed("/postage/batch/template.csv"), nil, mailers(see, ok)},
		{"POST", "/postage/batch", fixed("/postage/batch"), url.Values{"action": {"check"}}, mailers(unauth, invalid)},
	}
	i := slices.IndexFunc(routeCases, func(rc routeCase) bool { return rc.route == "/logout" })
	if i < 0 {
		i = len(routeCases)
	}
	routeCases = slices.Insert(routeCases, i, rows...)
}
