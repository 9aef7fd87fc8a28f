package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/hygiene/coa"
	"indicia/web/webtest"
)

// A list whose header lacks a column its rows need is refused on the form,
// before anything is stored or queued.
func TestCOAUploadHeaderCheckedAtUpload(t *testing.T) {
	e := webtest.New(t)
	resp := uploadCOA(t, e, "move_type,first_name,last_name,old_line1,old_zip,new_line1,new_zip,move_effective_date\n"+
		"individual,Hal,Ivy,80 Main St,06901,1 New Rd,06902,2026-06\n"+
		"business,,,9 Mill Rd,06901,2 Oak Rd,06902,2026-06\n")
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 3") || !strings.Contains(body, "firm") {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
	}
	var n int
	if err := e.Pool.QueryRow(context.Background(), `SELECT count(*) FROM coa_lists`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a refused upload was recorded: %d lists (%v)", n, err)
	}
	// The same rows without the business move need no firm column.
	resp = uploadCOA(t, e, "move_type,first_name,last_name,old_line1,old_zip,new_line1,new_zip,move_effective_date\n"+
		"individual,Hal,Ivy,80 Main St,06901,1 New Rd,06902,2026-06\n")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("individuals only: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
}

// When every row is bad, the job page speaks plainly and the list page gives
// each line's reason and the right count.
func TestCOAAllBadListPages(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	resp := uploadCOA(t, e, coaCSVHeader+
		"moving,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,\n"+
		"individual,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,yes,\n")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	job := resp.Header.Get("Location")
	var page string
	for range 200 {
		page = webtest.Body(t, e.Do("staff", "GET", job, nil))
		if strings.Contains(page, "job-error") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, bad := range []string{"skip retry", "coa:", "refused:"} {
		if strings.Contains(page, bad) {
			t.Errorf("job page shows internal text %q:\n%s", bad, page)
		}
	}
	if !strings.Contains(page, "line by line") || !strings.Contains(page, "/coa/lists/") {
		t.Errorf("job page does not lead to the reasons:\n%s", page)
	}
	lists, err := e.COA.Lists(context.Background(), e.Users["staff"], 10)
	if err != nil || len(lists) != 1 {
		t.Fatal(lists, err)
	}
	l := lists[0]
	if l.Status != coa.ListFailed || l.BadRows != 2 {
		t.Fatalf("list %+v", l)
	}
	lp := webtest.Body(t, e.Do("staff", "GET", "/coa/lists/"+strconv.FormatInt(l.ID, 10), nil))
	for _, want := range []string{`<span id="bad-rows">2</span>`, "<td>2</td>", "move_type", "<td>3</td>", "moved_left_no_address"} {
		if !strings.Contains(lp, want) {
			t.Errorf("list page lacks %q:\n%s", want, lp)
		}
	}
}

// Every upload has a template to download, and each template loads.
func TestUploadTemplates(t *testing.T) {
	e := webtest.New(t)
	for _, tc := range []struct{ role, path, col string }{
		{"staff", "/coa/lists/template.csv", "move_effective_date"},
		{"owner", "/addresses/template.csv", "department"},
		{"owner", "/cleanse/template.csv", "line1"},
	} {
		resp := e.Do(tc.role, "GET", tc.path, nil)
		body := webtest.Body(t, resp)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d %v", tc.path, resp.StatusCode, resp.Header)
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) < 2 || !strings.Contains(strings.Join(rows[0], ","), tc.col) {
			t.Errorf("%s: %v %q", tc.path, err, body)
		}
	}
	// The address-book template imports without a bad row.
	resp := e.Do("owner", "GET", "/addresses/template.csv", nil)
	code, out := bodyCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/addresses/import", "text/csv", []byte(webtest.Body(t, resp)))
	if code != 200 || out["imported"].(float64) != 2 || out["bad_count"].(float64) != 0 {
		t.Errorf("address template import: %d %v", code, out)
	}
	// The list template passes the check and loads without a bad row.
	resp = e.Do("staff", "GET", "/coa/lists/template.csv", nil)
	id := loadCOAListRaw(e, webtest.Body(t, resp))
	l, errs, err := e.COA.List(context.Background(), e.Users["staff"], id, 10)
	if err != nil || l.Status != coa.ListActive || l.BadRows != 0 {
		t.Errorf("template list: %+v %v %v", l, errs, err)
	}
}

// loadCOAListRaw loads a whole list file (header included) as postal staff.
func loadCOAListRaw(e *webtest.Env, content string) int64 {
	e.T.Helper()
	ctx := context.Background()
	path, err := coa.SaveUpload(e.T.TempDir(), strings.NewReader(content))
	if err != nil {
		e.T.Fatal(err)
	}
	if err := coa.CheckListFile(path); err != nil {
		e.T.Fatal(err)
	}
	l, _, err := e.COA.CreateList(ctx, e.Users["staff"], coa.COAListInput{Source: "USPS test", Filename: "t.csv", Path: path})
	if err == nil {
		_, err = e.COA.ImportList(ctx, l.ID, nil)
	}
	if err != nil {
		e.T.Fatal(err)
	}
	return l.ID
}
