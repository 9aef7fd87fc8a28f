package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// The void page of a label paid by a trickle charge says the postage goes
// back to the card, as it does, not to the meter.
func TestVoidPageOfATrickleLabelSaysTheCardIsRefunded(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "POST", "/billing/card", url.Values{"payment_method": {"pm_card_visa"}})
	if r := e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"trickle"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set trickle: %d", r.StatusCode)
	}
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", oneLabel)
	if code != http.StatusCreated {
		t.Fatalf("trickle buy: %d %v", code, out)
	}
	id := out["labels"].([]any)[0].(map[string]any)["id"].(string)
	body := webtest.Body(t, e.Do("owner", "GET", "/labels/"+id+"/void", nil))
	if strings.Contains(body, "goes back to the meter") || !strings.Contains(body, "refunded to your card") {
		t.Fatalf("the void page of a card-paid label promises the wrong refund:\n%s", body)
	}

	// A prepaid label still says the meter.
	e.Do("owner", "POST", "/billing/meters/"+strconv.FormatInt(e.Meter.ID, 10)+"/funding", url.Values{"mode": {"prepaid"}})
	_, out = apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", oneLabel)
	id = out["labels"].([]any)[0].(map[string]any)["id"].(string)
	if body := webtest.Body(t, e.Do("owner", "GET", "/labels/"+id+"/void", nil)); !strings.Contains(body, "goes back to the meter") {
		t.Errorf("the void page of a prepaid label lost its refund line:\n%s", body)
	}
}
