package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"indicia/metering"
	"indicia/web/webtest"
)

// ownerLabel buys a fresh label on the owner's meter and puts its id in pattern.
func ownerLabel(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		p, err := e.Metering.Purchase(context.Background(), e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{
			Postage: 78, DestZIP: "90210", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST, BEVERLY HILLS CA 90210"}}}})
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.Replace(pattern, ":id", p.Labels[0].PublicID, 1)
	}
}

// staffKeyPath makes an API key of the postal staff user to revoke.
func staffKeyPath(e *webtest.Env) string {
	k, _, err := e.Acc.CreateAPIKey(context.Background(), e.Users["staff"], "scanner", nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return "/verify/keys/" + strconv.FormatInt(k.ID, 10) + "/revoke"
}

func init() {
	verifiers := func(anon, code int) map[string]int { return only(anon, map[string]int{"staff": code, "admin": code}) }
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	routeCases = append(routeCases,
		routeCase{"GET", "/verify", fixed("/verify"), nil, verifiers(see, ok)},
		// An unreadable text is still a verification: 200 with INVALID.
		routeCase{"POST", "/verify", fixed("/verify"), url.Values{"text": {"not an indicium"}}, verifiers(unauth, ok)},
		routeCase{"GET", "/verify/keys", fixed("/verify/keys"), nil, verifiers(see, ok)},
		routeCase{"POST", "/verify/keys", fixed("/verify/keys"), url.Values{"name": {""}}, verifiers(unauth, invalid)},
		// The admin cannot revoke the staff member's key: it is not theirs.
		routeCase{"POST", "/verify/keys/:id/revoke", staffKeyPath, nil, only(unauth, map[string]int{"staff": see, "admin": notFound})},
		routeCase{"GET", "/labels/:label_id/void", ownerLabel("/labels/:id/void"), nil, mailers(see, ok)},
		routeCase{"POST", "/labels/:label_id/void", ownerLabel("/labels/:id/void"), nil, mailers(unauth, see)},
		routeCase{"POST", "/api/v1/indicia/verify", fixed("/api/v1/indicia/verify"), nil, all(unauth)},
		routeCase{"POST", "/api/v1/labels/:id/void", fixed("/api/v1/labels/l_x/void"), nil, all(unauth)},
	)
}
