package address

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Import limits. They are documented in the README; a file over MaxImportBytes
// is refused before it is read, and one with more than MaxImportRows data rows
// is refused as soon as the reader passes the limit.
const (
	MaxImportBytes    = 100 << 20 // 100 MB
	MaxImportRows     = 1_000_000
	MaxImportFieldLen = 256 // bytes per cell: longer is a malformed row, not a crash
	// MaxUnzipBytes bounds what an XLSX or a gzip list may expand to (a zip
	// bomb is refused before it is opened; see CheckXLSX).
	MaxUnzipBytes = 512 << 20
)

// Errors that refuse a whole file. Handlers map them to 413 / 422.
var (
	ErrImportTooLarge = fmt.Errorf("address: the file is larger than %d MB", MaxImportBytes>>20)
	ErrImportTooMany  = fmt.Errorf("address: the file has more than %d rows", MaxImportRows)
	ErrImportBinary   = errors.New("address: the file is not a CSV or XLSX spreadsheet")
	ErrImportNoHeader = errors.New("address: the file is empty or has no header row")
	ErrImportColumns  = errors.New("address: the header row lacks a required column")
)

// ImportError is a refusal of the whole file with a message for the user.
type ImportError struct {
	Err     error // one of the ErrImport… values
	Message string
}

func (e *ImportError) Error() string { return e.Message }
func (e *ImportError) Unwrap() error { return e.Err }

// ImportSpec names the columns an importer looks for. Header cells are matched
// case-insensitively, ignoring spaces, dashes and underscores, and through
// Aliases ("zip code" → "zip"). Unknown columns are ignored.
type ImportSpec struct {
	Columns []string
	// Required lists alternatives: each inner slice must be present in full
	// for the file to be accepted (e.g. {{"address"}, {"line1","city","state"}}).
	Required [][]string
	Aliases  map[string]string
}

// ImportRow is one data row. Values follow ImportSpec.Columns ("" for a column
// the file lacks). Err is set for a malformed row: the caller reports it with
// Line and goes on.
type ImportRow struct {
	Line   int
	Values []string
	Err    string
}

// Importer reads a CSV or XLSX file row by row. It never holds the whole file
// in memory for CSV; XLSX is opened by excelize, which spills worksheets larger
// than 16 MB to a temporary file.
type Importer struct {
	spec   ImportSpec
	index  []int // file column -> spec column, -1 if unused
	rows   int
	next   func() (line int, cells []string, err error)
	close  func() error
	values []string
	xlsx   bool // cells come from a workbook: see numericZIP
}

// OpenImport opens the file at path, which is a CSV or an XLSX workbook (first
// sheet). name is the file's original name (its extension is a hint only; the
// content decides). The header row is read and checked here.
func OpenImport(path, name string, spec ImportSpec) (*Importer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("address: open import: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("address: open import: %w", err)
	}
	im, err := NewImport(f, st.Size(), name, spec)
	if err != nil {
		f.Close()
		return nil, err
	}
	inner := im.close
	im.close = func() error { inner(); return f.Close() }
	return im, nil
}

// NewImport reads from r (size bytes; needed for XLSX). See OpenImport.
func NewImport(r io.ReaderAt, size int64, name string, spec ImportSpec) (im *Importer, err error) {
	if size > MaxImportBytes {
		return nil, &ImportError{ErrImportTooLarge, fmt.Sprintf("The file is %.1f MB; the limit is %d MB. Split it into smaller files.", float64(size)/(1<<20), MaxImportBytes>>20)}
	}
	head := make([]byte, 8192)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	im = &Importer{spec: spec}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		im.xlsx = true
		var declared int
		if declared, err = CheckXLSX(r, size); err == nil {
			err = im.openXLSX(io.NewSectionReader(r, 0, size), declared)
		}
	case looksBinary(head):
		return nil, &ImportError{ErrImportBinary, "This file is not a spreadsheet we can read. Upload a CSV file (UTF-8) or an Excel workbook (.xlsx)."}
	default:
		im.openCSV(io.NewSectionReader(r, 0, size))
	}
	if err != nil {
		return nil, err
	}
	if err := im.readHeader(); err != nil {
		im.Close()
		return nil, err
	}
	_ = name
	return im, nil
}

// looksBinary reports content that is not text: NUL bytes, many control
// characters, or mostly invalid UTF-8 (Latin-1 text has a few invalid bytes
// and is still accepted; those rows are reported one by one).
func looksBinary(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctrl, bad := 0, 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f' {
			ctrl++
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, sz := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && sz == 1 && len(b)-i >= utf8.UTFMax {
			bad++
		}
		i += sz
	}
	return ctrl*100 > len(b) || bad*10 > len(b)
}

func (im *Importer) openCSV(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	ll := NewLineLimiter(br)
	cr := csv.NewReader(ll)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	im.next = func() (int, []string, error) {
		rec, err := cr.Read()
		ll.Record()
		line := 0
		if len(rec) > 0 {
			line, _ = cr.FieldPos(0)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader skips past the bad line; report it and go on.
			return pe.StartLine, nil, fmt.Errorf("%s", CSVReason(pe))
		}
		if err == nil && len(rec) > MaxImportCells {
			return line, nil, fmt.Errorf("%d cells; a row takes at most %d", len(rec), MaxImportCells)
		}
		return line, rec, err
	}
	im.close = func() error { return nil }
}

func CSVReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && csvLastLine(pe) > pe.StartLine:
		// The quote ran on to the end of the file: every line after it went
		// into one cell. Say so, or those rows vanish without a word.
		return fmt.Sprintf("a quote (\") opened on this line is never closed, so lines %d to %d were read as one cell and skipped; close the quote and import those lines again",
			pe.StartLine, csvLastLine(pe))
	case errors.Is(pe.Err, csv.ErrQuote):
		return "stray or unbalanced quote (\") in the row"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "a quote (\") inside a field that is not quoted"
	}
	return "cannot read the row: " + pe.Err.Error()
}

// csvLastLine is the last line a parse error consumed: encoding/csv reports the
// line after a final newline when the quote ran to the end of the file.
func csvLastLine(pe *csv.ParseError) int {
	if pe.Column == 0 && pe.Line > pe.StartLine {
		return pe.Line - 1
	}
	return pe.Line
}

func (im *Importer) openXLSX(r io.Reader, declared int) (err error) {
	defer func() {
		// excelize is large third-party code reading hostile input: a panic
		// in it must refuse the file, not take the server down.
		if p := recover(); p != nil {
			err = &ImportError{ErrImportBinary, "This workbook is damaged and cannot be read."}
		}
	}()
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			return err
		}
		return &ImportError{ErrImportBinary, "This workbook cannot be read (" + FirstLine(err.Error()) + "). Save it again as .xlsx or as CSV."}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return &ImportError{ErrImportNoHeader, "The workbook has no sheet."}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return &ImportError{ErrImportBinary, "The first sheet of this workbook cannot be read."}
	}
	line := 0
	im.next = func() (n int, cells []string, err error) {
		defer func() {
			if p := recover(); p != nil {
				n, cells, err = line, nil, &ImportError{ErrImportBinary, "This workbook is damaged and cannot be read."}
			}
		}()
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return line, nil, &ImportError{ErrImportBinary, "This workbook is damaged: " + FirstLine(err.Error())}
			}
			if declared > 0 && line < declared {
				return line, nil, ShortRead(declared, line)
			}
			return line, nil, io.EOF
		}
		line++
		cells, err = rows.Columns()
		if err != nil {
			return line, nil, fmt.Errorf("cannot read the row: %s", FirstLine(err.Error()))
		}
		return line, cells, nil
	}
	im.close = func() error { rows.Close(); return f.Close() }
	return nil
}

func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// normalizeHeader folds a header cell for matching.
func NormalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '_' || r == '-' || r == '.' || r == '\ufeff' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (im *Importer) readHeader() error {
	for {
		line, cells, err := im.next()
		if err == io.EOF {
			return &ImportError{ErrImportNoHeader, "The file is empty. The first row must name the columns (" + strings.Join(im.spec.Columns, ", ") + ")."}
		}
		var ie *ImportError
		if errors.As(err, &ie) {
			return err
		}
		if err != nil {
			return &ImportError{ErrImportNoHeader, fmt.Sprintf("Line %d: the header row cannot be read: %v.", line, err)}
		}
		if BlankRow(cells) {
			continue
		}
		want := map[string]int{}
		for i, c := range im.spec.Columns {
			want[NormalizeHeader(c)] = i
		}
		for a, c := range im.spec.Aliases {
			if i, ok := want[NormalizeHeader(c)]; ok {
				want[NormalizeHeader(a)] = i
			}
		}
		im.index = make([]int, len(cells))
		have := map[string]bool{}
		for i, c := range cells {
			im.index[i] = -1
			if j, ok := want[NormalizeHeader(c)]; ok && !have[im.spec.Columns[j]] {
				im.index[i] = j
				have[im.spec.Columns[j]] = true
			}
		}
		if len(im.spec.Required) == 0 {
			return nil
		}
		for _, alt := range im.spec.Required {
			all := true
			for _, c := range alt {
				all = all && have[c]
			}
			if all {
				return nil
			}
		}
		var opts []string
		for _, alt := range im.spec.Required {
			opts = append(opts, strings.Join(alt, ", "))
		}
		return &ImportError{ErrImportColumns, fmt.Sprintf("Line %d: the header row must name the columns %s. Found: %s.",
			line, strings.Join(opts, " — or — "), strings.Join(trimAll(cells), ", "))}
	}
}

func trimAll(cells []string) []string {
	out := make([]string, 0, len(cells))
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, FirstLine(c))
		}
	}
	return out
}

func BlankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Next returns the next data row, skipping blank rows. It returns io.EOF at
// the end, or an *ImportError when the file must be refused as a whole (too
// many rows, a damaged workbook). A malformed row comes back with Err set.
// The row's Values are reused by the next call.
func (im *Importer) Next() (ImportRow, error) {
	for {
		line, cells, err := im.next()
		if err == io.EOF {
			return ImportRow{}, io.EOF
		}
		var ie *ImportError
		if errors.As(err, &ie) {
			return ImportRow{}, err
		}
		if err == nil && BlankRow(cells) {
			continue
		}
		im.rows++
		if im.rows > MaxImportRows {
			return ImportRow{}, &ImportError{ErrImportTooMany, fmt.Sprintf("The file has more than %d rows (line %d). Split it into smaller files.", MaxImportRows, line)}
		}
		if err != nil {
			return ImportRow{Line: line, Err: err.Error()}, nil
		}
		return im.row(line, cells), nil
	}
}

func (im *Importer) row(line int, cells []string) ImportRow {
	if im.values == nil {
		im.values = make([]string, len(im.spec.Columns))
	}
	for i := range im.values {
		im.values[i] = ""
	}
	r := ImportRow{Line: line, Values: im.values}
	if len(cells) > len(im.index) {
		extra := cells[len(im.index):]
		if !BlankRow(extra) {
			r.Err = fmt.Sprintf("%d cells but the header names %d columns", len(cells), len(im.index))
			return r
		}
	}
	for i, c := range cells {
		if i >= len(im.index) || im.index[i] < 0 {
			continue
		}
		col := im.spec.Columns[im.index[i]]
		if len(c) > MaxImportFieldLen {
			r.Err = fmt.Sprintf("column %s is longer than %d characters", col, MaxImportFieldLen)
			return r
		}
		if !utf8.ValidString(c) {
			r.Err = fmt.Sprintf("column %s is not UTF-8 text (save the file as \"CSV UTF-8\")", col)
			return r
		}
		if strings.ContainsFunc(c, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) {
			r.Err = fmt.Sprintf("column %s holds control characters", col)
			return r
		}
		c = strings.TrimSpace(c)
		if im.xlsx && col == "zip" {
			c = numericZIP(c)
		}
		im.values[im.index[i]] = c
	}
	return r
}

// numericZIP puts back the leading zeros of a ZIP that Excel stored as a
// number (06901 → 6901, 00501 → 501, 06901-1234 → 69011234): such a ZIP would
// otherwise come out invalid. excelize's row reader does not tell a cell's
// type, so any all-digit value of a length no ZIP has is taken for one: no
// ZIP is shorter than 5 digits, and a ZIP+4 without its dash has 9.
func numericZIP(s string) string {
	if s == "" || len(s) == 5 || len(s) > 9 || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return s
	}
	if len(s) < 5 {
		return strings.Repeat("0", 5-len(s)) + s
	}
	s = strings.Repeat("0", 9-len(s)) + s
	return s[:5] + "-" + s[5:]
}

// Rows is the number of data rows read so far (malformed ones included).
func (im *Importer) Rows() int { return im.rows }

// Close releases the file.
func (im *Importer) Close() error {
	if im.close == nil {
		return nil
	}
	return im.close()
}
