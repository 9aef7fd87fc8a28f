package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// The invitation page says which account and which email the person is
// joining before they choose a password; a dead link says so instead of
// offering a form that cannot work.
func TestInvitationPageNamesTheAccountAndEmail(t *testing.T) {
	e := webtest.New(t)
	_, token, err := e.Acc.InviteUser(context.Background(), e.Owner, accounts.InviteInput{Email: "new.clerk@example.com", Name: "Nina New", Permissions: []string{"buy_postage"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Acc.Account(context.Background(), e.Owner, e.Owner.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	body := webtest.Body(t, e.Do("anon", "GET", "/invite/"+token, nil))
	for _, want := range []string{"Olive Mail", "new.clerk@example.com", "customer ID " + strconv.FormatInt(a.CustomerID, 10), `action="/invite/` + token + `"`,
		"Invited by <strong>" + e.Owner.Name + "</strong> (" + e.Owner.Email + ")"} {
		if !strings.Contains(body, want) {
			t.Errorf("invitation page lacks %q:\n%s", want, body)
		}
	}
	// A password too short re-renders with the same facts.
	r := e.Do("anon", "POST", "/invite/"+token, url.Values{"password": {"short"}})
	if body := webtest.Body(t, r); r.StatusCode != 422 || !strings.Contains(body, "new.clerk@example.com") || !strings.Contains(body, "Olive Mail") {
		t.Errorf("short password: %d\n%s", r.StatusCode, body)
	}
	body = webtest.Body(t, e.Do("anon", "GET", "/invite/unknown", nil))
	if !strings.Contains(body, "not valid any more") || strings.Contains(body, `name="password"`) {
		t.Errorf("dead link:\n%s", body)
	}
}
