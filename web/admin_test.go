package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// ownerAccount is the demo owner's master account (customer ID 100001 in a
// fresh database; its internal id is another number).
func ownerAccount(t *testing.T, e *webtest.Env) accounts.Account {
	t.Helper()
	a, err := e.Acc.Account(context.Background(), e.Owner, e.Owner.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Vendor pages show the customer ID mailers know, with the company, and the
// manufacture form takes it; an unknown one is a field error.
func TestAdminMetersShowAndTakeTheCustomerID(t *testing.T) {
	e := webtest.New(t)
	a := ownerAccount(t, e)
	cid := strconv.FormatInt(a.CustomerID, 10)
	want := cid + " Olive Mail"
	if body := webtest.Body(t, e.Do("admin", "GET", "/admin/meters", nil)); !strings.Contains(body, want) || !strings.Contains(body, `for="customer_id">Customer ID`) {
		t.Errorf("meters list lacks %q or the customer ID field:\n%s", want, body)
	}
	if body := webtest.Body(t, e.Do("admin", "GET", "/admin/meters/"+strconv.FormatInt(e.Meter.ID, 10), nil)); !strings.Contains(body, want) {
		t.Errorf("meter page lacks %q:\n%s", want, body)
	}
	r := e.Do("admin", "POST", "/admin/meters", url.Values{"customer_id": {cid}})
	if r.StatusCode != 303 {
		t.Fatalf("manufacture for customer %s: %d %s", cid, r.StatusCode, webtest.Body(t, r))
	}
	ms, err := e.Metering.Meters(context.Background(), e.Users["admin"], a.ID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("the account has %d meters (%v), want 2", len(ms), err)
	}
	for _, bad := range []struct{ in, msg string }{
		{strconv.FormatInt(a.ID, 10) + "0", "No master account has customer ID " + strconv.FormatInt(a.ID, 10) + "0"},
		{"abc", "Enter the customer ID"},
		{"", "Enter the customer ID"},
	} {
		r := e.Do("admin", "POST", "/admin/meters", url.Values{"customer_id": {bad.in}})
		body := webtest.Body(t, r)
		if r.StatusCode != 422 || !strings.Contains(body, `id="customer_id-error"`) || !strings.Contains(body, bad.msg) {
			t.Errorf("customer_id=%q: %d, want the field error %q:\n%s", bad.in, r.StatusCode, bad.msg, body)
		}
	}
}

func TestAdminUsersShowAndTakeTheCustomerID(t *testing.T) {
	e := webtest.New(t)
	a := ownerAccount(t, e)
	cid := strconv.FormatInt(a.CustomerID, 10)
	if body := webtest.Body(t, e.Do("admin", "GET", "/admin/users", nil)); !strings.Contains(body, "<td>"+cid+" Olive Mail</td>") {
		t.Errorf("users list lacks the customer ID and company:\n%s", body)
	}
	form := url.Values{"name": {"Nina New"}, "email": {"nina@example.com"}, "role": {"mailer_user"}, "password": {"long enough password"}, "customer_id": {"999"}}
	r := e.Do("admin", "POST", "/admin/users/new", form)
	if body := webtest.Body(t, r); r.StatusCode != 422 || !strings.Contains(body, `id="customer_id-error"`) || !strings.Contains(body, "No master account has customer ID 999") {
		t.Errorf("unknown customer: %d\n%s", r.StatusCode, body)
	}
	form.Set("customer_id", cid)
	if r := e.Do("admin", "POST", "/admin/users/new", form); r.StatusCode != 303 {
		t.Fatalf("create: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	users, err := e.Acc.ListUsers(context.Background(), e.Users["admin"], a.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range users {
		found = found || u.Email == "nina@example.com"
	}
	if !found {
		t.Errorf("the new user is not in account %d: %v", a.ID, users)
	}
}

// The API manufactures by customer_id as well as by account_id, and names both.
func TestAPIManufactureByCustomerID(t *testing.T) {
	e := webtest.New(t)
	a := ownerAccount(t, e)
	admin := key(t, e, e.Users["admin"])
	code, m := apiCall(t, e, admin, "POST", "/api/v1/meters", fmt.Sprintf(`{"customer_id":%d}`, a.CustomerID))
	if code != 201 || m["customer_id"] != float64(a.CustomerID) || m["account_id"] != float64(a.ID) {
		t.Fatalf("manufacture by customer_id: %d %v", code, m)
	}
	code, m = apiCall(t, e, admin, "POST", "/api/v1/meters", fmt.Sprintf(`{"account_id":%d}`, a.ID))
	if code != 201 || m["customer_id"] != float64(a.CustomerID) {
		t.Fatalf("manufacture by account_id: %d %v", code, m)
	}
	code, out := apiCall(t, e, admin, "POST", "/api/v1/meters", `{"customer_id":999}`)
	if c, f := errField(out); code != 422 || c != "invalid" || f != "customer_id" {
		t.Errorf("unknown customer_id: %d %v", code, out)
	}
	code, out = apiCall(t, e, admin, "POST", "/api/v1/meters", fmt.Sprintf(`{"customer_id":%d,"account_id":%d}`, a.CustomerID, a.ID+1))
	if c, f := errField(out); code != 422 || c != "invalid" || f != "customer_id" {
		t.Errorf("customer_id and account_id of two accounts: %d %v", code, out)
	}
	code, out = apiCall(t, e, admin, "GET", "/api/v1/meters/"+e.Meter.Record.Serial, ``)
	if code != 200 || out["customer_id"] != float64(a.CustomerID) {
		t.Errorf("get meter: %d %v", code, out)
	}
}
