package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/web/webtest"
)

// reportsEnv is the test app with three labels bought by the owner, one of
// them charged to a cost code whose name looks like a formula.
func reportsEnv(t *testing.T) (*webtest.Env, []string) {
	t.Helper()
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	var labels []string
	for i := 0; i < 3; i++ {
		body := oneLabel
		if i == 0 {
			// The first piece names its weight: the register shows it.
			body = strings.Replace(oneLabel, `"postage":78,`, `"postage":78,"weight_oz":1,`, 1)
		}
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", body)
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("buy: %d %v", code, out)
		}
		for _, l := range out["labels"].([]any) {
			labels = append(labels, l.(map[string]any)["id"].(string))
		}
	}
	ctx := context.Background()
	var cc int64
	if err := e.Pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, created_at) VALUES ($1, '=SUM(1,1)', now()) RETURNING id`, e.Owner.AccountID).Scan(&cc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET cost_code_id = $1 WHERE public_id = $2`, cc, labels[0]); err != nil {
		t.Fatal(err)
	}
	return e, labels
}

func TestReportsPageAndDownloads(t *testing.T) {
	e, labels := reportsEnv(t)
	r := e.Do("owner", "GET", "/reports", nil)
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("owner /reports: %d\n%.800s", r.StatusCode, body)
	}
	for _, want := range append([]string{`id="spend-by-month"`, "<svg", `class="chart-bar"`, `id="register-table"`, `href="/reports"`, "/reports/register/csv?"}, labels...) {
		if !strings.Contains(body, want) {
			t.Errorf("the reports page lacks %q", want)
		}
	}

	r = e.Do("owner", "GET", "/reports/register/csv", nil)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("register csv: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(webtest.Body(t, r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(labels) || recs[0][1] != "label_id" {
		t.Fatalf("register csv: %d records (header %v), want %d", len(recs), recs[0], 1+len(labels))
	}
	for _, rec := range recs[1:] {
		if rec[1] == labels[0] && rec[4] != "'=SUM(1,1)" {
			t.Errorf("cost code cell %q: a formula must be neutralized", rec[4])
		}
		if rec[11] != "0.78" || rec[13] != "issued" {
			t.Errorf("register row %v: want postage 0.78, issued", rec)
		}
		if rec[3] != e.Owner.Name {
			t.Errorf("register row %v: user %q, want the buyer %q", rec, rec[3], e.Owner.Name)
		}
		if want := map[bool]string{true: "1", false: "0"}[rec[1] == labels[0]]; recs[0][10] != "weight_oz" || rec[10] != want {
			t.Errorf("register row %v: weight %q (column %q), want %s", rec, rec[10], recs[0][10], want)
		}
	}

	r = e.Do("owner", "GET", "/reports/summary/xlsx?group=class", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("summary xlsx: %d", r.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(webtest.Body(t, r))))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Sheet1")
	if err != nil || len(rows) != 3 || rows[2][0] != "Total" || rows[2][1] != "3" || rows[2][5] != "2.34" {
		t.Errorf("summary xlsx rows %v %v; want a class row and a total of 3 pieces, $2.34", rows, err)
	}
	if typ, _ := x.GetCellType("Sheet1", "C3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the total postage cell is text (%v), want a number", typ)
	}

	// The register as XLSX holds the CSV's cells, amounts as numbers and
	// the formula-like cost code as neutralized text.
	r = e.Do("owner", "GET", "/reports/register/xlsx", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("register xlsx: %d", r.StatusCode)
	}
	x, err = excelize.OpenReader(bytes.NewReader([]byte(webtest.Body(t, r))))
	if err != nil {
		t.Fatal(err)
	}
	rows, err = x.GetRows("Sheet1")
	if err != nil || len(rows) != len(recs) {
		t.Fatalf("register xlsx: %d rows (%v), want %d", len(rows), err, len(recs))
	}
	for i, rec := range recs {
		for len(rec) > 0 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1]
		}
		got := slices.Clone(rows[i])
		for c := 10; i > 0 && c <= 12 && c < len(got) && c < len(rec); c++ {
			// Amounts are numbers: 0.00 in the CSV reads back as 0.
			a, errA := strconv.ParseFloat(got[c], 64)
			b, errB := strconv.ParseFloat(rec[c], 64)
			if errA == nil && errB == nil && a == b {
				got[c] = rec[c]
			}
		}
		if strings.Join(got, "|") != strings.Join(rec, "|") {
			t.Errorf("register xlsx row %d: %q, want the CSV's %q", i+1, rows[i], rec)
		}
	}
	for i := 2; i <= len(recs); i++ {
		for _, col := range []string{"K", "L", "M"} { // weight, postage, fee
			if typ, _ := x.GetCellType("Sheet1", col+strconv.Itoa(i)); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("register xlsx %s%d is text, want a number", col, i)
			}
		}
		if typ, _ := x.GetCellType("Sheet1", "B"+strconv.Itoa(i)); typ != excelize.CellTypeInlineString {
			t.Errorf("register xlsx label id B%d has type %v, want text", i, typ)
		}
	}

	// A vendor admin reads any account by its number.
	r = e.Do("admin", "GET", "/reports?account="+strconv.FormatInt(e.Owner.AccountID, 10), nil)
	if body := webtest.Body(t, r); r.StatusCode != http.StatusOK || !strings.Contains(body, labels[0]) {
		t.Errorf("admin reports for the account: %d", r.StatusCode)
	}
}

// Only owners, users holding "Export reports" and vendor admins read reports.
func TestReportsNeedExportReports(t *testing.T) {
	e, _ := reportsEnv(t)
	for _, role := range []string{"clerk", "staff"} {
		for _, path := range []string{"/reports", "/reports/register/csv", "/reports/funding/xlsx"} {
			if r := e.Do(role, "GET", path, nil); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s = %d, want 403", role, path, r.StatusCode)
			}
		}
	}
	if body := webtest.Body(t, e.Do("clerk", "GET", "/dashboard", nil)); strings.Contains(body, `href="/reports"`) {
		t.Error("the navigation offers reports to a user without Export reports")
	}
	if code, _ := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "GET", "/api/v1/reports/register", ""); code != http.StatusForbidden {
		t.Errorf("a key without the export_reports scope: %d, want 403", code)
	}
	if code, _ := apiCall(t, e, key(t, e, e.Owner, "export_reports"), "GET", "/api/v1/reports/register", ""); code != http.StatusOK {
		t.Errorf("a key with the export_reports scope: %d, want 200", code)
	}
}

// Bad filters are messages at their fields with 422, never a 500.
func TestReportsRefuseBadFiltersAtTheField(t *testing.T) {
	e, _ := reportsEnv(t)
	cases := map[string]string{
		"from=2026-05-10&to=2026-05-01": "to",
		"from=2020-01-01&to=2026-01-01": "to",
		"from=yesterday":                "from",
		"user=bob":                      "user",
		"cost_code=1.5":                 "cost_code",
		"class=NOPE":                    "class",
		"origin_zip=123":                "origin_zip",
		"group=weekday":                 "group",
	}
	for q, field := range cases {
		r := e.Do("owner", "GET", "/reports?"+q, nil)
		body := webtest.Body(t, r)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="r-`+field+`-error"`) {
			t.Errorf("page ?%s: %d, want 422 with a message at %s", q, r.StatusCode, field)
		}
		if r := e.Do("owner", "GET", "/reports/register/csv?"+q, nil); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("download ?%s: %d, want 422", q, r.StatusCode)
		}
		code, out := apiCall(t, e, key(t, e, e.Owner, "export_reports"), "GET", "/api/v1/reports/summary?"+q, "")
		if _, f := errField(out); code != http.StatusUnprocessableEntity || f != field {
			t.Errorf("API ?%s: %d at %q, want 422 at %s", q, code, f, field)
		}
	}
	k := key(t, e, e.Owner, "export_reports")
	for _, q := range []string{"cursor=%21%21", "limit=0", "limit=x"} {
		if code, _ := apiCall(t, e, k, "GET", "/api/v1/reports/register?"+q, ""); code != http.StatusUnprocessableEntity {
			t.Errorf("API register ?%s: %d, want 422", q, code)
		}
	}
	if code, _ := apiCall(t, e, k, "GET", "/api/v1/reports/ledger", ""); code != http.StatusNotFound {
		t.Errorf("an unknown report: %d, want 404", code)
	}
}

// The API pages the register with a cursor and downloads it as CSV by
// Accept or format=.
func TestReportsAPI(t *testing.T) {
	e, labels := reportsEnv(t)
	k := key(t, e, e.Owner, "export_reports")
	var got []string
	path := "/api/v1/reports/register?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("the cursor does not end")
		}
		code, out := apiCall(t, e, k, "GET", path, "")
		if code != http.StatusOK {
			t.Fatalf("register page: %d %v", code, out)
		}
		for _, r := range out["rows"].([]any) {
			got = append(got, r.(map[string]any)["label_id"].(string))
		}
		path = ""
		if next, _ := out["next_cursor"].(string); next != "" {
			path = "/api/v1/reports/register?limit=2&cursor=" + next
		}
	}
	if strings.Join(got, ",") != strings.Join(labels, ",") {
		t.Errorf("paged register %v, want %v", got, labels)
	}
	code, out := apiCall(t, e, k, "GET", "/api/v1/reports/funding", "")
	meters, _ := out["meters"].([]any)
	if code != http.StatusOK || len(meters) != 1 {
		t.Fatalf("funding: %d %v", code, out)
	}
	m := meters[0].(map[string]any)
	if m["closing_balance"].(float64) != 100_00-3*78 {
		t.Errorf("funding closing balance %v, want %d", m["closing_balance"], 100_00-3*78)
	}
	for _, how := range [][2]string{{"/api/v1/reports/register", "text/csv"}, {"/api/v1/reports/register?format=csv", ""}} {
		req := httptest.NewRequest("GET", how[0], nil)
		req.Header.Set("Authorization", "Bearer "+k)
		if how[1] != "" {
			req.Header.Set("Accept", how[1])
		}
		r := e.Test(req)
		body := webtest.Body(t, r)
		if r.StatusCode != http.StatusOK || strings.Count(body, "\n") != 1+len(labels) {
			t.Errorf("%s Accept %q: %d, %d lines", how[0], how[1], r.StatusCode, strings.Count(body, "\n"))
		}
	}
	var s struct {
		Total struct{ Pieces, Spend int64 }
	}
	req := httptest.NewRequest("GET", "/api/v1/reports/summary?group=meter", nil)
	req.Header.Set("Authorization", "Bearer "+k)
	if err := json.NewDecoder(e.Test(req).Body).Decode(&s); err != nil || s.Total.Pieces != 3 || s.Total.Spend != 3*78 {
		t.Errorf("summary total %+v %v", s.Total, err)
	}
}

// The API lists statements and sends one as PDF or CSV.
func TestStatementsAPI(t *testing.T) {
	e, _ := reportsEnv(t)
	if _, err := e.App.Reports.GenerateStatements(context.Background(), time.Now().UTC(), nil, ""); err != nil {
		t.Fatal(err)
	}
	k := key(t, e, e.Owner, "export_reports")
	code, out := apiCall(t, e, k, "GET", "/api/v1/statements", "")
	sts, _ := out["statements"].([]any)
	if code != http.StatusOK || len(sts) != 1 {
		t.Fatalf("statements: %d %v", code, out)
	}
	id := sts[0].(map[string]any)["id"].(string)
	for _, c := range []struct{ path, accept, prefix, ctype string }{
		{"/api/v1/statements/" + id, "", "%PDF", "application/pdf"},
		{"/api/v1/statements/" + id + "?format=csv", "", "section,", "text/csv"},
		{"/api/v1/statements/" + id, "text/csv", "section,", "text/csv"},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		req.Header.Set("Authorization", "Bearer "+k)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		r := e.Test(req)
		if body := webtest.Body(t, r); r.StatusCode != http.StatusOK || !strings.HasPrefix(body, c.prefix) || !strings.HasPrefix(r.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s (Accept %q): %d %s %.10q", c.path, c.accept, r.StatusCode, r.Header.Get("Content-Type"), body)
		}
	}
	if code, _ := apiCall(t, e, k, "GET", "/api/v1/statements/st_nope", ""); code != http.StatusNotFound {
		t.Errorf("an unknown statement: %d, want 404", code)
	}
	if code, _ := apiCall(t, e, k, "GET", "/api/v1/statements/"+id+"?format=doc", ""); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown format: %d, want 422", code)
	}
}

// Postal staff see revenue by origin post office and meter for a period,
// and download it; mailers do not.
func TestPostalRevenue(t *testing.T) {
	e, labels := reportsEnv(t)
	r := e.Do("staff", "GET", "/postal/revenue", nil)
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusOK || !strings.Contains(body, e.Meter.Record.Serial) || !strings.Contains(body, "$2.34") {
		t.Fatalf("staff revenue page: %d\n%.600s", r.StatusCode, body)
	}
	r = e.Do("staff", "GET", "/postal/revenue/csv?origin_zip=06901", nil)
	recs, err := csv.NewReader(strings.NewReader(webtest.Body(t, r))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "06901" || recs[1][2] != strconv.Itoa(len(labels)) || recs[1][6] != "2.34" {
		t.Errorf("revenue csv: %v %v", recs, err)
	}
	if r := e.Do("staff", "GET", "/postal/revenue?from=2026-02-01&to=2026-01-01", nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reversed period: %d, want 422", r.StatusCode)
	}
	if r := e.Do("owner", "GET", "/postal/revenue", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("owner on postal revenue: %d, want 403", r.StatusCode)
	}
}
