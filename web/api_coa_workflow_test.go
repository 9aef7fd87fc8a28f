package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/webtest"
)

// rawCall sends body as it is (a streamed file) with a key.
func bodyCall(t *testing.T, e *webtest.Env, key, method, path, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", contentType)
	resp := e.Test(req)
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func multipartCall(t *testing.T, e *webtest.Env, key, path string, fields map[string]string, file string) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "moves.csv")
	fw.Write([]byte(file))
	w.Close()
	return bodyCall(t, e, key, "POST", path, w.FormDataContentType(), body.Bytes())
}

func waitListStatus(t *testing.T, e *webtest.Env, key string, id float64) map[string]any {
	t.Helper()
	var out map[string]any
	for range 400 {
		_, out = apiCall(t, e, key, "GET", fmt.Sprintf("/api/v1/coa/lists/%d", int64(id)), "")
		if out["status"] != "loading" {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("list still loading: %v", out)
	return nil
}

func TestAPICOAListUpload(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	staff := key(t, e, e.Users["staff"])
	// Multipart, with a bad line.
	code, out := multipartCall(t, e, staff, "/api/v1/coa/lists", map[string]string{"source": "USPS weekly"}, coaCSVHeader+
		"individual,Ann,,Ash,,80 Main St,,,,06901,1 Elm Rd,,,,06902,2026-09-01,,\n"+
		"individual,Bo,,Birch,,81 Main St,,,,06901,1 Elm Rd,,,,06902,someday,,\n")
	if code != http.StatusAccepted || out["id"] == nil || out["job_url"] == "" {
		t.Fatalf("multipart upload: %d %v", code, out)
	}
	got := waitListStatus(t, e, staff, out["id"].(float64))
	lines, _ := got["lines"].([]any)
	if got["status"] != "active" || got["bad_rows"].(float64) != 1 || len(lines) != 1 ||
		lines[0].(map[string]any)["line"].(float64) != 3 || !strings.Contains(lines[0].(map[string]any)["reason"].(string), "move_effective_date") {
		t.Errorf("list after loading: %v", got)
	}
	if job, _ := got["job"].(map[string]any); job == nil || job["status"] != "succeeded" {
		t.Errorf("job: %v", got["job"])
	}
	// The whole body, streamed, with the source in the query.
	code, out = bodyCall(t, e, staff, "POST", "/api/v1/coa/lists?source=USPS+daily&filename=daily.csv", "text/csv",
		[]byte(coaCSVHeader+"family,,,Cedar,,82 Main St,,,,06901,,,,,,2026-09,yes,\n"))
	if code != http.StatusAccepted || out["filename"] != "daily.csv" {
		t.Fatalf("raw upload: %d %v", code, out)
	}
	if got := waitListStatus(t, e, staff, out["id"].(float64)); got["status"] != "active" || got["loaded_rows"].(float64) != 1 {
		t.Errorf("raw list: %v", got)
	}
	// A header lacking a needed column is refused at once, at the field.
	code, out = bodyCall(t, e, staff, "POST", "/api/v1/coa/lists?source=x", "text/csv", []byte("name,address\nBob,1 Main St\n"))
	if c, f := errField(out); code != http.StatusUnprocessableEntity || c != "invalid" || f != "file" || !strings.Contains(errMessage(out), "move_type") {
		t.Errorf("bad header: %d %v", code, out)
	}
	code, out = bodyCall(t, e, staff, "POST", "/api/v1/coa/lists?source=x", "text/csv", nil)
	if _, f := errField(out); code != http.StatusUnprocessableEntity || f != "file" {
		t.Errorf("empty body: %d %v", code, out)
	}
	code, out = bodyCall(t, e, staff, "POST", "/api/v1/coa/lists", "text/csv", []byte(coaCSVHeader+"family,,,Cedar,,82 Main St,,,,06901,,,,,,2026-09,yes,\n"))
	if _, f := errField(out); code != http.StatusUnprocessableEntity || f != "source" {
		t.Errorf("no source: %d %v", code, out)
	}
	// A mailer's key may not upload lists.
	if code, _ := bodyCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/coa/lists?source=x", "text/csv", []byte(coaCSVHeader)); code != http.StatusForbidden {
		t.Errorf("mailer upload: %d", code)
	}
}

func TestAPICOAMatchesFilterAndBulk(t *testing.T) {
	e := webtest.New(t)
	book := coaBook(e)
	ctx := context.Background()
	var rows []string
	for i := range 5 {
		line := fmt.Sprintf("%d Bulk St", 10+i)
		if _, err := book.Create(ctx, e.Owner, addressbook.EntryInput{Name: fmt.Sprintf("Ann Bulk%c", 'a'+rune(i)), ExternalID: fmt.Sprintf("CRM-%d", i),
			Fields: address.Fields{Line1: line, ZIP: "06901"}, Decision: addressbook.DecisionSuggested}); err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			rows = append(rows, fmt.Sprintf("individual,Ann,,Bulk%c,,%s,,,,06901,%d Oak Rd,,,,06902,2026-06-01,,", 'a'+rune(i), line, i))
		} else {
			rows = append(rows, fmt.Sprintf("family,,,Bulk%c,,%s,,,,06901,,,,,,2026-09-01,yes,", 'a'+rune(i), line))
		}
	}
	loadCOAList(e, rows...)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches?limit=2", "")
	if code != 200 || out["total"].(float64) != 5 || len(out["matches"].([]any)) != 2 || out["next_after"] == nil {
		t.Fatalf("page 1: %d %v", code, out)
	}
	first := out["matches"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(first["external_id"].(string), "CRM-") {
		t.Errorf("match lacks the mailer's id: %v", first)
	}
	code, out = apiCall(t, e, k, "GET", fmt.Sprintf("/api/v1/coa/matches?limit=2&after=%d", int64(out["next_after"].(float64))), "")
	if code != 200 || len(out["matches"].([]any)) != 2 {
		t.Errorf("page 2: %d %v", code, out)
	}
	code, out = apiCall(t, e, k, "GET", "/api/v1/coa/matches?code=moved_left_no_address&move_type=family&from=2026-08-01", "")
	if code != 200 || out["total"].(float64) != 2 {
		t.Errorf("filtered: %d %v", code, out)
	}
	for q, field := range map[string]string{"code=moved": "code", "move_type=pets": "move_type", "from=June": "from", "after=x": "after"} {
		if code, out := apiCall(t, e, k, "GET", "/api/v1/coa/matches?"+q, ""); code != 422 {
			t.Errorf("%s: %d %v", q, code, out)
		} else if _, f := errField(out); f != field {
			t.Errorf("%s: field %q", q, f)
		}
	}
	// Accept every new address by filter; then dismiss the rest by ids.
	code, out = apiCall(t, e, k, "POST", "/api/v1/coa/matches/accept", `{"filter":{"code":"new_address"}}`)
	if code != 200 || out["decided"].(float64) != 3 || len(out["skipped"].([]any)) != 0 {
		t.Fatalf("bulk accept: %d %v", code, out)
	}
	_, out = apiCall(t, e, k, "GET", "/api/v1/coa/matches", "")
	var ids []string
	for _, m := range out["matches"].([]any) {
		ids = append(ids, fmt.Sprint(int64(m.(map[string]any)["id"].(float64))))
	}
	code, out = apiCall(t, e, k, "POST", "/api/v1/coa/matches/dismiss", `{"ids":[`+strings.Join(ids, ",")+`,999999]}`)
	if code != 200 || out["decided"].(float64) != 2 || len(out["skipped"].([]any)) != 1 {
		t.Errorf("bulk dismiss: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "POST", "/api/v1/coa/matches/accept", `{}`); code != 422 {
		t.Errorf("empty bulk: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "POST", "/api/v1/coa/matches/accept", `{"filter":{"code":"nope"}}`); code != 422 {
		t.Errorf("bad filter: %d %v", code, out)
	} else if _, f := errField(out); f != "filter.code" {
		t.Errorf("bad filter field %q", f)
	}
	// A key without buy_postage may read but not decide.
	if code, _ := apiCall(t, e, key(t, e, e.Owner), "POST", "/api/v1/coa/matches/accept", `{"ids":[1]}`); code != http.StatusForbidden {
		t.Errorf("read-only key decided: %d", code)
	}
}

func TestAPIAddressBook(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/addresses", `{"name":"Ann Lee","external_id":"CRM-1","reference":"order 7","line1":"350 5th ave","city":"New York","state":"NY","zip":"10118"}`)
	if code != http.StatusCreated || out["line1"] != "350 5TH AVE" || out["external_id"] != "CRM-1" || out["reference"] != "order 7" {
		t.Fatalf("create: %d %v", code, out)
	}
	id := int64(out["id"].(float64))
	path := fmt.Sprintf("/api/v1/addresses/%d", id)
	if code, out = apiCall(t, e, k, "POST", "/api/v1/addresses", `{"name":"Bo","external_id":"CRM-1","line1":"1 Main St","zip":"06901"}`); code != http.StatusConflict {
		t.Errorf("duplicate external id: %d %v", code, out)
	} else if _, f := errField(out); f != "external_id" {
		t.Errorf("duplicate external id field %q", f)
	}
	if code, out = apiCall(t, e, k, "POST", "/api/v1/addresses", `{"name":"Bo"}`); code != 422 {
		t.Errorf("no address: %d %v", code, out)
	}
	code, out = apiCall(t, e, k, "PATCH", path, `{"reference":"order 8"}`)
	if code != 200 || out["reference"] != "order 8" || out["line1"] != "350 5TH AVE" || out["name"] != "Ann Lee" {
		t.Errorf("patch: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "GET", path, ""); code != 200 || out["external_id"] != "CRM-1" {
		t.Errorf("get: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "GET", "/api/v1/addresses?external_id=CRM-1", ""); code != 200 || out["total"].(float64) != 1 {
		t.Errorf("by external id: %d %v", code, out)
	}
	// Import as a streamed body: a bad row by line, the rest imported.
	code, out = bodyCall(t, e, k, "POST", "/api/v1/addresses/import", "text/csv",
		[]byte("name,line1,zip,external_id\nCy,9 Oak St,06901,CRM-2\nDi,,,CRM-3\nEd,10 Oak St,06901,CRM-1\n"))
	if code != 200 || out["imported"].(float64) != 1 || out["bad_count"].(float64) != 2 {
		t.Fatalf("import: %d %v", code, out)
	}
	bad := out["bad"].([]any)
	if bad[0].(map[string]any)["line"].(float64) != 3 || bad[1].(map[string]any)["line"].(float64) != 4 {
		t.Errorf("import bad rows: %v", bad)
	}
	if code, out = bodyCall(t, e, k, "POST", "/api/v1/addresses/import", "text/csv", []byte("who,what\n1,2\n")); code != 422 {
		t.Errorf("bad header: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "GET", "/api/v1/addresses?limit=10", ""); code != 200 || out["total"].(float64) != 2 {
		t.Errorf("list: %d %v", code, out)
	}
	if code, _ = apiCall(t, e, k, "DELETE", path, ""); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _ = apiCall(t, e, k, "GET", path, ""); code != http.StatusNotFound {
		t.Errorf("get deleted: %d", code)
	}
	// Another account's key sees nothing of it; staff have no address book.
	if code, _ := apiCall(t, e, key(t, e, e.Users["staff"]), "GET", "/api/v1/addresses", ""); code != http.StatusForbidden {
		t.Errorf("staff: %d", code)
	}
}
