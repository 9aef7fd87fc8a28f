package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// On the purchase page, "1 Main St, Stamford CT" (no comma before the state,
// no ZIP) offers Stamford's ZIPs at the address, as "…, Stamford, CT" does.
func TestPurchasePageReadsTheStateCodeWithoutZIP(t *testing.T) {
	e := webtest.New(t)
	v := url.Values{"token": {"tok-ct"}, "recipient_name": {"Ann Example"}, "recipient_address": {"1 Main St, Stamford CT"},
		"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "action": {"buy"}}
	resp := e.Do("owner", "POST", "/postage", v)
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="zip-choice"`) ||
		!strings.Contains(body, `name="zip_choice" value="06901"`) || strings.Contains(body, "state and ZIP missing") {
		t.Fatalf("no ZIP choice for Stamford CT: %d\n%.4000s", resp.StatusCode, body)
	}
}

// On the purchase page, a ZIP with a slip ("06905x") is refused at the
// address as malformed, not as a missing city and state, and nothing is bought.
func TestPurchasePageNamesAMalformedZIP(t *testing.T) {
	e := webtest.New(t)
	for _, addr := range []string{"1 Main St\nStamford CT 06905x", "1 Main St, Stamford CT 06905x"} {
		v := url.Values{"token": {"tok-zipx"}, "recipient_name": {"Ann Example"}, "recipient_address": {addr},
			"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "action": {"buy"}}
		resp := e.Do("owner", "POST", "/postage", v)
		body := webtest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="recipient_address-error"`) ||
			!strings.Contains(body, "06905X is malformed") || strings.Contains(body, "missing") {
			t.Fatalf("%q: %d\n%.4000s", addr, resp.StatusCode, body)
		}
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d labels bought (%v)", n, err)
	}
}
