package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// The void page leads somewhere once the label is voided (or cannot be):
// back to the labels, or on to buy another.
func TestVoidPageLinksOnward(t *testing.T) {
	e := webtest.New(t)
	id, _ := buyViaAPI(t, e)
	if r := e.Do("owner", "POST", "/labels/"+id+"/void", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("void: %d", r.StatusCode)
	}
	_, page := get(t, e, "owner", "/labels/"+id+"/void")
	for _, want := range []string{`<a href="/labels" id="back-to-labels">`, `<a href="/postage" id="buy-another">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the void page lacks %s", want)
		}
	}
}

// Every CSV download names its charset exactly once.
func TestCSVDownloadsSendOneCharset(t *testing.T) {
	e := webtest.New(t)
	ownerPurchase("")(e)
	for _, path := range []string{"/postage/batch/template.csv", "/addresses/template.csv", "/cleanse/template.csv", "/addresses/export?format=csv", "/reports/register/csv"} {
		r := e.Do("owner", "GET", path, nil)
		webtest.Body(t, r)
		if ct := r.Header.Values("Content-Type"); r.StatusCode != http.StatusOK || len(ct) != 1 || ct[0] != "text/csv; charset=utf-8" {
			t.Errorf("%s: %d, Content-Type %q", path, r.StatusCode, ct)
		}
	}
}

// Accepting an invitation logs the new user in, and that first login is in
// their login history.
func TestFirstLoginAfterInvitationIsRecorded(t *testing.T) {
	e := webtest.New(t)
	u, token, err := e.Acc.InviteUser(context.Background(), e.Owner, accounts.InviteInput{Email: "first.login@example.com", Name: "Fay First", Permissions: []string{"buy_postage"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Do("anon", "POST", "/invite/"+token, url.Values{"password": {"a long enough passphrase 42"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	var n int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(*) FROM login_history WHERE user_id = $1 AND success`, u.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d successful logins recorded after accepting the invitation, want 1", n)
	}
}

// The stylesheet styles every input type, separates the tabs and draws a
// secondary button (Dismiss) as secondary.
func TestStylesheetCoversInputsTabsAndSecondaryButtons(t *testing.T) {
	e := webtest.New(t)
	_, css := get(t, e, "anon", "/static/css/app.css")
	for _, sel := range []string{"input[type=date]", "input[type=number]", "input[type=file]", "input[type=search]", "input[type=checkbox]", "input[type=radio]",
		"input[type=tel]", "input[type=url]", "input[type=time]", ".tabs a", ".tabs a[aria-current=page]", "button.secondary"} {
		if !regexp.MustCompile(`(^|[\s,}])` + regexp.QuoteMeta(sel) + `[\s,{:]`).MatchString(css) {
			t.Errorf("app.css has no rule for %s", sel)
		}
	}
	_, page := get(t, e, "owner", "/coa")
	if !strings.Contains(page, `<nav class="tabs"`) {
		t.Errorf("the change-of-address page has no tabs")
	}
}

// Disabling a user asks on a page of its own (no JavaScript needed), and a
// post that skipped the question disables nobody.
func TestDisablingAUserConfirmsWithoutJavaScript(t *testing.T) {
	e := webtest.New(t)
	_, page := get(t, e, "owner", "/account/users")
	link := regexp.MustCompile(`href="(/account/users/(\d+)/disable)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no link to disable a user:\n%s", page)
	}
	id, _ := strconv.ParseInt(link[2], 10, 64)
	if r := e.Do("owner", "POST", link[1], nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != link[1] {
		t.Errorf("a post without the confirmation: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if u, err := e.Acc.User(context.Background(), id); err != nil || u.Disabled {
		t.Fatalf("disabled without confirmation (%v)", err)
	}
	_, page = get(t, e, "owner", link[1])
	if !strings.Contains(page, `name="confirm" value="yes"`) || !strings.Contains(page, "Disable Carl Clerk") {
		t.Fatalf("the confirmation page:\n%s", page)
	}
	if r := e.Do("owner", "POST", link[1], url.Values{"confirm": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed disable: %d", r.StatusCode)
	}
	if u, _ := e.Acc.User(context.Background(), id); !u.Disabled {
		t.Errorf("the confirmed disable did not disable the user")
	}
}
