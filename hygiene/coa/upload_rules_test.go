package coa_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/hygiene/address"
	"indicia/hygiene/coa"
)

// A file whose every row is bad is refused, and still says why, per line.
func TestCOAAllRowsBadKeepLineReasons(t *testing.T) {
	e := newCOAEnv(t, 0)
	l, _ := e.load(
		"moving,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",  // line 2
		"individual,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,soon,,", // line 3
	)
	if l.Status != coa.ListFailed || l.BadRows != 2 || l.TotalRows != 2 {
		t.Fatalf("list %+v", l)
	}
	if strings.Contains(l.Message, "skip retry") || !strings.Contains(l.Message, "all 2 rows") {
		t.Errorf("message %q", l.Message)
	}
	_, errs, err := e.coa.List(context.Background(), e.staff, l.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Line != 2 || !strings.Contains(errs[0].Reason, "move_type") || errs[1].Line != 3 || !strings.Contains(errs[1].Reason, "move_effective_date") {
		t.Errorf("line reasons %+v", errs)
	}
}

// Only the columns the rows need are required: a list of individuals needs
// no firm column; a business row in such a file is refused at upload.
func TestCOAHeaderNeedsOnlyColumnsOfItsRows(t *testing.T) {
	e := newCOAEnv(t, 0)
	const head = "move_type,first_name,last_name,old_line1,old_zip,new_line1,new_zip,move_effective_date\n"
	ok := head + "individual,Hal,Ivy,80 Main St,06901,1 New Rd,06902,2026-06\n"
	path, err := coa.SaveUpload(t.TempDir(), strings.NewReader(ok))
	if err != nil {
		t.Fatal(err)
	}
	if err := coa.CheckListFile(path); err != nil {
		t.Fatalf("individuals without firm column refused: %v", err)
	}
	l, sum := e.loadPath(path, "ok.csv", 0)
	if l.Status != coa.ListActive || sum.Loaded != 1 {
		t.Fatalf("list %+v sum %+v", l, sum)
	}

	biz := ok + "business,,,9 Mill Rd,06901,2 Oak Rd,06902,2026-06\n"
	path, err = coa.SaveUpload(t.TempDir(), strings.NewReader(biz))
	if err != nil {
		t.Fatal(err)
	}
	err = coa.CheckListFile(path)
	var ie *address.ImportError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "Line 3") || !strings.Contains(ie.Message, "firm") {
		t.Fatalf("business row without firm column: %v", err)
	}

	noDate := "move_type,first_name,last_name,old_line1,old_zip,new_line1,new_zip\nindividual,Hal,Ivy,80 Main St,06901,1 New Rd,06902\n"
	path, _ = coa.SaveUpload(t.TempDir(), strings.NewReader(noDate))
	if err := coa.CheckListFile(path); !errors.As(err, &ie) || !strings.Contains(ie.Message, "move_effective_date") {
		t.Fatalf("missing date column: %v", err)
	}
}

func TestCOASpreadsheetDatesZIPsAndContradictions(t *testing.T) {
	e := newCOAEnv(t, 0)
	l, sum := e.load(
		"individual,Ann,,Ash,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-10-01 00:00:00,,", // 2: Excel text date
		"individual,Bo,,Birch,,81 Main St,,,,06901,1 New Rd,,,,06902,10/1/2026,,",          // 3: US date
		"individual,Cy,,Cedar,,82 Main St,,,,06901,1 New Rd,,,,06902,46296,,",              // 4: Excel serial (2026-10-01)
		"individual,Di,,Dogwood,,83 Main St,,Stamford,CT,6901,1 New Rd,,,,06902,2026-06,,", // 5: lost zero
		"individual,Ed,,Elm,,84 Main St,,,,6901,1 New Rd,,,,06902,2026-06,,",               // 6: lost zero, no city: refused
		"individual,Fay,,Fir,,85 Main St,,,,06901,1 New Rd,,,,06902,2026-06,yes,",          // 7: moved left no address + new address
		"individual,Gus,,Gum,,86 Main St,,,,06901,,,,,,2026-06,yes,",                       // 8: fine
	)
	if sum.Loaded != 5 || sum.Bad != 2 || sum.Corrected != 1 || l.Corrected != 1 {
		t.Fatalf("summary %+v list %+v", sum, l)
	}
	_, lines, err := e.coa.List(context.Background(), e.staff, l.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]coa.LineError{}
	for _, le := range lines {
		got[le.Line] = le
	}
	if le := got[5]; le.Kind != coa.LineCorrected || !strings.Contains(le.Reason, "06901") {
		t.Errorf("line 5: %+v", le)
	}
	if le := got[6]; le.Kind != coa.LineRefused {
		t.Errorf("line 6: %+v", le)
	}
	if le := got[7]; le.Kind != coa.LineRefused || !strings.Contains(le.Reason, "moved_left_no_address") || !strings.Contains(le.Reason, "new address") {
		t.Errorf("line 7: %+v", le)
	}
	for _, n := range []int64{2, 3, 4, 8} {
		if le, bad := got[n]; bad {
			t.Errorf("line %d refused: %+v", n, le)
		}
	}
	var eff []string
	rows, err := e.pool.Query(context.Background(), `SELECT to_char(effective,'YYYY-MM-DD') FROM coa_records WHERE list_id = $1 AND line IN (2,3,4) ORDER BY line`, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		eff = append(eff, s)
	}
	if strings.Join(eff, ",") != "2026-10-01,2026-10-01,2026-10-01" {
		t.Errorf("dates %v", eff)
	}
}

// A workbook whose date column holds real date cells and whose ZIP column
// holds numbers (as Excel stores a typed-in ZIP) loads.
func TestCOAXLSXDateCellsAndNumericZIPs(t *testing.T) {
	e := newCOAEnv(t, 0)
	f := excelize.NewFile()
	hdr := []string{"move_type", "first_name", "last_name", "old_line1", "old_city", "old_state", "old_zip", "new_line1", "new_city", "new_state", "new_zip", "move_effective_date"}
	for j, h := range hdr {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		f.SetCellValue("Sheet1", cell, h)
	}
	vals := []any{"individual", "Ida", "Lane", "90 Main St", "Stamford", "CT", 6901, "5 Bay Rd", "Stamford", "CT", 6902, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	for j, v := range vals {
		cell, _ := excelize.CoordinatesToCellName(j+1, 2)
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	l, sum := e.loadPath(path, "list.xlsx", 0)
	_, lines, _ := e.coa.List(context.Background(), e.staff, l.ID, 10)
	if l.Status != coa.ListActive || sum.Loaded != 1 || sum.Corrected != 1 || len(lines) != 1 ||
		!strings.Contains(lines[0].Reason, "old_zip") || !strings.Contains(lines[0].Reason, "new_zip") {
		t.Fatalf("list %+v sum %+v lines %+v", l, sum, lines)
	}
	var eff string
	if err := e.pool.QueryRow(context.Background(), `SELECT to_char(effective,'YYYY-MM-DD') FROM coa_records WHERE list_id = $1`, l.ID).Scan(&eff); err != nil || eff != "2026-10-01" {
		t.Errorf("effective %q %v", eff, err)
	}
}

// A list with each whole address in its line1 column loads, and a ZIP that
// lost its leading zero there comes back when the city and state written
// before it have that ZIP, with the reason on the line.
func TestCOAWholeAddressInLine1(t *testing.T) {
	e := newCOAEnv(t, 0)
	l, sum := e.load(
		`individual,Ida,,Ives,,"80 Main St, Stamford CT 6901",,,,,"1 New Rd, Stamford CT 06902",,,,,2026-06,,`, // 2: restored
		`individual,Jo,,Jay,,"81 Main St, Stamford CT 06901",,,,,"1 New Rd, Boston MA 6902",,,,,2026-06,,`,     // 3: 6902 is not Boston's: no ZIP, refused
		`individual,Kai,,Kim,,82 Main St,,,,,1 New Rd,,,,06902,2026-06,,`,                                      // 4: no ZIP, no city: refused
		`individual,Lu,,Lee,,"83 Main St, Boston MA 6901",,,,,1 New Rd,,,,06902,2026-06,,`,                     // 5: 6901 is not Boston's: refused, saying why
	)
	_, lines, err := e.coa.List(context.Background(), e.staff, l.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]coa.LineError{}
	for _, le := range lines {
		got[le.Line] = le
	}
	if le := got[2]; le.Kind != coa.LineCorrected || !strings.Contains(le.Reason, `ZIP "6901" at the end of the address read as 06901`) {
		t.Errorf("line 2: %+v", le)
	}
	if le := got[3]; le.Kind != coa.LineRefused || strings.Contains(le.Reason, "leading zero") {
		t.Errorf("line 3: %+v", le)
	}
	if le := got[4]; le.Kind != coa.LineRefused || !strings.Contains(le.Reason, "city, state and ZIP missing") {
		t.Errorf("line 4: %+v", le)
	}
	if le := got[5]; le.Kind != coa.LineRefused || !strings.Contains(le.Reason, "ZIP 6901 has 4 digits") {
		t.Errorf("line 5: %+v", le)
	}
	if sum.Loaded != 1 || sum.Bad != 3 {
		t.Errorf("summary %+v, lines %+v", sum, lines)
	}
	var zip string
	if err := e.pool.QueryRow(context.Background(), `SELECT old_zip FROM coa_records WHERE list_id = $1 AND line = 2`, l.ID).Scan(&zip); err != nil || zip != "06901" {
		t.Errorf("old_zip %q %v", zip, err)
	}
}
