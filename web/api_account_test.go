package web_test

import (
	"net/http"
	"testing"

	"indicia/web/webtest"
)

// Keys of postal staff and vendor admins belong to no master account:
// GET /account still tells who the caller is.
func TestAPIAccountForStaffKeys(t *testing.T) {
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
