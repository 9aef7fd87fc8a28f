package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// costCodeOf reads the cost code stored on a label.
func costCodeOf(t *testing.T, e *webtest.Env, labelID string) (id int64, ref string) {
	t.Helper()
	var cc *int64
	if err := e.Pool.QueryRow(context.Background(), `SELECT cost_code_id, reference FROM indicia WHERE public_id = $1`, labelID).Scan(&cc, &ref); err != nil {
		t.Fatal(err)
	}
	if cc != nil {
		id = *cc
	}
	return id, ref
}

// The owner manages cost codes through the API; a clerk's key reads them
// but cannot change them; bad input is a 422 at the field.
func TestCostCodesAPI(t *testing.T) {
	e := webtest.New(t)
	owner := key(t, e, e.Owner, "manage_cost_codes")
	clerk := clerkKey(t, e)

	code, out := apiCall(t, e, owner, "POST", "/api/v1/cost-codes", `{"name":"Marketing","code":"MKT-1"}`)
	if code != http.StatusCreated || out["name"] != "Marketing" || out["code"] != "MKT-1" || out["archived_at"] != nil {
		t.Fatalf("create: %d %v", code, out)
	}
	id := int64(out["id"].(float64))
	for body, field := range map[string]string{`{"name":"marketing"}`: "name", `{"name":"Sales","code":"mkt-1"}`: "code", `{"name":""}`: "name"} {
		if code, out := apiCall(t, e, owner, "POST", "/api/v1/cost-codes", body); code != 422 {
			t.Errorf("%s: %d %v", body, code, out)
		} else if _, f := errField(out); f != field {
			t.Errorf("%s: field %q, want %q", body, f, field)
		}
	}
	if code, out := apiCall(t, e, clerk, "POST", "/api/v1/cost-codes", `{"name":"Clerk's own"}`); code != http.StatusForbidden {
		t.Errorf("clerk created a cost code: %d %v", code, out)
	}
	if code, out := apiCall(t, e, clerk, "PATCH", fmt.Sprintf("/api/v1/cost-codes/%d", id), `{"archived":true}`); code != http.StatusForbidden {
		t.Errorf("clerk archived a cost code: %d %v", code, out)
	}
	code, out = apiCall(t, e, owner, "PATCH", fmt.Sprintf("/api/v1/cost-codes/%d", id), `{"name":"Marketing EU","archived":true}`)
	if code != 200 || out["name"] != "Marketing EU" || out["code"] != "MKT-1" || out["archived_at"] == nil {
		t.Fatalf("archive: %d %v", code, out)
	}
	if code, _ := apiCall(t, e, owner, "PATCH", "/api/v1/cost-codes/999999", `{"archived":true}`); code != http.StatusNotFound {
		t.Errorf("unknown id: %d", code)
	}
	code, out = apiCall(t, e, clerk, "GET", "/api/v1/cost-codes", "")
	if list := out["cost_codes"].([]any); code != 200 || len(list) != 0 || out["required"] != false {
		t.Errorf("clerk's active list: %d %v", code, out)
	}
	code, out = apiCall(t, e, clerk, "GET", "/api/v1/cost-codes?archived=true", "")
	if list := out["cost_codes"].([]any); code != 200 || len(list) != 1 {
		t.Errorf("clerk's full list: %d %v", code, out)
	}
	if code, out := apiCall(t, e, clerk, "GET", "/api/v1/cost-codes?archived=maybe", ""); code != 422 {
		t.Errorf("archived=maybe: %d %v", code, out)
	} else if _, f := errField(out); f != "archived" {
		t.Errorf("archived=maybe: field %q", f)
	}
}

// A purchase through the API names each piece's cost code; a missing
// required one, an unknown, an archived or a forbidden one is a 422 at that
// piece's field and nothing is bought; a good one is stored on the piece.
func TestAPIPurchaseCostCodes(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	ownerKey := key(t, e, e.Owner, "buy_postage")
	clerk := e.Users["clerk"]
	ck := clerkKey(t, e)
	mkt, err := e.Acc.CreateCostCode(ctx, e.Owner, "Marketing", "MKT")
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := e.Acc.CreateCostCode(ctx, e.Owner, "Operations", "")
	old, _ := e.Acc.CreateCostCode(ctx, e.Owner, "Old", "OLD")
	if _, err := e.Acc.UpdateCostCode(ctx, e.Owner, old.ID, accountsArchived()); err != nil {
		t.Fatal(err)
	}
	if err := e.Acc.SetCostCodeRequired(ctx, e.Owner, true); err != nil {
		t.Fatal(err)
	}
	if err := e.Acc.SetUserCostCodes(ctx, e.Owner, clerk.ID, []int64{mkt.ID}); err != nil {
		t.Fatal(err)
	}
	piece := func(cost string) string {
		c := ""
		if cost != "" {
			c = `,"cost_code":"` + cost + `"`
		}
		return `{"postage":78,"mail_class":"FCM_LETTER","reference":"PO 17","recipient":{"address":"9 elm street, beverly hills ca 90210"}` + c + `}`
	}
	two := func(a, b string) string { return `{"pieces":[` + piece(a) + `,` + piece(b) + `]}` }
	cases := []struct {
		name, key, body, field string
	}{
		{"required, missing", ownerKey, two("MKT", ""), "pieces[1].cost_code"},
		{"unknown", ownerKey, two("NOPE", "MKT"), "pieces[0].cost_code"},
		{"archived", ownerKey, two("MKT", "old"), "pieces[1].cost_code"},
		{"not allowed for the clerk", ck, two("MKT", "Operations"), "pieces[1].cost_code"},
		{"one piece, missing", ownerKey, `{"pieces":[` + piece("") + `]}`, "cost_code"},
	}
	for _, c := range cases {
		code, out := apiCall(t, e, c.key, "POST", "/api/v1/labels", c.body)
		if _, f := errField(out); code != 422 || f != c.field || !strings.Contains(strings.ToLower(errMessage(out)), "cost code") {
			t.Errorf("%s: %d field %q, want 422 %q (%v)", c.name, code, f, c.field, out)
		}
	}
	if n := pieces(t, e); n != 0 {
		t.Fatalf("refused purchases dispensed %d pieces", n)
	}
	code, out := apiCall(t, e, ownerKey, "POST", "/api/v1/labels", two("mkt", "operations"))
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	labels := out["labels"].([]any)
	for i, want := range []int64{mkt.ID, ops.ID} {
		l := labels[i].(map[string]any)
		id, ref := costCodeOf(t, e, l["id"].(string))
		if id != want || ref != "PO 17" || int64(l["cost_code_id"].(float64)) != want || l["reference"] != "PO 17" {
			t.Errorf("label %d: stored cost code %d ref %q, answered %v, want %d", i, id, ref, l, want)
		}
	}
	// The label's reference line prints the cost code and the reference.
	zpl := webtest.Body(t, e.Do("owner", "GET", "/labels/"+out["id"].(string)+"/label.zpl", nil))
	if !strings.Contains(zpl, "REF: COST CODE MKT / PO 17") || !strings.Contains(zpl, "REF: COST CODE OPERATIONS / PO 17") {
		t.Errorf("the labels' reference lines lack the cost code:\n%s", zpl)
	}
	// The purchase's page names the cost codes.
	page := webtest.Body(t, e.Do("owner", "GET", "/labels/"+out["id"].(string), nil))
	if !strings.Contains(page, `id="purchase-cost-codes">Marketing (MKT), Operations<`) {
		t.Errorf("purchase page does not name the cost codes:\n%.3000s", page)
	}
	// The clerk may charge Marketing.
	if code, out := apiCall(t, e, ck, "POST", "/api/v1/labels", `{"pieces":[`+piece("Marketing")+`]}`); code != http.StatusCreated {
		t.Errorf("clerk with an allowed code: %d %v", code, out)
	}
}

// The purchase page offers the allowed cost codes; a missing required one is
// shown at the field and nothing is bought; the chosen one is stored.
func TestPurchasePageCostCode(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	mkt, _ := e.Acc.CreateCostCode(ctx, e.Owner, "Marketing", "MKT")
	if err := e.Acc.SetCostCodeRequired(ctx, e.Owner, true); err != nil {
		t.Fatal(err)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	if !strings.Contains(page, `<option value="MKT">Marketing (MKT)</option>`) || !strings.Contains(page, "— choose a cost code —") {
		t.Fatalf("no cost code choice:\n%.4000s", page)
	}
	f := buyForm(formToken(t, e, "owner"))
	// The price does not wait for the cost code: "Get price" and the live price answer.
	f.Set("action", "quote")
	if resp := e.Do("owner", "POST", "/postage", f); resp.StatusCode != 200 || !strings.Contains(webtest.Body(t, resp), `id="price-total">$0.78<`) {
		t.Errorf("get price without a cost code: %d", resp.StatusCode)
	}
	f.Set("action", "buy")
	resp := e.Do("owner", "POST", "/postage", f)
	body := webtest.Body(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, `id="cost_code-error">Choose a cost code: this account requires one for every purchase.`) {
		t.Fatalf("missing cost code: %d\n%.4000s", resp.StatusCode, body)
	}
	if n := pieces(t, e); n != 0 {
		t.Fatalf("bought without a required cost code: %d", n)
	}
	f.Set("cost_code", "MKT")
	f.Set("reference", "Order 42")
	resp = e.Do("owner", "POST", "/postage", f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy with cost code: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	var id int64
	var ref string
	if err := e.Pool.QueryRow(ctx, `SELECT cost_code_id, reference FROM indicia`).Scan(&id, &ref); err != nil || id != mkt.ID || ref != "Order 42" {
		t.Errorf("stored %d %q %v", id, ref, err)
	}
}

// The owner's page creates, requires and archives cost codes; a clerk is
// limited to some on the user page; a clerk cannot open the owner's page.
func TestCostCodesPage(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("owner", "POST", "/account/cost-codes/setting", form("cost_code_required", "1"))
	if body := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(body, `id="cost_code_required-error">Add an active cost code before requiring one.`) {
		t.Fatalf("required without codes: %d\n%.3000s", resp.StatusCode, body)
	}
	if resp := e.Do("owner", "POST", "/account/cost-codes", form("name", "Marketing", "code", "MKT")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	resp = e.Do("owner", "POST", "/account/cost-codes", form("name", "marketing"))
	if body := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(body, `id="name-error">Another cost code of this account has this name.`) {
		t.Fatalf("duplicate: %d\n%.3000s", resp.StatusCode, body)
	}
	if resp := e.Do("owner", "POST", "/account/cost-codes/setting", form("cost_code_required", "1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("require: %d", resp.StatusCode)
	}
	codes, _ := e.Acc.CostCodes(context.Background(), e.Owner, false)
	id := fmt.Sprint(codes[0].ID)
	if resp := e.Do("owner", "POST", "/account/cost-codes/"+id, form("name", "Marketing", "code", "MKT", "archived", "true")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/account/cost-codes", nil))
	if !strings.Contains(page, "Archived ") || !strings.Contains(page, `id="cost_code_required" name="cost_code_required" value="1" checked`) {
		t.Errorf("page:\n%.4000s", page)
	}
	if resp := e.Do("clerk", "GET", "/account/cost-codes", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clerk opened the owner's page: %d", resp.StatusCode)
	}
	// Restore, then limit the clerk to it on the user page.
	e.Do("owner", "POST", "/account/cost-codes/"+id, form("name", "Marketing", "code", "MKT", "archived", "false"))
	clerk := fmt.Sprint(e.Users["clerk"].ID)
	page = webtest.Body(t, e.Do("owner", "GET", "/account/users/"+clerk, nil))
	if !strings.Contains(page, `name="cost_codes" value="`+id+`"`) {
		t.Fatalf("user page has no cost code limit:\n%.4000s", page)
	}
	f := form("name", "Carl Clerk", "permissions", "buy_postage", "cost_codes", id)
	if resp := e.Do("owner", "POST", "/account/users/"+clerk, f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save limits: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	if ids, _ := e.Acc.UserCostCodes(context.Background(), e.Users["clerk"].ID); len(ids) != 1 || fmt.Sprint(ids[0]) != id {
		t.Errorf("limits: %v", ids)
	}
}

// clerkKey makes a buy_postage key for the clerk (who may make keys only
// while managing users, so the owner lets them for a moment).
func clerkKey(t *testing.T, e *webtest.Env) string {
	t.Helper()
	ctx := context.Background()
	c := e.Users["clerk"]
	u, err := e.Acc.UpdateUser(ctx, e.Owner, c.ID, accounts.UpdateInput{Name: c.Name, Permissions: []string{"buy_postage", "manage_users"}})
	if err != nil {
		t.Fatal(err)
	}
	k := key(t, e, u, "buy_postage")
	if _, err := e.Acc.UpdateUser(ctx, e.Owner, c.ID, accounts.UpdateInput{Name: c.Name, Permissions: []string{"buy_postage"}}); err != nil {
		t.Fatal(err)
	}
	return k
}

// form builds form values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func accountsArchived() accounts.CostCodeInput {
	yes := true
	return accounts.CostCodeInput{Archived: &yes}
}

// A refused cost code limit is named at its field and changes nothing.
func TestUserCostCodeLimitRefusal(t *testing.T) {
	e := webtest.New(t)
	clerk := fmt.Sprint(e.Users["clerk"].ID)
	if _, err := e.Acc.CreateCostCode(context.Background(), e.Owner, "Marketing", ""); err != nil {
		t.Fatal(err)
	}
	resp := e.Do("owner", "POST", "/account/users/"+clerk, form("name", "Carl Renamed", "permissions", "buy_postage", "cost_codes", "999999"))
	body := webtest.Body(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, `id="cost_codes-error">Choose cost codes of this account from the list.`) {
		t.Fatalf("foreign cost code: %d\n%.3000s", resp.StatusCode, body)
	}
	if ids, _ := e.Acc.UserCostCodes(context.Background(), e.Users["clerk"].ID); len(ids) != 0 {
		t.Errorf("limits saved: %v", ids)
	}
	if u, _ := e.Acc.User(context.Background(), e.Users["clerk"].ID); u.Name != "Carl Clerk" {
		t.Errorf("the refused form renamed the user to %q", u.Name)
	}
}
