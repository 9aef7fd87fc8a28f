package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/web/request"
	"indicia/web/webtest"
)

const coaCSVHeader = "move_type,first_name,middle,last_name,firm,old_line1,old_line2,old_city,old_state,old_zip,new_line1,new_line2,new_city,new_state,new_zip,move_effective_date,moved_left_no_address,po_box_closed\n"

// loadCOAList loads and matches a list as postal staff, without the worker.
func loadCOAList(e *webtest.Env, rows ...string) int64 {
	e.T.Helper()
	ctx := context.Background()
	path, err := coa.SaveUpload(e.T.TempDir(), strings.NewReader(coaCSVHeader+strings.Join(rows, "\n")+"\n"))
	if err != nil {
		e.T.Fatal(err)
	}
	l, _, err := e.COA.CreateList(ctx, e.Users["staff"], coa.COAListInput{Source: "USPS test", Filename: "t.csv", Path: path})
	if err == nil {
		_, err = e.COA.ImportList(ctx, l.ID, nil)
	}
	if err == nil {
		_, err = e.COA.MatchLists(ctx, l.ID)
	}
	if err != nil {
		e.T.Fatal(err)
	}
	return l.ID
}

var coaSeq atomic.Int64

// coaBook is an address book over the test's database.
func coaBook(e *webtest.Env) *addressbook.Book {
	e.T.Helper()
	c, err := address.New()
	if err != nil {
		e.T.Fatal(err)
	}
	return addressbook.New(e.Pool, c)
}

// seedCOAMove adds an owner's book entry and a list moving it; it returns the match.
func seedCOAMove(e *webtest.Env, last string) int64 {
	e.T.Helper()
	n := coaSeq.Add(1)
	last = fmt.Sprintf("%s%c", last, 'a'+rune(n%26))
	line1 := fmt.Sprintf("%d Maple St", 100+n)
	en, err := coaBook(e).Create(context.Background(), e.Owner, addressbook.EntryInput{Name: "Robert " + last,
		Fields: address.Fields{Line1: line1, ZIP: "06901"}, Decision: addressbook.DecisionSuggested})
	if err != nil {
		e.T.Fatal(err)
	}
	loadCOAList(e, fmt.Sprintf("individual,Bob,,%s,,%s,,,,06901,%d Birch Rd,,,,06902,2026-06,,", last, line1, n))
	list, _, err := e.COA.Matches(context.Background(), e.Owner, "", 0, 500)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, m := range list {
		if m.EntryID == en.ID {
			return m.ID
		}
	}
	e.T.Fatalf("no match for %s", last)
	return 0
}

func TestCOAAPIMatchesAcceptDismiss(t *testing.T) {
	e := webtest.New(t)
	a := seedCOAMove(e, "Api")
	b := seedCOAMove(e, "Api")
	k := key(t, e, e.Owner, "buy_postage")
	status, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches", "")
	if status != 200 || out["total"].(float64) != 2 {
		t.Fatalf("list: %d %v", status, out)
	}
	first := out["matches"].([]any)[0].(map[string]any)
	if first["code"] != "new_address" || first["move_type"] != "individual" || first["new"].(map[string]any)["zip"] != "06902" {
		t.Errorf("match JSON: %v", first)
	}
	status, out = apiCall(t, e, k, "POST", fmt.Sprintf("/api/v1/coa/matches/%d/accept", a), "")
	if status != 200 || out["status"] != "accepted" {
		t.Errorf("accept: %d %v", status, out)
	}
	status, out = apiCall(t, e, k, "POST", fmt.Sprintf("/api/v1/coa/matches/%d/accept", a), "")
	if status != http.StatusConflict {
		t.Errorf("accept twice: %d %v", status, out)
	}
	if status, out = apiCall(t, e, k, "POST", fmt.Sprintf("/api/v1/coa/matches/%d/dismiss", b), ""); status != 200 || out["status"] != "dismissed" {
		t.Errorf("dismiss: %d %v", status, out)
	}
	if status, out = apiCall(t, e, k, "GET", "/api/v1/coa/matches?status=accepted", ""); status != 200 || out["total"].(float64) != 1 {
		t.Errorf("accepted list: %d %v", status, out)
	}
	if status, _ = apiCall(t, e, k, "GET", "/api/v1/coa/matches?status=nonsense", ""); status != 400 && status != 422 {
		t.Errorf("bad status filter: %d", status)
	}
}

func TestCOAPrivacyAcrossAccounts(t *testing.T) {
	e := webtest.New(t)
	m := seedCOAMove(e, "Private")
	// Another mailer account with its own owner and key.
	other, _, err := e.Acc.SignUp(context.Background(), accountsSignUp("other@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	k := key(t, e, other, "buy_postage")
	if status, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches", ""); status != 200 || out["total"].(float64) != 0 {
		t.Errorf("another account sees: %d %v", status, out)
	}
	if status, _ := apiCall(t, e, k, "POST", fmt.Sprintf("/api/v1/coa/matches/%d/accept", m), ""); status != http.StatusNotFound {
		t.Errorf("another account accepted: %d", status)
	}
	if r := e.Do("owner", "GET", "/coa/lists", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a mailer opened the COA lists: %d", r.StatusCode)
	}
	var logged int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(*) FROM coa_access_log WHERE user_id = $1 AND action = 'view_matches'`, other.ID).Scan(&logged); err != nil || logged == 0 {
		t.Errorf("access not logged: %d %v", logged, err)
	}
}

// uploadCOA posts a list file as postal staff through the page.
func uploadCOA(t *testing.T, e *webtest.Env, content string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", e.Sessions["staff"][1])
	w.WriteField("source", "USPS weekly")
	fw, _ := w.CreateFormFile("file", "moves.csv")
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest("POST", "/coa/lists", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions["staff"][0]})
	return e.Test(req)
}

func TestCOAUploadThroughThePageWithWorker(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	ctx := context.Background()
	if _, err := coaBook(e).Create(ctx, e.Owner, addressbook.EntryInput{Name: "Liz Worker", Fields: address.Fields{Line1: "77 Cedar St", ZIP: "06901"},
		Decision: addressbook.DecisionSuggested}); err != nil {
		t.Fatal(err)
	}
	resp := uploadCOA(t, e, coaCSVHeader+
		"individual,Elizabeth,,Worker,,77 Cedar St,,,,06901,88 Spruce St,,,,06902,2026-08-15,,\n"+
		"individual,,,,,77 Cedar St,,,,06901,88 Spruce St,,,,06902,2026-08-15,,\n")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/jobs/") {
		t.Fatalf("upload: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The worker loads the list, then matches it and emails the owner.
	mails := e.Mail.Wait(1, 20*time.Second)
	if len(mails) != 1 || mails[0].To[0] != "owner@example.com" || !strings.Contains(mails[0].Data, "/coa") {
		t.Fatalf("mails: %+v", mails)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/coa", nil))
	if !strings.Contains(page, "88 SPRUCE ST") || !strings.Contains(page, "Liz Worker") || !strings.Contains(page, "2026-08-15") {
		t.Errorf("/coa page lacks the move:\n%s", page)
	}
	// The list page shows the bad line by number.
	lists, err := e.COA.Lists(ctx, e.Users["staff"], 10)
	if err != nil || len(lists) != 1 {
		t.Fatal(lists, err)
	}
	lp := webtest.Body(t, e.Do("staff", "GET", "/coa/lists/"+strconv.FormatInt(lists[0].ID, 10), nil))
	if !strings.Contains(lp, "<td>3</td>") || !strings.Contains(lp, "first_name and last_name") {
		t.Errorf("line error not shown:\n%s", lp)
	}
}

// The address check behind the purchase and address forms warns about a move
// when it is given the recipient's name.
func TestCOAWarningInAddressCheck(t *testing.T) {
	e := webtest.New(t)
	loadCOAList(e, "individual,Robert,,Checkman,,12 Willow St,,,,06901,34 Aspen Rd,,,,06902,2026-07,,")
	form := func(name string) url.Values {
		return url.Values{"line1": {"12 Willow Street"}, "zip": {"06901"}, "name": {name}}
	}
	var out map[string]any
	resp := e.Do("owner", "POST", "/addresses/check", form("Bob Checkman"))
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("check: %d %v", resp.StatusCode, err)
	}
	mv, _ := out["moved"].(map[string]any)
	if mv == nil || mv["code"] != "new_address" || mv["new"].(map[string]any)["line1"] != "34 ASPEN RD" || !strings.Contains(mv["warning"].(string), "34 ASPEN RD") {
		t.Fatalf("no move warning: %v", out)
	}
	out = nil
	resp = e.Do("owner", "POST", "/addresses/check", form("Alice Other"))
	json.NewDecoder(resp.Body).Decode(&out)
	if _, ok := out["moved"]; ok || out["status"] == nil {
		t.Errorf("another name got a warning: %v", out)
	}
}

// Saving an address-book entry queues the account's matching: a move already
// on a list shows up without a new list.
func TestCOABookEditTriggersMatch(t *testing.T) {
	e := webtest.New(t)
	loadCOAList(e, "individual,Nora,,Later,,55 Poplar St,,,,06901,66 Linden St,,,,06902,2026-05,,")
	e.StartWorker()
	resp := e.Do("owner", "POST", "/addresses", url.Values{"name": {"Nora Later"}, "line1": {"55 Poplar St"}, "zip": {"06901"}, "decision": {"suggested"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		list, _, err := e.COA.Matches(context.Background(), e.Owner, "", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].New.Line1 == "66 LINDEN ST" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no match after saving the entry: %+v", list)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
