package web_test

import (
	"net/url"
	"slices"
)

// Ship-from addresses and package presets: every mailer reads them; those
// who buy postage (the owner and the clerk here) keep them. The label
// preview is the API's; a browser without a key is refused.
func init() {
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	rows := []routeCase{
		{"GET", "/account/ship-from", fixed("/account/ship-from"), nil, mailers(see, ok)},
		{"POST", "/account/ship-from", fixed("/account/ship-from"), url.Values{"nickname": {""}}, mailers(unauth, invalid)},
		{"GET", "/account/ship-from/:id", fixed("/account/ship-from/999999"), nil, mailers(see, notFound)},
		{"POST", "/account/ship-from/:id", fixed("/account/ship-from/999999"), url.Values{"nickname": {"Home"}}, mailers(unauth, notFound)},
		{"POST", "/account/ship-from/:id/state", fixed("/account/ship-from/999999/state"), url.Values{"state": {"archive"}}, mailers(unauth, notFound)},
		{"GET", "/api/v1/ship-from-addresses", fixed("/api/v1/ship-from-addresses"), nil, all(unauth)},
		{"POST", "/api/v1/ship-from-addresses", fixed("/api/v1/ship-from-addresses"), nil, all(unauth)},
		{"GET", "/api/v1/ship-from-addresses/:id", fixed("/api/v1/ship-from-addresses/1"), nil, all(unauth)},
		{"PATCH", "/api/v1/ship-from-addresses/:id", fixed("/api/v1/ship-from-addresses/1"), nil, all(unauth)},
		{"GET", "/account/presets", fixed("/account/presets"), nil, mailers(see, ok)},
		{"POST", "/account/presets", fixed("/account/presets"), url.Values{"name": {""}}, mailers(unauth, invalid)},
		{"POST", "/account/presets/:id/delete", fixed("/account/presets/999999/delete"), nil, mailers(unauth, notFound)},
		{"GET", "/api/v1/presets", fixed("/api/v1/presets"), nil, all(unauth)},
		{"POST", "/api/v1/presets", fixed("/api/v1/presets"), nil, all(unauth)},
		{"GET", "/api/v1/presets/:id", fixed("/api/v1/presets/1"), nil, all(unauth)},
		{"PATCH", "/api/v1/presets/:id", fixed("/api/v1/presets/1"), nil, all(unauth)},
		{"DELETE", "/api/v1/presets/:id", fixed("/api/v1/presets/1"), nil, all(unauth)},
		{"POST", "/api/v1/labels/preview", fixed("/api/v1/labels/preview"), nil, all(unauth)},
	}
	i := slices.IndexFunc(routeCases, func(rc routeCase) bool { return rc.route == "/logout" })
	if i < 0 {
		i = len(routeCases)
	}
	routeCases = slices.Insert(routeCases, i, rows...)
}
