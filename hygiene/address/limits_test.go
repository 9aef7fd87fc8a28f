package address

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// withSheet rewrites a workbook's first sheet part to sheet.
func withSheet(t *testing.T, book []byte, sheet string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, sheet)
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

func sheetXML(dimension string, rows ...[]string) string {
	var b strings.Builder
	b.WriteString(sheetHead)
	if dimension != "" {
		fmt.Fprintf(&b, `<dimension ref="%s"/>`, dimension)
	}
	b.WriteString("<sheetData>")
	for i, r := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, v := range r {
			fmt.Fprintf(&b, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+j, i+1, v)
		}
		b.WriteString("</row>")
	}
	b.WriteString("</sheetData></worksheet>")
	return b.String()
}

func TestImportXLSXBombIsRefusedBeforeOpening(t *testing.T) {
	book := xlsxBytes(t, [][]any{{"name", "line1", "city", "state"}})
	header := []string{"name", "line1", "city", "state"}
	bomb := withSheet(t, book, sheetXML("", header, []string{strings.Repeat("A", 30<<20), "1 Main St", "Springfield", "IL"}))
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(bomb))
	}
	_, err := readAll(t, bomb)
	if !errors.Is(err, ErrImportBomb) || !strings.Contains(err.Error(), "expands more than 100 times") {
		t.Fatalf("bomb: %v", err)
	}
}

func TestImportXLSXRowsAreCheckedAgainstTheDeclaredDimension(t *testing.T) {
	book := xlsxBytes(t, [][]any{{"name", "line1", "city", "state"}})
	header := []string{"name", "line1", "city", "state"}
	row := []string{"Ann Lee", "1 Main St", "Springfield", "IL"}
	_, err := readAll(t, withSheet(t, book, sheetXML("A1:D10000000", header, row)))
	if !errors.Is(err, ErrImportTooMany) || !strings.Contains(err.Error(), "10000000") {
		t.Errorf("ten million declared rows: %v", err)
	}
	rows, err := readAll(t, withSheet(t, book, sheetXML("A1:D500", header, row, row)))
	if err == nil || !strings.Contains(err.Error(), "declares 500 rows but only 3") {
		t.Errorf("500 declared, 3 present: %d rows, %v", len(rows), err)
	}
	rows, err = readAll(t, withSheet(t, book, sheetXML("A1:D3", header, row, row)))
	if err != nil || len(rows) != 2 {
		t.Errorf("dimension that matches: %d rows, %v", len(rows), err)
	}
}

func TestImportCSVLongLineIsRefusedWithItsLineNumber(t *testing.T) {
	csv := "name,line1,city,state\nAnn,1 Main St,Springfield,IL\nBob," + strings.Repeat("x", 1<<20) + ",Springfield,IL\n"
	_, err := readAll(t, []byte(csv))
	if !errors.Is(err, ErrImportLineTooLong) || !strings.Contains(err.Error(), "Line 3 ") {
		t.Fatalf("1 MB line: %v", err)
	}
	// A quote left open swallows lines into one record: bounded too.
	csv = "name,line1,city,state\n\"Ann" + strings.Repeat("\n1 Main St,Springfield,IL", 40000) + "\n"
	_, err = readAll(t, []byte(csv))
	if !errors.Is(err, ErrImportLineTooLong) {
		t.Fatalf("open quote over 1 MB: %v", err)
	}
	wide := "name,line1,city,state\n" + strings.Repeat("a,", 1000) + "b\n"
	rows, err := readAll(t, []byte(wide))
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].err, "1001 cells") {
		t.Fatalf("1001 cells: %v %+v", err, rows)
	}
}

func TestGzipExpansionIsBounded(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(bytes.Repeat([]byte("a,b,c\n"), 10<<20))
	w.Close()
	var in int64
	src := &countingReader{r: bytes.NewReader(gz.Bytes()), n: &in}
	zr, err := gzip.NewReader(src)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, &LimitExpansion{R: zr, In: func() int64 { return in }, Max: MaxUnzipBytes})
	if !errors.Is(err, ErrImportBomb) || n > 8<<20 {
		t.Fatalf("gzip bomb: read %d bytes, %v", n, err)
	}
}

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
