package web_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"indicia/web/webtest"
)

// ownerEntry makes an address-book entry of the owner's account.
func ownerEntry(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		var id int64
		err := e.Pool.QueryRow(context.Background(), `INSERT INTO address_book (account_id, name, line1, city, state, zip, status, created_at, updated_at)
			VALUES ($1, 'Route Row', '1 MAIN ST', 'STAMFORD', 'CT', '06901', 'valid', now(), now()) RETURNING id`, e.Owner.AccountID).Scan(&id)
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", strconv.FormatInt(id, 10), 1)
	}
}

// ownerGroup makes an empty saved group of the owner's account.
func ownerGroup(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		var id int64
		err := e.Pool.QueryRow(context.Background(), `INSERT INTO address_groups (account_id, name) VALUES ($1, 'Route group ' || gen_random_uuid())
			RETURNING id`, e.Owner.AccountID).Scan(&id)
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", strconv.FormatInt(id, 10), 1)
	}
}

// freshGroupToRename is ownerGroup for the rename row, which every role
// sends with the same new name: the group an earlier role renamed gives the
// name up first, since names are unique in an account.
func freshGroupToRename(pattern string) func(*webtest.Env) string {
	group := ownerGroup(pattern)
	return func(e *webtest.Env) string {
		if _, err := e.Pool.Exec(context.Background(), `UPDATE address_groups SET name = 'Renamed before ' || gen_random_uuid()
			WHERE account_id = $1 AND name = 'Renamed'`, e.Owner.AccountID); err != nil {
			e.T.Fatal(err)
		}
		return group(e)
	}
}

// ownerBatch makes a finished, empty cleansing batch of the owner's account.
func ownerBatch(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		var id int64
		err := e.Pool.QueryRow(context.Background(), `INSERT INTO cleanse_batches (account_id, created_by, filename, finished_at, created_at)
			VALUES ($1, $2, 'rows.csv', now(), now()) RETURNING id`, e.Owner.AccountID, e.Owner.ID).Scan(&id)
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", strconv.FormatInt(id, 10), 1)
	}
}

func init() {
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	entry := url.Values{"name": {"Row"}, "line1": {"1 Main St"}, "city": {"Stamford"}, "state": {"CT"}, "zip": {"06901"}, "decision": {"mine"}}
	rows := []routeCase{
		routeCase{"POST", "/api/v1/addresses/verify", fixed("/api/v1/addresses/verify"), nil, all(unauth)},
		routeCase{"POST", "/addresses/check", fixed("/addresses/check"), url.Values{"line1": {"1 Main St"}, "zip": {"06901"}}, mailers(unauth, ok)},
		routeCase{"GET", "/addresses", fixed("/addresses"), nil, mailers(see, ok)},
		routeCase{"POST", "/addresses", fixed("/addresses"), entry, mailers(unauth, see)},
		routeCase{"GET", "/addresses/new", fixed("/addresses/new"), nil, mailers(see, ok)},
		routeCase{"GET", "/addresses/export", fixed("/addresses/export?format=csv"), nil, mailers(see, ok)},
		routeCase{"POST", "/addresses/import", fixed("/addresses/import"), nil, mailers(unauth, invalid)},
		routeCase{"GET", "/addresses/:id", ownerEntry("/addresses/:id"), nil, mailers(see, ok)},
		routeCase{"POST", "/addresses/:id", ownerEntry("/addresses/:id"), entry, mailers(unauth, see)},
		routeCase{"POST", "/addresses/:id/delete", ownerEntry("/addresses/:id/delete"), nil, mailers(unauth, see)},
		routeCase{"POST", "/addresses/groups", fixed("/addresses/groups"), url.Values{"name": {"Route group"}}, mailers(unauth, invalid)},
		routeCase{"POST", "/addresses/groups/add", fixed("/addresses/groups/add"), nil, mailers(unauth, notFound)},
		routeCase{"GET", "/addresses/groups/:id", ownerGroup("/addresses/groups/:id"), nil, mailers(see, ok)},
		routeCase{"POST", "/addresses/groups/:id", freshGroupToRename("/addresses/groups/:id"), url.Values{"action": {"rename"}, "name": {"Renamed"}}, mailers(unauth, see)},
		routeCase{"POST", "/addresses/groups/:id/delete", ownerGroup("/addresses/groups/:id/delete"), nil, mailers(unauth, see)},
		routeCase{"GET", "/cleanse", fixed("/cleanse"), nil, mailers(see, ok)},
		routeCase{"POST", "/cleanse", fixed("/cleanse"), nil, mailers(unauth, invalid)},
		routeCase{"GET", "/cleanse/:id", ownerBatch("/cleanse/:id"), nil, mailers(see, ok)},
		routeCase{"GET", "/cleanse/:id/download", ownerBatch("/cleanse/:id/download?format=xlsx"), nil, mailers(see, ok)},
	}
	// Before the logout row, which ends the sessions the rows use.
	i := slices.IndexFunc(routeCases, func(rc routeCase) bool { return rc.route == "/logout" })
	if i < 0 {
		i = len(routeCases)
	}
	routeCases = slices.Insert(routeCases, i, rows...)
}
