package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// Keys of postal staff and vendor admins belong to no master account:
// GET /account still tells who the caller is.
func TestAPIQAAccountForStaffKeys(t *testing.T) {
	e := webtest.New(t)
	admin := key(t, e, e.Users["admin"])
	code, out := apiCall(t, e, admin, "GET", "/api/v1/account", "")
	if code != http.StatusOK {
		t.Fatalf("admin key: %d %v", code, out)
	}
	if out["account"] != nil {
		t.Errorf("account %v, want null for a vendor admin", out["account"])
	}
	if c, _ := out["caller"].(map[string]any); c == nil || c["email"] != e.Users["admin"].Email {
		t.Errorf("caller %v", out["caller"])
	}
}

// Manufacturing a meter without naming the account asks for the customer ID.
func TestAPIQAManufactureWithoutAccount(t *testing.T) {
	e := webtest.New(t)
	admin := key(t, e, e.Users["admin"])
	code, out := apiCall(t, e, admin, "POST", "/api/v1/meters", `{}`)
	_, field := errField(out)
	if code != 422 || field != "customer_id" || !strings.Contains(errMessage(out), "customer_id") {
		t.Errorf("no account named: %d %v", code, out)
	}
}
