package web_test

import (
	"net/http"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// A key of the wrong role gets a 403 that says which roles the endpoint is
// for and whom the key acts for, not the pages' "this page" wording.
func TestAPIForbiddenNamesTheRoles(t *testing.T) {
	e := webtest.New(t)
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/indicia/verify", `{"text":"x"}`)
	msg, _ := out["error"].(map[string]any)["message"].(string)
	if code != http.StatusForbidden || !strings.Contains(msg, "postal staff") || !strings.Contains(msg, "mailer") || strings.Contains(msg, "page") {
		t.Errorf("mailer key on verify: %d %q", code, msg)
	}
}
