package web_test

import (
	"cmp"
	"context"
	"indicia/web/webtest"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/jobs"
)

var roles = []string{"anon", "owner", "clerk", "staff", "admin"}

// routeCase is one route and the status each role gets. path builds the URL
// (and any target object) fresh for every role, so destructive routes do not
// depend on each other.
type routeCase struct {
	method, route string
	path          func(e *webtest.Env) string
	form          url.Values
	want          map[string]int
}

func fixed(p string) func(*webtest.Env) string { return func(*webtest.Env) string { return p } }

// victim makes a fresh mailer user of the owner's account to act on.
func victim(suffix string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		u, _, err := e.Acc.InviteUser(context.Background(), e.Owner, accounts.InviteInput{
			Email: "victim" + strconv.Itoa(len(e.Users)) + "@example.com", Name: "Vic Tim", Permissions: []string{"buy_postage"}})
		if err != nil {
			e.T.Fatal(err)
		}
		e.Users["victim"+u.Email] = u
		return strings.Replace(suffix, ":id", strconv.FormatInt(u.ID, 10), 1)
	}
}

func ownerJob(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		id, err := e.Jobs.Submit(context.Background(), jobs.New{Kind: "test", CreatedBy: e.Owner.ID, AccountID: e.Owner.AccountID})
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", strconv.FormatInt(id, 10), 1)
	}
}

func deadJob(e *webtest.Env) string {
	p := ownerJob("/admin/jobs/:id/retry")(e)
	id := strings.Split(p, "/")[3]
	if _, err := e.Pool.Exec(context.Background(), `UPDATE jobs SET status = 'dead' WHERE id = $1`, id); err != nil {
		e.T.Fatal(err)
	}
	return p
}

func apiKeyPath(e *webtest.Env) string {
	k, _, err := e.Acc.CreateAPIKey(context.Background(), e.Owner, "k", []string{"buy_postage"})
	if err != nil {
		e.T.Fatal(err)
	}
	return "/account/api-keys/" + strconv.FormatInt(k.ID, 10) + "/revoke"
}

const (
	ok       = http.StatusOK
	see      = http.StatusSeeOther
	unauth   = http.StatusUnauthorized
	forbid   = http.StatusForbidden
	notFound = http.StatusNotFound
	invalid  = http.StatusUnprocessableEntity
)

func all(code int) map[string]int {
	return map[string]int{"anon": code, "owner": code, "clerk": code, "staff": code, "admin": code}
}

func loggedIn(code int) map[string]int {
	return map[string]int{"anon": see, "owner": code, "clerk": code, "staff": code, "admin": code}
}

func only(anon int, allowed map[string]int) map[string]int {
	m := map[string]int{"anon": anon, "owner": forbid, "clerk": forbid, "staff": forbid, "admin": forbid}
	for k, v := range allowed {
		m[k] = v
	}
	return m
}

var routeCases = []routeCase{
	{"GET", "/healthz", fixed("/healthz"), nil, all(ok)},
	{"GET", "/readyz", fixed("/readyz"), nil, all(ok)},
	{"GET", "/metrics", fixed("/metrics"), nil, all(unauth)},
	{"GET", "/", fixed("/"), nil, map[string]int{"anon": ok, "owner": see, "clerk": see, "staff": see, "admin": see}},
	{"GET", "/signup", fixed("/signup"), nil, all(ok)},
	{"POST", "/signup", fixed("/signup"), url.Values{"email": {"bad"}}, all(invalid)},
	{"GET", "/login", fixed("/login"), nil, map[string]int{"anon": ok, "owner": see, "clerk": see, "staff": see, "admin": see}},
	{"POST", "/login", fixed("/login"), url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}}, all(unauth)},
	{"GET", "/password/forgot", fixed("/password/forgot"), nil, all(ok)},
	{"POST", "/password/forgot", fixed("/password/forgot"), url.Values{"email": {"bad"}}, all(invalid)},
	{"GET", "/password/reset/:token", fixed("/password/reset/unknown"), nil, all(notFound)},
	{"POST", "/password/reset/:token", fixed("/password/reset/unknown"), url.Values{"password": {"a long new passphrase"}}, all(notFound)},
	{"GET", "/verify-email/:token", fixed("/verify-email/unknown"), nil, all(notFound)},
	{"GET", "/account/verify-email", fixed("/account/verify-email"), nil, loggedIn(ok)},
	{"POST", "/account/verify-email", fixed("/account/verify-email"), nil, map[string]int{"anon": unauth, "owner": see, "clerk": see, "staff": see, "admin": see}},
	{"GET", "/invite/:token", fixed("/invite/unknown"), nil, all(ok)},
	{"POST", "/invite/:token", fixed("/invite/unknown"), url.Values{"password": {"long enough password"}}, all(notFound)},
	{"GET", "/dashboard", fixed("/dashboard"), nil, loggedIn(ok)},
	{"GET", "/account/password", fixed("/account/password"), nil, loggedIn(ok)},
	{"POST", "/account/password", fixed("/account/password"), url.Values{"current_password": {"x"}}, map[string]int{"anon": unauth, "owner": invalid, "clerk": invalid, "staff": invalid, "admin": invalid}},
	{"GET", "/account/logins", fixed("/account/logins"), nil, loggedIn(ok)},
	{"GET", "/account/users", fixed("/account/users"), nil, only(see, map[string]int{"owner": ok})},
	{"POST", "/account/users", fixed("/account/users"), url.Values{"email": {"x"}}, only(unauth, map[string]int{"owner": invalid})},
	{"GET", "/account/users/:id", victim("/account/users/:id"), nil, only(see, map[string]int{"owner": ok})},
	{"POST", "/account/users/:id", victim("/account/users/:id"), url.Values{"name": {"New Name"}}, only(unauth, map[string]int{"owner": see})},
	{"GET", "/account/users/:id/disable", victim("/account/users/:id/disable"), nil, only(see, map[string]int{"owner": ok})},
	{"POST", "/account/users/:id/disable", victim("/account/users/:id/disable"), url.Values{"confirm": {"yes"}}, only(unauth, map[string]int{"owner": see})},
	{"POST", "/account/users/:id/enable", victim("/account/users/:id/enable"), nil, only(unauth, map[string]int{"owner": see})},
	{"POST", "/account/users/:id/delete", victim("/account/users/:id/delete"), nil, only(unauth, map[string]int{"owner": see})},
	{"GET", "/account/api-keys", fixed("/account/api-keys"), nil, only(see, map[string]int{"owner": ok})},
	{"POST", "/account/api-keys", fixed("/account/api-keys"), url.Values{"name": {""}}, only(unauth, map[string]int{"owner": invalid})},
	{"POST", "/account/api-keys/:id/revoke", apiKeyPath, nil, only(unauth, map[string]int{"owner": see})},
	{"GET", "/admin/users", fixed("/admin/users"), nil, only(see, map[string]int{"admin": ok})},
	{"GET", "/admin/users/new", fixed("/admin/users/new"), nil, only(see, map[string]int{"admin": ok})},
	{"POST", "/admin/users/new", fixed("/admin/users/new"), url.Values{"role": {"postal_staff"}}, only(unauth, map[string]int{"admin": invalid})},
	{"GET", "/admin/users/:id", victim("/admin/users/:id"), nil, only(see, map[string]int{"admin": ok})},
	{"POST", "/admin/users/:id", victim("/admin/users/:id"), url.Values{"name": {"Renamed"}}, only(unauth, map[string]int{"admin": see})},
	{"GET", "/admin/users/:id/disable", victim("/admin/users/:id/disable"), nil, only(see, map[string]int{"admin": ok})},
	{"POST", "/admin/users/:id/disable", victim("/admin/users/:id/disable"), url.Values{"confirm": {"yes"}}, only(unauth, map[string]int{"admin": see})},
	{"POST", "/admin/users/:id/enable", victim("/admin/users/:id/enable"), nil, only(unauth, map[string]int{"admin": see})},
	{"POST", "/admin/users/:id/delete", victim("/admin/users/:id/delete"), nil, only(unauth, map[string]int{"admin": see})},
	{"GET", "/jobs/:id", ownerJob("/jobs/:id"), nil, map[string]int{"anon": see, "owner": ok, "clerk": notFound, "staff": notFound, "admin": ok}},
	{"GET", "/jobs/:id/status", ownerJob("/jobs/:id/status"), nil, map[string]int{"anon": see, "owner": ok, "clerk": notFound, "staff": notFound, "admin": ok}},
	{"GET", "/admin/jobs", fixed("/admin/jobs"), nil, only(see, map[string]int{"admin": ok})},
	{"POST", "/admin/jobs/:id/retry", deadJob, nil, only(unauth, map[string]int{"admin": see})},
	{"GET", "/api/v1/jobs/:id", ownerJob("/api/v1/jobs/:id"), nil, all(unauth)},
	// The API uses keys, not sessions: a logged-in browser without a key is refused.
	{"GET", "/api/v1/account", fixed("/api/v1/account"), nil, all(unauth)},
	{"POST", "/logout", fixed("/logout"), nil, map[string]int{"anon": unauth, "owner": see, "clerk": see, "staff": see, "admin": see}},
}

func TestEveryRouteForEveryRole(t *testing.T) {
	e := webtest.New(t)
	// Logging out ends the session the other rows use: run it last.
	cases := slices.Clone(routeCases)
	slices.SortStableFunc(cases, func(a, b routeCase) int {
		return cmp.Compare(boolInt(a.route == "/logout"), boolInt(b.route == "/logout"))
	})
	for _, rc := range cases {
		for _, role := range roles {
			form := url.Values{}
			for k, v := range rc.form {
				form[k] = v
			}
			resp := e.Do(role, rc.method, rc.path(e), form)
			if want := rc.want[role]; resp.StatusCode != want {
				t.Errorf("%s %s as %s: status %d, want %d", rc.method, rc.route, role, resp.StatusCode, want)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRouteTableCoversEveryRoute fails when a route is added without a row above.
func TestRouteTableCoversEveryRoute(t *testing.T) {
	e := webtest.New(t)
	covered := map[string]bool{}
	for _, rc := range routeCases {
		covered[rc.method+" "+rc.route] = true
	}
	for _, r := range e.Srv.App.GetRoutes(true) {
		if r.Method == "HEAD" || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no row in routeCases", r.Method, r.Path)
		}
	}
}
