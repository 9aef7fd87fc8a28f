package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// groupAPI sends one JSON request with an API key and decodes the answer.
func groupAPI(t *testing.T, e *webtest.Env, key, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp := e.Test(req)
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// bookEntry adds an entry to the account's address book.
func bookEntry(t *testing.T, e *webtest.Env, account int64, name, line1 string) int64 {
	t.Helper()
	var id int64
	err := e.Pool.QueryRow(context.Background(), `INSERT INTO address_book (account_id, name, line1, city, state, zip, status, created_at, updated_at)
		VALUES ($1, $2, $3, 'NEW YORK', 'NY', '10118', 'valid', now(), now()) RETURNING id`, account, name, line1).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func groupErrField(out map[string]any) string {
	_, f := errField(out)
	return f
}

func TestAPIAddressGroups(t *testing.T) {
	e := webtest.New(t)
	key := apiKey(t, e)
	ann, bob := bookEntry(t, e, e.Owner.AccountID, "Ann", "350 5TH AVE"), bookEntry(t, e, e.Owner.AccountID, "Bob", "1 5TH AVE")

	code, g := groupAPI(t, e, key, "POST", "/api/v1/address-groups", fmt.Sprintf(`{"name": "Clients", "entry_ids": [%d]}`, ann))
	if code != 201 || g["name"] != "Clients" || g["members"] != float64(1) {
		t.Fatalf("create: %d %v", code, g)
	}
	path := fmt.Sprintf("/api/v1/address-groups/%v", g["id"])
	if code, out := groupAPI(t, e, key, "POST", "/api/v1/address-groups", `{"name": "clients"}`); code != 409 || groupErrField(out) != "name" {
		t.Errorf("same name again: %d %v, want 409 at name", code, out)
	}
	if code, out := groupAPI(t, e, key, "POST", "/api/v1/address-groups", `{"name": ""}`); code != 422 || groupErrField(out) != "name" {
		t.Errorf("no name: %d %v, want 422 at name", code, out)
	}
	if code, out := groupAPI(t, e, key, "PATCH", path, fmt.Sprintf(`{"name": "Key clients", "add": [%d], "remove": [%d]}`, bob, ann)); code != 200 || out["name"] != "Key clients" || out["members"] != float64(1) {
		t.Errorf("rename and swap: %d %v", code, out)
	}
	code, out := groupAPI(t, e, key, "GET", path, "")
	entries, _ := out["entries"].([]any)
	if code != 200 || len(entries) != 1 || entries[0].(map[string]any)["name"] != "Bob" {
		t.Errorf("get: %d %v, want Bob alone", code, out)
	}
	if code, out := groupAPI(t, e, key, "GET", "/api/v1/address-groups", ""); code != 200 || len(out["groups"].([]any)) != 1 {
		t.Errorf("list: %d %v", code, out)
	}

	// Another account's key sees nothing of the group and cannot add its own
	// entries' ids to it, nor the owner's to its own group.
	other, _, err := e.Acc.SignUp(context.Background(), accountsSignUp("rival@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := e.Acc.CreateAPIKey(context.Background(), other, "rival", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ method, body string }{{"GET", ""}, {"PATCH", `{"name": "Mine now"}`}, {"DELETE", ""}} {
		if code, _ := groupAPI(t, e, otherKey, m.method, path, m.body); code != 404 {
			t.Errorf("another account's %s: %d, want 404", m.method, code)
		}
	}
	if code, out := groupAPI(t, e, otherKey, "POST", "/api/v1/address-groups", fmt.Sprintf(`{"name": "Stolen", "entry_ids": [%d]}`, ann)); code != 422 || groupErrField(out) != "entry_ids" {
		t.Errorf("another account grouping the owner's entry: %d %v, want 422 at entry_ids", code, out)
	}

	if code, _ := groupAPI(t, e, key, "DELETE", path, ""); code != 204 {
		t.Errorf("delete: %d, want 204", code)
	}
	if code, _ := groupAPI(t, e, key, "GET", path, ""); code != 404 {
		t.Errorf("deleted group: %d, want 404", code)
	}
}

func TestAddressGroupPages(t *testing.T) {
	e := webtest.New(t)
	ann, bob := bookEntry(t, e, e.Owner.AccountID, "Ann", "350 5TH AVE"), bookEntry(t, e, e.Owner.AccountID, "Bob", "1 5TH AVE")
	resp := e.Do("clerk", "POST", "/addresses/groups", url.Values{"name": {"Board"}, "entry_ids": {fmt.Sprint(ann), fmt.Sprint(bob)}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/addresses/groups/") {
		t.Fatalf("save as group: %d %q", resp.StatusCode, loc)
	}
	page := webtest.Body(t, e.Do("clerk", "GET", loc, nil))
	if !strings.Contains(page, "Group: Board") || !strings.Contains(page, "2 addresses") {
		t.Errorf("group page lacks its name or size:\n%s", page)
	}
	if resp := e.Do("clerk", "POST", "/addresses/groups", url.Values{"name": {"board"}, "entry_ids": {fmt.Sprint(ann)}}); resp.StatusCode != 409 ||
		!strings.Contains(webtest.Body(t, resp), "You already have a group with this name.") {
		t.Errorf("same name: %d, want 409 with the message", resp.StatusCode)
	}
	if resp := e.Do("clerk", "POST", "/addresses/groups", url.Values{"name": {"Empty"}}); resp.StatusCode != 422 {
		t.Errorf("nothing ticked: %d, want 422", resp.StatusCode)
	}
	if resp := e.Do("clerk", "POST", loc, url.Values{"action": {"remove"}, "remove_ids": {fmt.Sprint(bob)}}); resp.StatusCode != 303 {
		t.Errorf("remove: %d", resp.StatusCode)
	}
	if page := webtest.Body(t, e.Do("owner", "GET", loc, nil)); !strings.Contains(page, "1 address") || strings.Contains(page, ">Bob<") {
		t.Errorf("after removing Bob:\n%s", page)
	}
	if page := webtest.Body(t, e.Do("owner", "GET", "/addresses", nil)); !strings.Contains(page, ">Board</a> (1 address)") {
		t.Errorf("address book lacks the group:\n%s", page)
	}
	if resp := e.Do("owner", "POST", loc+"/delete", nil); resp.StatusCode != 303 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp := e.Do("owner", "GET", loc, nil); resp.StatusCode != 404 {
		t.Errorf("deleted group page: %d, want 404", resp.StatusCode)
	}
}
