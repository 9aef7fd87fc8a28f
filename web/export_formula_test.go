package web_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"indicia/web/webtest"
)

// An address book entry whose name is a spreadsheet formula exports as text
// in both CSV and XLSX, so opening the download runs nothing.
func TestAddressExportNeutralizesFormulas(t *testing.T) {
	e := webtest.New(t)
	const evil = "=cmd|' /C calc'!A0"
	data := "name,company,line1,line2,city,state,zip,email,phone,department\n" +
		"\"" + evil + "\",@SUM(1),350 5th Ave,,New York,NY,10118,,,\n"
	resp := upload(t, e, "clerk", "/addresses/import", "book.csv", []byte(data))
	if body := webtest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "1 address") {
		t.Fatalf("import: %d\n%s", resp.StatusCode, body)
	}
	code, body := get(t, e, "owner", "/addresses/export?format=csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(recs) != 2 {
		t.Fatalf("csv export: %d %v %q", code, err, recs)
	}
	if recs[1][0] != "'"+evil || recs[1][1] != "'@SUM(1)" || recs[1][2] != "350 5TH AVE" {
		t.Errorf("csv export cells: %q", recs[1])
	}
	resp = e.Do("owner", "GET", "/addresses/export?format=xlsx", nil)
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil || len(rows) != 2 || rows[1][0] != "'"+evil || rows[1][1] != "'@SUM(1)" {
		t.Errorf("xlsx export: %v %q", err, rows)
	}
}
