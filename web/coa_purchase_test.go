package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// A recipient who moved is shown with the new address before any postage is
// bought: buying to the old address needs an explicit confirmation.
func TestPurchasePageWarnsBeforeBuyingForAMovedRecipient(t *testing.T) {
	e := webtest.New(t)
	loadCOAList(e, "individual,Robert,,Movewell,,12 Willow St,,,,06901,34 Aspen Rd,,,,06902,2026-07,,")
	form := func(extra ...string) url.Values {
		v := url.Values{"token": {"tok-coa-1"}, "recipient_name": {"Bob Movewell"}, "recipient_address": {"12 Willow Street, Stamford CT 06901"},
			"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "action": {"buy"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	resp := e.Do("owner", "POST", "/postage", form())
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "This recipient has moved") || !strings.Contains(body, "34 ASPEN RD") {
		t.Fatalf("no warning before buying: %d\n%.1500s", resp.StatusCode, body)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d labels bought for a moved recipient without confirmation", n)
	}
	// "Use the new address" prices the new one.
	resp = e.Do("owner", "POST", "/postage", form("use_new_address", "34 ASPEN RD, STAMFORD CT 06902", "action", ""))
	body = webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "34 ASPEN RD") || strings.Contains(body, "moved-warning") {
		t.Fatalf("using the new address: %d\n%.1500s", resp.StatusCode, body)
	}
	// Confirming the old address buys.
	resp = e.Do("owner", "POST", "/postage", form("coa_ack", "1"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed purchase: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
}
