package address

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Stream limits of an import. A line, a record or a decompressed file over
// them refuses the whole file with the line number, before it can take the
// process's memory.
const (
	MaxLineBytes   = 64 << 10  // one physical CSV line
	MaxRecordBytes = 256 << 10 // one CSV record (quoted fields may span lines)
	MaxImportCells = 256       // cells in one record
	// MaxUnzipRatio bounds how much an XLSX entry or a gzip stream may
	// expand (real spreadsheets stay well under 20).
	MaxUnzipRatio = 100
	// unzipRatioFloor: small entries may expand more (empty styles compress
	// very well).
	unzipRatioFloor = 1 << 20
	// MaxSharedStrings bounds the workbook's shared strings part, which
	// excelize reads whole.
	MaxSharedStrings = 64 << 20
)

// ErrImportBomb refuses a file that decompresses beyond the limits.
var ErrImportBomb = errors.New("address: the file expands beyond the import limits")

// ErrImportLineTooLong refuses a CSV with a line or record over the limits.
var ErrImportLineTooLong = errors.New("address: a line of the file is too long")

// LineLimiter passes a CSV stream through, refusing it as soon as one line
// or one record (between calls to Record) grows past its limit. The error is
// an *ImportError naming the line.
type LineLimiter struct {
	r         io.Reader
	line      int // 1-based line being read
	lineBytes int
	recBytes  int
}

// NewLineLimiter limits the lines of r.
func NewLineLimiter(r io.Reader) *LineLimiter { return &LineLimiter{r: r, line: 1} }

// Record marks the end of a record: the record budget starts again. The
// reader reads ahead, so this bounds a record within one read buffer.
func (l *LineLimiter) Record() { l.recBytes = 0 }

func (l *LineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		l.lineBytes++
		l.recBytes++
		if l.lineBytes > MaxLineBytes {
			return i, &ImportError{ErrImportLineTooLong, fmt.Sprintf("Line %d is longer than %d KB; no address line is. Check that the file is a CSV with one row per line.", l.line, MaxLineBytes>>10)}
		}
		if l.recBytes > MaxRecordBytes+len(p) {
			return i, &ImportError{ErrImportLineTooLong, fmt.Sprintf("The row ending at line %d is longer than %d KB (a quote left open?).", l.line, MaxRecordBytes>>10)}
		}
		if c == '\n' {
			l.line++
			l.lineBytes = 0
		}
	}
	return n, err
}

// LimitExpansion bounds a decompressing reader: at most max bytes out, and
// at most MaxUnzipRatio times what was read from the compressed side (once
// past a megabyte). in counts the compressed bytes consumed.
type LimitExpansion struct {
	R   io.Reader
	In  func() int64
	Max int64
	out int64
}

func (l *LimitExpansion) Read(p []byte) (int, error) {
	n, err := l.R.Read(p)
	l.out += int64(n)
	if l.out > l.Max {
		return n, &ImportError{ErrImportBomb, fmt.Sprintf("The file expands to more than %d MB; split it into smaller files.", l.Max>>20)}
	}
	if in := l.In(); l.out > unzipRatioFloor && in > 0 && l.out/in > MaxUnzipRatio {
		return n, &ImportError{ErrImportBomb, fmt.Sprintf("The file expands more than %d times; it is not an ordinary list.", MaxUnzipRatio)}
	}
	return n, err
}

// CheckXLSX looks at a workbook's zip directory before it is opened: the
// entries' declared sizes and ratios, the shared strings part, and the first
// sheet's declared dimension. It returns the number of rows the first sheet
// declares (0 when it declares none).
func CheckXLSX(r io.ReaderAt, size int64) (declaredRows int, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, &ImportError{ErrImportBinary, "This workbook cannot be read (" + FirstLine(err.Error()) + "). Save it again as .xlsx or as CSV."}
	}
	var total uint64
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
		total += f.UncompressedSize64
		if total > MaxUnzipBytes {
			return 0, &ImportError{ErrImportBomb, fmt.Sprintf("The workbook expands to more than %d MB; split it or save it as CSV.", MaxUnzipBytes>>20)}
		}
		if f.UncompressedSize64 > unzipRatioFloor && f.UncompressedSize64 > MaxUnzipRatio*max(f.CompressedSize64, 1) {
			return 0, &ImportError{ErrImportBomb, fmt.Sprintf("The workbook part %s expands more than %d times; it is not an ordinary spreadsheet.", f.Name, MaxUnzipRatio)}
		}
		if strings.EqualFold(f.Name, "xl/sharedStrings.xml") && f.UncompressedSize64 > MaxSharedStrings {
			return 0, &ImportError{ErrImportBomb, fmt.Sprintf("The workbook's text is larger than %d MB; split it or save it as CSV.", MaxSharedStrings>>20)}
		}
	}
	sheet := firstSheetPath(files)
	if f := files[sheet]; f != nil {
		rows := sheetDimensionRows(f)
		if rows > MaxImportRows+1 { // the header row and MaxImportRows data rows
			return rows, &ImportError{ErrImportTooMany, fmt.Sprintf("The workbook's first sheet declares %d rows; the limit is %d. Split it into smaller files.", rows, MaxImportRows)}
		}
		return rows, nil
	}
	return 0, nil
}

// firstSheetPath finds the first sheet's part through the workbook and its
// relationships ("" when they cannot be read).
func firstSheetPath(files map[string]*zip.File) string {
	var wb struct {
		Sheets []struct {
			ID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if readXMLPart(files["xl/workbook.xml"], &wb) != nil || len(wb.Sheets) == 0 || readXMLPart(files["xl/_rels/workbook.xml.rels"], &rels) != nil {
		return ""
	}
	for _, r := range rels.Rels {
		if r.ID == wb.Sheets[0].ID {
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/")
			}
			return path.Join("xl", r.Target)
		}
	}
	return ""
}

// readXMLPart decodes a small part (at most 4 MB read).
func readXMLPart(f *zip.File, v any) error {
	if f == nil {
		return errors.New("missing part")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 4<<20)).Decode(v)
}

// sheetDimensionRows reads the <dimension ref="A1:K500"/> at the head of a
// worksheet and returns its last row (0 when absent). Only the start of
// the part is read: the dimension comes before the sheet data.
func sheetDimensionRows(f *zip.File) int {
	rc, err := f.Open()
	if err != nil {
		return 0
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, 64<<10))
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "sheetData":
			return 0
		case "dimension":
			for _, a := range se.Attr {
				if a.Name.Local == "ref" {
					return refLastRow(a.Value)
				}
			}
			return 0
		}
	}
}

// refLastRow is the row of a range's last cell ("A1:K500" → 500).
func refLastRow(ref string) int {
	_, last, _ := strings.Cut(ref, ":")
	if last == "" {
		last = ref
	}
	digits := strings.TrimLeft(last, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$")
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// ShortRead is the refusal of a workbook whose first sheet ended before the
// row its dimension declares: rows were lost, and importing the rest would
// pass for success.
func ShortRead(declared, read int) error {
	return &ImportError{ErrImportBinary, fmt.Sprintf("The workbook's first sheet declares %d rows but only %d could be read; it is damaged or too large. Save it again, or as CSV.", declared, read)}
}
