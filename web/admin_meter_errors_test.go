package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// A lifecycle step or credit the meter refuses comes back on the meter page
// with the reason, not as a bare 422.
func TestAdminMeterPageSaysWhyAStepIsRefused(t *testing.T) {
	e := webtest.New(t)
	if _, err := e.Metering.Retire(context.Background(), e.Users["admin"], e.Meter.ID); err != nil {
		t.Fatal(err)
	}
	base := "/admin/meters/" + strconv.FormatInt(e.Meter.ID, 10)
	for _, step := range []struct {
		path string
		form url.Values
	}{{"/credit", url.Values{"amount": {"10"}}}, {"/activate", nil}} {
		r := e.Do("admin", "POST", base+step.path, step.form)
		body := webtest.Body(t, r)
		if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusConflict {
			t.Errorf("%s on a retired meter: %d", step.path, r.StatusCode)
		}
		if !strings.Contains(body, `class="error-banner" role="alert"`) {
			t.Errorf("%s on a retired meter: no message says why:\n%s", step.path, body)
		}
	}
	if body := webtest.Body(t, e.Do("admin", "GET", base, nil)); strings.Contains(body, base+"/credit") {
		t.Error("the page offers to credit a retired meter")
	}
}
