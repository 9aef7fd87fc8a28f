package web_test

import (
	"context"
	"net/url"
	"time"

	"indicia/web/webtest"
)

// ownerStatement makes the owner's statement for last month and gives the
// path of one of its files.
func ownerStatement(prefix, suffix string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		ctx := context.Background()
		if _, err := e.App.Reports.GenerateStatements(ctx, time.Now().UTC(), nil, ""); err != nil {
			e.T.Fatal(err)
		}
		sts, err := e.App.Reports.Statements(ctx, e.Owner, 0)
		if err != nil || len(sts) == 0 {
			e.T.Fatalf("no statement: %v", err)
		}
		return prefix + sts[0].PublicID + suffix
	}
}

func init() {
	readers := func(code int) map[string]int { return only(see, map[string]int{"owner": code, "admin": code}) }
	routeCases = append(routeCases,
		routeCase{"GET", "/reports", fixed("/reports"), nil, readers(ok)},
		routeCase{"GET", "/reports/:kind/:format", fixed("/reports/register/csv"), nil, readers(ok)},
		routeCase{"GET", "/reports/statements/:id/:format", ownerStatement("/reports/statements/", "/pdf"), nil, readers(ok)},
		// Owners always get the statement; the opt-in is a mailer user's, and the clerk lacks Export reports.
		routeCase{"POST", "/reports/statement-emails", fixed("/reports/statement-emails"), url.Values{"statement_emails": {"1"}}, only(unauth, nil)},
		routeCase{"GET", "/postal/revenue", fixed("/postal/revenue"), nil, only(see, map[string]int{"staff": ok, "admin": ok})},
		routeCase{"GET", "/postal/revenue/:format", fixed("/postal/revenue/csv"), nil, only(see, map[string]int{"staff": ok, "admin": ok})},
		// The API uses keys, not sessions.
		routeCase{"GET", "/api/v1/reports/:kind", fixed("/api/v1/reports/register"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/statements", fixed("/api/v1/statements"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/statements/:id", fixed("/api/v1/statements/st_x"), nil, all(unauth)},
	)
}
