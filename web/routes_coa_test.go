package web_test

import (
	"net/url"
	"strconv"
	"strings"

	"indicia/web/webtest"
)

// freshCOAMatch puts a new entry in the owner's book and a list that moves
// it, and returns pattern with :id replaced by the pending match.
func freshCOAMatch(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		m := seedCOAMove(e, "Route")
		return strings.Replace(pattern, ":id", strconv.FormatInt(m, 10), 1)
	}
}

// freshCOAList loads a new one-row list and returns pattern with its ID.
func freshCOAList(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		id := loadCOAList(e, "family,,,Listonly,,5 Route St,,,,06901,6 Route St,,,,06902,2026-06,,")
		return strings.Replace(pattern, ":id", strconv.FormatInt(id, 10), 1)
	}
}

func init() {
	staffOnly := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	routeCases = append(routeCases,
		routeCase{"GET", "/coa/lists", fixed("/coa/lists"), nil, staffOnly(see, ok)},
		// No file: the form comes back with the message (422) for staff.
		routeCase{"POST", "/coa/lists", fixed("/coa/lists"), url.Values{"source": {"USPS"}}, staffOnly(unauth, 422)},
		routeCase{"GET", "/coa/lists/:id", freshCOAList("/coa/lists/:id"), nil, staffOnly(see, ok)},
		routeCase{"POST", "/coa/lists/:id/withdraw", freshCOAList("/coa/lists/:id/withdraw"), nil, staffOnly(unauth, see)},
		routeCase{"GET", "/coa", fixed("/coa"), nil, mailers(see, ok)},
		routeCase{"POST", "/coa/matches/:id/accept", freshCOAMatch("/coa/matches/:id/accept"), nil, mailers(unauth, see)},
		routeCase{"POST", "/coa/matches/:id/dismiss", freshCOAMatch("/coa/matches/:id/dismiss"), nil, mailers(unauth, see)},
		// API routes answer 401 to a session without a key; key cases are in coa_test.go.
		routeCase{"GET", "/api/v1/coa/matches", fixed("/api/v1/coa/matches"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/coa/matches/:id/accept", fixed("/api/v1/coa/matches/1/accept"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/coa/matches/:id/dismiss", fixed("/api/v1/coa/matches/1/dismiss"), nil, all(unauth)},
	)
}
