package web_test

import (
	"context"
	"net/url"
	"strings"

	"indicia/metering"
	"indicia/web/webtest"
)

// ownerPurchase buys one letter on the owner's meter and fills :id (the
// purchase) or :label (its label) into pattern.
func ownerPurchase(pattern string) func(*webtest.Env) string {
	return func(e *webtest.Env) string {
		p, err := e.Metering.Purchase(context.Background(), e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{
			Postage: 78, MailClass: "FCM_LETTER", DestZIP: "90210",
			Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"ANN LEE", "9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST, BEVERLY HILLS CA 90210"},
		}}})
		if err != nil {
			e.T.Fatal(err)
		}
		return strings.NewReplacer(":id", p.PublicID, ":label", p.Labels[0].PublicID).Replace(pattern)
	}
}

func init() {
	mailers := func(anon, code int) map[string]int { return only(anon, map[string]int{"owner": code, "clerk": code}) }
	routeCases = append(routeCases,
		// API routes answer 401 to a session without a key; key cases are in labels_test.go.
		routeCase{"POST", "/api/v1/rates", fixed("/api/v1/rates"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/labels", fixed("/api/v1/labels"), nil, all(unauth)},
		routeCase{"POST", "/labels/bulk", fixed("/labels/bulk"), url.Values{"action": {"reprint"}}, mailers(unauth, invalid)},
		routeCase{"GET", "/api/v1/labels/:id/file", fixed("/api/v1/labels/l_x/file"), nil, all(unauth)},
		routeCase{"GET", "/api/v1/purchases/:id/file", fixed("/api/v1/purchases/p_x/file"), nil, all(unauth)},
		routeCase{"GET", "/rates", fixed("/rates?dest_zip=90210&weight_oz=1"), nil, mailers(see, ok)},
		routeCase{"GET", "/postage", fixed("/postage"), nil, mailers(see, ok)},
		routeCase{"POST", "/postage", fixed("/postage"), url.Values{"action": {"quote"}}, mailers(unauth, invalid)},
		routeCase{"POST", "/postage/quote", fixed("/postage/quote"), url.Values{"weight_oz": {"1"}}, mailers(unauth, invalid)},
		routeCase{"GET", "/labels", fixed("/labels"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/l/:file", ownerPurchase("/labels/l/:label.png"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/:id", ownerPurchase("/labels/:id"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/:id/print", ownerPurchase("/labels/:id/print"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/:id/label.pdf", ownerPurchase("/labels/:id/label.pdf?layout=letter"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/:id/label.png", ownerPurchase("/labels/:id/label.png?piece=1"), nil, mailers(see, ok)},
		routeCase{"GET", "/labels/:id/label.zpl", ownerPurchase("/labels/:id/label.zpl"), nil, mailers(see, ok)},
	)
}
