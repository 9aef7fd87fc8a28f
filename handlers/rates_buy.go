package handlers

import (
	"net/url"

	"indicia/metering/rating"
	"indicia/views"
)

// purchasePrefill are the purchase-form inputs a link may fill in: the rated
// piece carried from the rates comparison.
var purchasePrefill = []string{"class", "origin_zip", "weight_lb", "weight_oz", "length", "width", "height", "declared_value", "mailing_date", "recipient_name", "recipient_company", "recipient_address"}

// rateBuyLinks maps each domestic class that priced to the purchase page
// filled with the same piece, so a row of the comparison buys that class.
// International classes need a recipient abroad, which the purchase form
// does not take here.
func rateBuyLinks(f views.Form, services []string, quotes []views.QuoteVM) map[string]string {
	if f.V("country") != "" {
		return nil
	}
	out := map[string]string{}
	for _, q := range quotes {
		if !q.OK || q.Class == rating.ClassIntlLetter || q.Class == rating.ClassIntlLargeEnvelope {
			continue
		}
		v := url.Values{}
		for _, n := range purchasePrefill {
			if x := f.V(n); x != "" && n != "class" {
				v.Set(n, x)
			}
		}
		v.Set("class", q.Class)
		for _, s := range services {
			v.Add("services", s)
		}
		out[q.Class] = "/postage?" + v.Encode()
	}
	return out
}
