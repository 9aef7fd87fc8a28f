package xlsxstream

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook written here opens in excelize with every cell's text and type
// as written: numbers as numbers, the rest as text, markup and odd
// characters intact, across many flushes and past column Z.
func TestWorkbookOpensWithItsCellsAndTypes(t *testing.T) {
	var out bytes.Buffer
	x, err := New(&out, "Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	numeric := func(i int) bool { return i == 1 || i == 2 }
	header := []string{"name", "postage", "weight", "note"}
	if err := x.Row(header, nil); err != nil {
		t.Fatal(err)
	}
	odd := []string{"Tom & Jerry <Co>", "'=SUM(A1)", "line one\nline two", "tab\there", "bell\x07", "café ☕", "bad \xff byte", "cr\rhere"}
	want := []string{"Tom & Jerry <Co>", "'=SUM(A1)", "line one\nline two", "tab\there", "bell\uFFFD", "café ☕", "bad \uFFFD byte", "cr\rhere"}
	const n = 5000
	for i := 0; i < n; i++ {
		if err := x.Row([]string{odd[i%len(odd)], strconv.Itoa(i) + ".25", "-0.5", ""}, numeric); err != nil {
			t.Fatal(err)
		}
	}
	// Not numbers, though in numeric columns: kept as text.
	if err := x.Row([]string{"x", "NaN", "", "end"}, numeric); err != nil {
		t.Fatal(err)
	}
	wide := make([]string, 30)
	for i := range wide {
		wide[i] = fmt.Sprint(i)
	}
	if err := x.Row(wide, nil); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+3 {
		t.Fatalf("%d rows, want %d", len(rows), n+3)
	}
	if fmt.Sprint(rows[0]) != fmt.Sprint(header) {
		t.Errorf("header %q", rows[0])
	}
	for i := 0; i < n; i++ {
		r := rows[i+1]
		if len(r) != 3 || r[0] != want[i%len(want)] || r[1] != strconv.Itoa(i)+".25" || r[2] != "-0.5" {
			t.Fatalf("row %d: %q", i+2, r)
		}
	}
	for cell, typ := range map[string]excelize.CellType{"A2": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset, "C2": excelize.CellTypeUnset, "B5003": excelize.CellTypeInlineString} {
		got, err := f.GetCellType("Sheet1", cell)
		if err != nil || got != typ {
			t.Errorf("%s: type %v (%v), want %v", cell, got, err, typ)
		}
	}
	if v, err := f.GetCellValue("Sheet1", "B5001"); err != nil || v != "4999.25" {
		t.Errorf("B5001 = %q (%v)", v, err)
	}
	if got := rows[n+1]; len(got) != 4 || got[1] != "NaN" || got[2] != "" || got[3] != "end" {
		t.Errorf("text in numeric columns: %q", got)
	}
	if got := rows[n+2]; len(got) != 30 || got[29] != "29" {
		t.Errorf("wide row: %q", got)
	}
	if v, _ := f.GetCellValue("Sheet1", "AD5003"); v != "29" {
		t.Errorf("AD5003 = %q", v)
	}
}

func TestColumnNames(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnName(i); got != want {
			t.Errorf("column %d = %s, want %s", i, got, want)
		}
	}
}
