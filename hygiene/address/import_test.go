package address

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var testSpec = ImportSpec{
	Columns:  []string{"name", "line1", "city", "state", "zip"},
	Required: [][]string{{"line1", "city", "state"}},
	Aliases:  map[string]string{"address 1": "line1", "zip code": "zip"},
}

type readRow struct {
	line   int
	values []string
	err    string
}

func readAll(t *testing.T, data []byte) ([]readRow, error) {
	t.Helper()
	im, err := NewImport(bytes.NewReader(data), int64(len(data)), "f", testSpec)
	if err != nil {
		return nil, err
	}
	defer im.Close()
	var out []readRow
	for {
		r, err := im.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, readRow{r.Line, append([]string(nil), r.Values...), r.Err})
	}
}

func xlsxBytes(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportCSVLineNumbersAndBadRows(t *testing.T) {
	data := "\ufeffName,Address 1,City,State,ZIP Code,Notes\n" +
		"Ann,1 Main St,Stamford,CT,06901,x\n" +
		"\n" +
		"Bob,\"2 Elm\nSt\",Boston,MA,02108,\n" + // a quoted newline: the row starts on line 4
		"Cy,3 Oak St,Austin,TX,78701,a,b,c\n" + // more cells than the header
		"Di,4 \"Pine\" St,Dallas,TX,75201,\n" + // bare quote
		"Ed,5 Ash St,Reno,NV,89501\n"
	rows, err := readAll(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	if rows[0].line != 2 || rows[0].err != "" || strings.Join(rows[0].values, "|") != "Ann|1 Main St|Stamford|CT|06901" {
		t.Errorf("row 1: %+v", rows[0])
	}
	if rows[1].line != 4 || rows[1].values[1] != "2 Elm\nSt" {
		t.Errorf("row with quoted newline: %+v", rows[1])
	}
	if rows[2].line != 6 || !strings.Contains(rows[2].err, "cells") {
		t.Errorf("row with extra cells: %+v", rows[2])
	}
	if rows[3].line != 7 || !strings.Contains(rows[3].err, "quote") {
		t.Errorf("row with a bare quote: %+v", rows[3])
	}
	if rows[4].line != 8 || rows[4].err != "" || rows[4].values[4] != "89501" {
		t.Errorf("row after the bad ones: %+v", rows[4])
	}
}

func TestImportXLSXLineNumbers(t *testing.T) {
	data := xlsxBytes(t, [][]any{
		{"name", "line1", "city", "state", "zip"},
		{"Ann", "1 Main St", "Stamford", "CT", "06901"},
		{},
		{"Bob", strings.Repeat("x", MaxImportFieldLen+1), "Boston", "MA", "02108"},
		{"Cy", "3 Oak St", "Austin", "TX", 78701},
	})
	rows, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	if rows[0].line != 2 || rows[0].values[2] != "Stamford" {
		t.Errorf("row 1: %+v", rows[0])
	}
	if rows[1].line != 4 || !strings.Contains(rows[1].err, "longer than") {
		t.Errorf("over-long cell: %+v", rows[1])
	}
	if rows[2].line != 5 || rows[2].values[4] != "78701" {
		t.Errorf("numeric ZIP cell: %+v", rows[2])
	}
}

func TestImportRefusesBinaryAndBadHeaders(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 3}, 100)...)
	cases := map[string]struct {
		data []byte
		want error
	}{
		"png":            {png, ErrImportBinary},
		"damaged xlsx":   {append([]byte("PK\x03\x04"), bytes.Repeat([]byte{9}, 200)...), ErrImportBinary},
		"empty":          {nil, ErrImportNoHeader},
		"only blanks":    {[]byte("\n , ,\n"), ErrImportNoHeader},
		"missing column": {[]byte("name,zip\nAnn,06901\n"), ErrImportColumns},
	}
	for name, c := range cases {
		_, err := readAll(t, c.data)
		var ie *ImportError
		if !errors.Is(err, c.want) || !errors.As(err, &ie) || ie.Message == "" {
			t.Errorf("%s: err %v, want %v with a message", name, err, c.want)
		}
	}
}

func TestImportRefusesOversizedFileAtOnce(t *testing.T) {
	// The reader is never read: the size alone refuses the file.
	_, err := NewImport(failingReader{}, MaxImportBytes+1, "big.csv", testSpec)
	if !errors.Is(err, ErrImportTooLarge) || !strings.Contains(err.Error(), "100 MB") {
		t.Fatalf("err = %v", err)
	}
}

type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("read") }

func TestImportRowLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("line1,city,state\n")
	for i := 0; i <= MaxImportRows; i++ {
		b.WriteString("1 A St,B,CT\n")
	}
	im, err := NewImport(bytes.NewReader(b.Bytes()), int64(b.Len()), "f.csv", testSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	n := 0
	for {
		_, err := im.Next()
		if err == io.EOF {
			t.Fatalf("read %d rows without hitting the limit", n)
		}
		if err != nil {
			if !errors.Is(err, ErrImportTooMany) || !strings.Contains(err.Error(), "line 1000002") {
				t.Fatalf("err = %v", err)
			}
			break
		}
		n++
	}
	if n != MaxImportRows {
		t.Errorf("accepted %d rows before refusing, want %d", n, MaxImportRows)
	}
}

func TestImportLatin1RowIsReportedNotFatal(t *testing.T) {
	data := []byte("name,line1,city,state\nJos\xe9,1 Main St,Stamford,CT\nAnn,2 Main St,Stamford,CT\n")
	rows, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !strings.Contains(rows[0].err, "UTF-8") || rows[1].err != "" {
		t.Fatalf("rows: %+v", rows)
	}
}

func fuzzImport(t *testing.T, data []byte) {
	im, err := NewImport(bytes.NewReader(data), int64(len(data)), "f", testSpec)
	if err != nil {
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Message == "" {
			t.Fatalf("refusal without a message: %v", err)
		}
		return
	}
	defer im.Close()
	last := 0
	for {
		r, err := im.Next()
		if err != nil {
			return
		}
		if r.Line <= last && r.Line != 0 {
			t.Fatalf("line numbers go backwards: %d after %d", r.Line, last)
		}
		last = r.Line
		if r.Err == "" && len(r.Values) != len(testSpec.Columns) {
			t.Fatalf("row with %d values", len(r.Values))
		}
	}
}

func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("name,line1,city,state,zip\nAnn,1 Main St,Stamford,CT,06901\n"))
	f.Add([]byte("line1,city,state\n\"a\"b,c,d\n\"unterminated\n"))
	f.Add([]byte("\ufeffLINE1;CITY;STATE\n1;2;3\n"))
	f.Add([]byte("line1,city,state\r\n1 A,B,C\r\n,,,,,,\r\n"))
	f.Fuzz(fuzzImport)
}

func FuzzImportXLSX(f *testing.F) {
	good := xlsxBytes(f, [][]any{{"name", "line1", "city", "state", "zip"}, {"Ann", "1 Main St", "Stamford", "CT", 6901}})
	f.Add(good)
	f.Add(good[:len(good)/2])
	mut := append([]byte(nil), good...)
	for i := 100; i < len(mut); i += 97 {
		mut[i] ^= 0x5a
	}
	f.Add(mut)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(fuzzImport)
}

// A quote opened and never closed swallows the rest of the file into one
// cell: the row's reason says which lines were lost, so nothing disappears
// without a word.
func TestImportCSVUnclosedQuoteNamesTheLinesItSwallowed(t *testing.T) {
	data := "name,line1,city,state,zip\n" +
		"Ann,1 Main St,Stamford,CT,06901\n" +
		"Bob,\"2 Elm St,Boston,MA,02108\n" +
		"Cy,3 Oak St,Austin,TX,78701\n" +
		"Di,4 Pine St,Dallas,TX,75201\n"
	rows, err := readAll(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].line != 3 {
		t.Fatalf("got %+v, want Ann and the bad row at line 3", rows)
	}
	if !strings.Contains(rows[1].err, "lines 3 to 5") {
		t.Errorf("reason %q does not name the lines 3 to 5 it skipped", rows[1].err)
	}
}

// Excel stores a ZIP typed as a number without its leading zeros (06901 →
// 6901, 00501 → 501); the importer puts them back for the zip column.
func TestImportXLSXPadsNumericZIPs(t *testing.T) {
	data := xlsxBytes(t, [][]any{
		{"name", "line1", "city", "state", "zip"},
		{"Ann", "1 Main St", "Stamford", "CT", 6901},
		{"Bob", "1 Elm St", "Holtsville", "NY", 501},
		{"Cy", "3 Oak St", "Stamford", "CT", 69011234},
		{"Di", "4 Ash St", "Austin", "TX", 78701},
	})
	rows, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"06901", "00501", "06901-1234", "78701"}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	for i, w := range want {
		if rows[i].values[4] != w {
			t.Errorf("row %d: zip %q, want %q", i+2, rows[i].values[4], w)
		}
	}
}
