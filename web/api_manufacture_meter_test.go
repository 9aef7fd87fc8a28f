package web_test

import (
	"strings"
	"testing"

	"indicia/web/webtest"
)

// Manufacturing a meter without naming the account asks for the customer ID.
func TestAPIManufactureMeterWithoutAccount(t *testing.T) {
	e := webtest.New(t)
	admin := key(t, e, e.Users["admin"])
	code, out := apiCall(t, e, admin, "POST", "/api/v1/meters", `{}`)
	_, field := errField(out)
	if code != 422 || field != "customer_id" || !strings.Contains(errMessage(out), "customer_id") {
		t.Errorf("no account named: %d %v", code, out)
	}
}
