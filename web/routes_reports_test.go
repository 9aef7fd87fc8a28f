package web_test

func init() {
	readers := func(code int) map[string]int { return only(see, map[string]int{"owner": code, "admin": code}) }
	routeCases = append(routeCases,
		routeCase{"GET", "/reports", fixed("/reports"), nil, readers(ok)},
		routeCase{"GET", "/reports/:kind/:format", fixed("/reports/register/csv"), nil, readers(ok)},
		// The API uses keys, not sessions.
		routeCase{"GET", "/api/v1/reports/:kind", fixed("/api/v1/reports/register"), nil, all(unauth)},
	)
}
