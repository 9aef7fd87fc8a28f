// Package xlsxstream writes a one-sheet XLSX workbook straight to an
// io.Writer, row by row: the sheet's XML goes through a deflate stream into
// the zip as it is written, so nothing is held in memory or spilled to a
// temporary file, and each cell costs a few appends instead of a reflected
// value, a cell name and an XML encoder.
package xlsxstream

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// Writer is one workbook being written. Call Row for each row, then Close.
type Writer struct {
	zw    *zip.Writer
	sheet io.Writer
	buf   []byte
	row   int
	cols  []string // column letters, grown as rows widen
}

// flushAt is how much sheet XML is gathered before it goes to the deflater.
const flushAt = 64 << 10

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
	sheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetEnd = `</sheetData></worksheet>`
)

// New starts a workbook whose one sheet is named sheet (plain text, at most
// 31 characters, as Excel allows).
func New(w io.Writer, sheet string) (*Writer, error) {
	zw := zip.NewWriter(w)
	// The fastest deflate level: a sheet is repetitive XML that compresses
	// well even so, and the download is bound by this CPU, not the network.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	x := &Writer{zw: zw, buf: make([]byte, 0, flushAt+4096)}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"xl/workbook.xml", fmt.Sprintf(workbook, string(escape(nil, sheet)))},
		{"xl/_rels/workbook.xml.rels", workbookRels},
		{"xl/styles.xml", styles},
	}
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return nil, fmt.Errorf("xlsxstream: %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return nil, fmt.Errorf("xlsxstream: %s: %w", p.name, err)
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, fmt.Errorf("xlsxstream: sheet: %w", err)
	}
	x.sheet = f
	x.buf = append(x.buf, sheetStart...)
	return x, nil
}

// Row writes the next row. A cell for which numeric(i) is true and whose
// text is a finite number is written as a number; every other cell as text.
// Empty cells are left out.
func (x *Writer) Row(cells []string, numeric func(col int) bool) error {
	x.row++
	rn := strconv.Itoa(x.row)
	b := append(x.buf, `<row r="`...)
	b = append(b, rn...)
	b = append(b, `">`...)
	for i, v := range cells {
		if v == "" {
			continue
		}
		for len(x.cols) <= i {
			x.cols = append(x.cols, columnName(len(x.cols)))
		}
		b = append(b, `<c r="`...)
		b = append(b, x.cols[i]...)
		b = append(b, rn...)
		if numeric != nil && numeric(i) {
			if n, ok := number(b, v); ok {
				b = append(n, `</v></c>`...)
				continue
			}
		}
		b = append(b, `" t="inlineStr"><is><t xml:space="preserve">`...)
		b = escape(b, v)
		b = append(b, `</t></is></c>`...)
	}
	b = append(b, `</row>`...)
	x.buf = b
	if len(b) >= flushAt {
		return x.flush()
	}
	return nil
}

func (x *Writer) flush() error {
	if _, err := x.sheet.Write(x.buf); err != nil {
		return fmt.Errorf("xlsxstream: write: %w", err)
	}
	x.buf = x.buf[:0]
	return nil
}

// Close ends the sheet and the zip. It does not close the underlying writer.
func (x *Writer) Close() error {
	x.buf = append(x.buf, sheetEnd...)
	if err := x.flush(); err != nil {
		return err
	}
	if err := x.zw.Close(); err != nil {
		return fmt.Errorf("xlsxstream: close: %w", err)
	}
	return nil
}

// number appends `"><v>` and v as a number to b when v is a finite number;
// plain decimals (the common case) are copied as they are.
func number(b []byte, v string) ([]byte, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	b = append(b, `"><v>`...)
	if plainDecimal(v) {
		return append(b, v...), true
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), true
}

// plainDecimal reports whether v is [-]digits[.digits], which is already
// a valid number in the sheet's XML.
func plainDecimal(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	digits, dot := 0, false
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && v[len(v)-1] != '.'
}

// escape appends s as XML text: markup characters escaped, a carriage
// return kept as a reference (a parser would turn it into a newline), and
// what XML 1.0 cannot hold at all (other control characters, invalid
// UTF-8) replaced by U+FFFD.
func escape(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		var rep string
		size := 1
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '\r':
			rep = "&#13;"
		case c == '\t' || c == '\n':
			i++
			continue
		case c < 0x20:
			rep = "\uFFFD"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			} else {
				i += n
				continue
			}
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

// columnName is the letters of the 0-based column i: A … Z, AA, AB …
func columnName(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}
