package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

func TestAdminResolvesAPaymentAlertOnTheSettlementPage(t *testing.T) {
	e := webtest.New(t)
	path := openPaymentAlert(e)
	id := strings.Split(path, "/")[4]
	row := `id="payment-alert-` + id + `"`

	body := webtest.Body(t, e.Do("admin", "GET", "/postal/settlement", nil))
	if !strings.Contains(body, row) || !strings.Contains(body, `action="`+path+`"`) || !strings.Contains(body, "Mark resolved") || !strings.Contains(body, "1 open.") {
		t.Fatalf("the settlement page does not offer to resolve alert %s:\n%s", id, body)
	}
	// Staff see the settlement but not the alerts.
	if body := webtest.Body(t, e.Do("staff", "GET", "/postal/settlement", nil)); strings.Contains(body, row) {
		t.Error("postal staff see the payment alerts")
	}

	// An empty resolution comes back with the message next to the field.
	r := e.Do("admin", "POST", path, url.Values{"resolution": {"   "}, "day": {"2024-03-01"}})
	body = webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="resolution-`+id+`-error"`) || !strings.Contains(body, "Say what you found and did.") {
		t.Fatalf("empty resolution: %d, want 422 with the field's message:\n%s", r.StatusCode, body)
	}
	if !strings.Contains(body, "Settlement for 2024-03-01") {
		t.Error("the re-rendered page lost the day")
	}
	if n, _ := e.Payments.OpenAlerts(context.Background()); n != 1 {
		t.Fatalf("%d open alerts after a refused resolve, want 1", n)
	}

	r = e.Do("admin", "POST", path, url.Values{"resolution": {"Refunded the customer by hand."}, "day": {"2024-03-01"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/postal/settlement?day=2024-03-01" {
		t.Fatalf("resolve: %d to %q, want 303 back to the settlement page", r.StatusCode, r.Header.Get("Location"))
	}
	if c := strings.Join(r.Header.Values("Set-Cookie"), "; "); !strings.Contains(c, "indicia_flash=") || !strings.Contains(c, "resolved") {
		t.Errorf("no notice after resolving: %q", c)
	}
	body = webtest.Body(t, e.Do("admin", "GET", "/postal/settlement", nil))
	i := strings.Index(body, row)
	if i < 0 {
		t.Fatal("the resolved alert is gone from the page")
	}
	tr := body[i:]
	tr = tr[:strings.Index(tr, "</tr>")]
	for _, want := range []string{`class="resolved hint"`, "by Ada Admin", "Refunded the customer by hand."} {
		if !strings.Contains(tr, want) {
			t.Errorf("resolved row lacks %q: %s", want, tr)
		}
	}
	if strings.Contains(tr, "Mark resolved") || !strings.Contains(body, "0 open.") {
		t.Errorf("the resolved alert still offers to be resolved: %s", tr)
	}

	// Resolving it again is a conflict.
	if r := e.Do("admin", "POST", path, url.Values{"resolution": {"again"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("second resolve: %d, want 409", r.StatusCode)
	}
}
