package coa

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"indicia/hygiene/address"
	"indicia/jobs"
)

// COAColumns are the columns of a COA list file, in this order in the
// template; the header row names them (any case; spaces, dashes and
// underscores ignored; any order; unknown columns ignored).
var COAColumns = []string{"move_type", "first_name", "middle", "last_name", "firm",
	"old_line1", "old_line2", "old_city", "old_state", "old_zip",
	"new_line1", "new_line2", "new_city", "new_state", "new_zip",
	"move_effective_date", "moved_left_no_address", "po_box_closed"}

// coaRequired must be in the header whatever the rows hold; the old address
// also needs old_zip or old_city and old_state. The other columns are needed
// only by some rows (firm by a business move, for example): see rowNeeds.
var coaRequired = []string{"move_type", "old_line1", "move_effective_date"}

// headerSample is how many data rows the check made at upload reads to find
// the columns the rows need; rows beyond it are checked as they load.
const headerSample = 1000

const (
	colMoveType = iota
	colFirst
	colMiddle
	colLast
	colFirm
	colOldLine1
	colOldLine2
	colOldCity
	colOldState
	colOldZIP
	colNewLine1
	colNewLine2
	colNewCity
	colNewState
	colNewZIP
	colDate
	colMLNA
	colBoxClosed
	numCOAColumns
)

// MaxGzipBytes bounds what a gzip-compressed list may expand to: a full
// list of 5,000,000 rows is about 1 GB. The stream is read row by row, so
// this bounds the work, not memory; the ratio limit refuses bombs early.
const MaxGzipBytes = 4 << 30

// coaReader streams the rows of a CSV (optionally gzip-compressed) or XLSX
// list. It never holds more than one row.
type coaReader struct {
	next  func() (cells []string, err error)
	close func() error
	line  int64
	index []int // file column -> COAColumns index, -1 if unused
	have  [numCOAColumns]bool
	vals  []string
	size  int64        // bytes in the file
	read  *countReader // bytes of it consumed so far (nil for XLSX)
}

// countReader counts the bytes read through it, for the progress estimate.
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// estimate is the expected number of rows, from the share of the file read
// so far (0 when unknown).
func (r *coaReader) estimate(done int64) int64 {
	if r.read == nil || done == 0 {
		return 0
	}
	n := r.read.n.Load()
	if n <= 0 {
		return 0
	}
	est := int64(float64(done) * float64(r.size) / float64(n))
	return max(est, done)
}

func openCOAFile(path string) (*coaReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("coa: open COA list: %w", err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("coa: open COA list: %w", err)
	}
	r := &coaReader{vals: make([]string, len(COAColumns))}
	if st, err := f.Stat(); err == nil {
		r.size = st.Size()
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if err := r.openXLSX(f); err != nil {
			f.Close()
			return nil, err
		}
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		r.read = &countReader{r: f}
		gz, err := gzip.NewReader(bufio.NewReaderSize(r.read, 1<<20))
		if err != nil {
			f.Close()
			return nil, &address.ImportError{Err: address.ErrImportBinary, Message: "The gzip file cannot be read."}
		}
		r.openCSV(&address.LimitExpansion{R: gz, In: r.read.n.Load, Max: MaxGzipBytes})
		r.close = func() error { gz.Close(); return f.Close() }
	default:
		r.read = &countReader{r: f}
		r.openCSV(bufio.NewReaderSize(r.read, 1<<20))
		r.close = f.Close
	}
	if err := r.readHeader(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *coaReader) openCSV(in io.Reader) {
	ll := address.NewLineLimiter(in)
	cr := csv.NewReader(ll)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	r.next = func() ([]string, error) {
		rec, err := cr.Read()
		ll.Record()
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.line = int64(pe.StartLine)
				return nil, fmt.Errorf("%s", address.CSVReason(pe))
			}
			return nil, err
		}
		r.line = int64(line)
		if len(rec) > address.MaxImportCells {
			return nil, fmt.Errorf("%d cells; a row takes at most %d", len(rec), address.MaxImportCells)
		}
		return rec, nil
	}
}

func (r *coaReader) openXLSX(f *os.File) (err error) {
	defer func() {
		// excelize reading hostile input: a panic refuses the file.
		if p := recover(); p != nil {
			err = &address.ImportError{Err: address.ErrImportBinary, Message: "This workbook is damaged and cannot be read."}
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("coa: open COA list: %w", err)
	}
	declared, err := address.CheckXLSX(f, st.Size())
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("coa: open COA list: %w", err)
	}
	x, err := excelize.OpenReader(f, excelize.Options{UnzipSizeLimit: address.MaxUnzipBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return &address.ImportError{Err: address.ErrImportBinary, Message: "This workbook cannot be read (" + address.FirstLine(err.Error()) + "). Save it again as .xlsx or as CSV."}
	}
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		x.Close()
		return &address.ImportError{Err: address.ErrImportNoHeader, Message: "The workbook has no sheet."}
	}
	rows, err := x.Rows(sheets[0]) // streaming iterator: one row at a time
	if err != nil {
		x.Close()
		return &address.ImportError{Err: address.ErrImportBinary, Message: "The first sheet of this workbook cannot be read."}
	}
	r.next = func() (cells []string, err error) {
		defer func() {
			if p := recover(); p != nil {
				cells, err = nil, &address.ImportError{Err: address.ErrImportBinary, Message: "This workbook is damaged and cannot be read."}
			}
		}()
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, &address.ImportError{Err: address.ErrImportBinary, Message: "This workbook is damaged: " + address.FirstLine(err.Error())}
			}
			if declared > 0 && r.line < int64(declared) {
				return nil, address.ShortRead(declared, int(r.line))
			}
			return nil, io.EOF
		}
		r.line++
		// Raw values: a date cell is read as its serial number (which
		// parseMoveDate takes) rather than through its display format,
		// which may drop the day ("Oct-26").
		return rows.Columns(excelize.Options{RawCellValue: true})
	}
	r.close = func() error { rows.Close(); x.Close(); return f.Close() }
	return nil
}

func (r *coaReader) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

func (r *coaReader) readHeader() error {
	for {
		cells, err := r.next()
		if err == io.EOF {
			return &address.ImportError{Err: address.ErrImportNoHeader, Message: "The file is empty. The first row must name the columns (" + strings.Join(COAColumns, ", ") + ")."}
		}
		if err != nil {
			var ie *address.ImportError
			if errors.As(err, &ie) {
				return err
			}
			return &address.ImportError{Err: address.ErrImportNoHeader, Message: fmt.Sprintf("Line %d: the header row cannot be read: %v.", r.line, err)}
		}
		if address.BlankRow(cells) {
			continue
		}
		want := map[string]int{}
		for i, c := range COAColumns {
			want[address.NormalizeHeader(c)] = i
		}
		have := map[string]bool{}
		r.index = make([]int, len(cells))
		for i, c := range cells {
			r.index[i] = -1
			if j, ok := want[address.NormalizeHeader(c)]; ok && !have[COAColumns[j]] {
				r.index[i] = j
				have[COAColumns[j]] = true
			}
		}
		for j, c := range COAColumns {
			r.have[j] = have[c]
		}
		var missing []string
		for _, c := range coaRequired {
			if !have[c] {
				missing = append(missing, c)
			}
		}
		if !have["old_zip"] && (!have["old_city"] || !have["old_state"]) {
			missing = append(missing, "old_zip (or old_city and old_state)")
		}
		if len(missing) > 0 {
			return &address.ImportError{Err: address.ErrImportColumns, Message: fmt.Sprintf("Line %d: the header row lacks the column(s) %s. The columns are: %s.",
				r.line, strings.Join(missing, ", "), strings.Join(COAColumns, ", "))}
		}
		return nil
	}
}

// rowNeeds names the columns a row needs that the file does not have: the
// name columns of its move type, and the new address unless a flag says
// there is none. A row of an unknown move type needs nothing here (it is
// refused for its type).
func rowNeeds(have *[numCOAColumns]bool, v []string) []string {
	var need []int
	switch parseMoveType(v[colMoveType]) {
	case MoveBusiness:
		need = append(need, colFirm)
	case MoveIndividual:
		need = append(need, colFirst, colLast)
	case MoveFamily:
		need = append(need, colLast)
	default:
		return nil
	}
	mlna, _ := parseFlag(v[colMLNA])
	closed, _ := parseFlag(v[colBoxClosed])
	if !mlna && !closed {
		need = append(need, colNewLine1)
		if !have[colNewZIP] && (!have[colNewCity] || !have[colNewState]) {
			need = append(need, colNewZIP)
		}
	}
	var missing []string
	for _, j := range need {
		if !have[j] {
			missing = append(missing, COAColumns[j])
		}
	}
	return missing
}

// CheckListFile reads the header of a stored list and its first rows, and
// refuses the file (an *address.ImportError naming the line) when the header
// lacks a column the file needs. It runs before the upload is accepted, so
// a wrong file is refused at once rather than by the loading job.
func CheckListFile(path string) error {
	rd, err := openCOAFile(path)
	if err != nil {
		return err
	}
	defer rd.Close()
	for range headerSample {
		line, vals, _, err := rd.nextRow()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if vals == nil {
			continue
		}
		if miss := rowNeeds(&rd.have, vals); len(miss) > 0 {
			return &address.ImportError{Err: address.ErrImportColumns, Message: fmt.Sprintf(
				"Line %d is a %s move and needs the column(s) %s, which the header row lacks. The columns are: %s.",
				line, parseMoveType(vals[colMoveType]), strings.Join(miss, ", "), strings.Join(COAColumns, ", "))}
		}
	}
	return nil
}

// nextRow returns the next non-blank data row's line and values (reused), a
// per-line problem in reason, or io.EOF / an *ImportError for the whole file.
func (r *coaReader) nextRow() (line int64, vals []string, reason string, err error) {
	for {
		cells, err := r.next()
		if err == io.EOF {
			return 0, nil, "", io.EOF
		}
		var ie *address.ImportError
		if errors.As(err, &ie) {
			return 0, nil, "", err
		}
		if err != nil {
			return r.line, nil, err.Error(), nil
		}
		if address.BlankRow(cells) {
			continue
		}
		for i := range r.vals {
			r.vals[i] = ""
		}
		for i, c := range cells {
			if i >= len(r.index) || r.index[i] < 0 {
				continue
			}
			if len(c) > address.MaxImportFieldLen {
				return r.line, nil, fmt.Sprintf("column %s is longer than %d characters", COAColumns[r.index[i]], address.MaxImportFieldLen), nil
			}
			if !utf8.ValidString(c) {
				return r.line, nil, fmt.Sprintf("column %s is not UTF-8 text", COAColumns[r.index[i]]), nil
			}
			r.vals[r.index[i]] = strings.TrimSpace(c)
		}
		if miss := rowNeeds(&r.have, r.vals); len(miss) > 0 {
			return r.line, r.vals, fmt.Sprintf("a %s move needs the column(s) %s, which the file does not have",
				parseMoveType(r.vals[colMoveType]), strings.Join(miss, ", ")), nil
		}
		return r.line, r.vals, "", nil
	}
}

// rawRow is one data row handed to the cleansing workers.
type rawRow struct {
	line   int64
	vals   []string
	reason string
}

type coaChunk struct {
	rows  []rawRow
	out   [][]any
	errs  []LineError
	notes []LineError // rows loaded with a correction
	min   time.Time
	max   time.Time
}

// ImportSummary is the outcome of loading a list.
type ImportSummary struct {
	ListID    int64 `json:"list_id"`
	Total     int64 `json:"total_rows"`
	Loaded    int64 `json:"loaded_rows"`
	Bad       int64 `json:"bad_rows"`
	Corrected int64 `json:"corrected_rows"`
	MatchJob  int64 `json:"match_job"`
}

var coaRecordColumns = []string{"list_id", "line", "move_type", "first_name", "middle", "last_name", "firm",
	"first_keys", "middle_key", "last_key", "firm_key",
	"old_line1", "old_line2", "old_city", "old_state", "old_zip", "old_key",
	"new_line1", "new_line2", "new_city", "new_state", "new_zip", "new_zip4", "new_key",
	"effective", "moved_left_no_address", "po_box_closed"}

// ImportList loads list id from its stored file (the import job). progress
// gets the rows read and an estimate of the total from the share of the file
// read (0 when unknown, as for XLSX). The file
// is read row by row; chunks of rows are standardized on every core and
// streamed into coa_records with COPY, in one transaction, so a retried job
// starts clean and memory stays bounded whatever the size of the list.
// Bad rows are skipped and counted; the first MaxLineErrors are kept with
// their line numbers. On success the list is active (the list it replaces is
// retired) and a matching job is staged.
func (c *Service) ImportList(ctx context.Context, id int64, progress func(done, estTotal int64, msg string)) (ImportSummary, error) {
	sum := ImportSummary{ListID: id}
	var path string
	var replaces int64
	var createdBy int64
	err := c.pool.QueryRow(ctx, `SELECT path, COALESCE(replaces_id,0), COALESCE(uploaded_by,0) FROM coa_lists WHERE id = $1`, id).Scan(&path, &replaces, &createdBy)
	if err != nil {
		return sum, fmt.Errorf("coa: load COA list %d: %w", id, err)
	}
	rd, err := openCOAFile(path)
	if err != nil {
		var ie *address.ImportError
		if errors.As(err, &ie) {
			c.failList(ctx, id, ie.Message)
			return sum, fmt.Errorf("coa: COA list %d refused: %s: %w", id, ie.Message, jobsSkipRetry)
		}
		return sum, err
	}
	defer rd.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	const chunkSize = 4096
	todo := make(chan *coaChunk, workers)
	done := make(chan *coaChunk, workers)
	readErr := make(chan error, 1)
	var total int64
	go func() {
		defer close(todo)
		ch := &coaChunk{}
		for {
			line, vals, reason, err := rd.nextRow()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr <- err
				return
			}
			total++
			if total > MaxCOARows {
				readErr <- &address.ImportError{Err: address.ErrImportTooMany, Message: fmt.Sprintf("The file has more than %d rows (line %d). Split it into smaller files.", MaxCOARows, line)}
				return
			}
			row := rawRow{line: line, reason: reason}
			if vals != nil {
				row.vals = append([]string(nil), vals...)
			}
			ch.rows = append(ch.rows, row)
			if len(ch.rows) == chunkSize {
				select {
				case todo <- ch:
				case <-ctx.Done():
					return
				}
				ch = &coaChunk{}
			}
		}
		if len(ch.rows) > 0 {
			select {
			case todo <- ch:
			case <-ctx.Done():
				return
			}
		}
		readErr <- nil
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range todo {
				c.standardizeChunk(id, ch)
				select {
				case done <- ch:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	src := &coaSource{in: done, progress: progress, maxErrs: c.maxErrs, estimate: rd.estimate}
	var matchJob int64
	var allBad string
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM coa_records WHERE list_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM coa_list_errors WHERE list_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"coa_records"}, coaRecordColumns, src); err != nil {
			return err
		}
		if err := <-readErr; err != nil {
			return err
		}
		if len(src.errs)+len(src.notes) > 0 {
			rows := make([][]any, 0, len(src.errs)+len(src.notes))
			for _, e := range src.errs {
				rows = append(rows, []any{id, e.Line, e.Reason, LineRefused})
			}
			for _, e := range src.notes {
				rows = append(rows, []any{id, e.Line, e.Reason, LineCorrected})
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"coa_list_errors"}, []string{"list_id", "line", "reason", "kind"}, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		sum.Total, sum.Loaded, sum.Bad, sum.Corrected = total, src.loaded, src.bad, src.corrected
		if src.loaded == 0 {
			// Kept with its line reasons: the refusal is the list's outcome,
			// and the clerk needs every reason to mend the file.
			allBad = fmt.Sprintf("No row could be loaded: all %d rows were refused. The reason for each is listed by line.", src.bad)
			if total == 0 {
				allBad = "The file has a header row but no data rows."
			}
			_, err := tx.Exec(ctx, `UPDATE coa_lists SET status = 'failed', total_rows = $2, loaded_rows = 0, bad_rows = $3, corrected_rows = 0, message = $4 WHERE id = $1`,
				id, total, src.bad, allBad)
			return err
		}
		now := c.now().UTC()
		var pmin, pmax any
		if !src.min.IsZero() {
			pmin, pmax = src.min, src.max
		}
		if _, err := tx.Exec(ctx, `UPDATE coa_lists SET status = 'active', total_rows = $2, loaded_rows = $3, bad_rows = $4,
			period_start = $5, period_end = $6, loaded_at = $7, message = '', corrected_rows = $8 WHERE id = $1`, id, total, src.loaded, src.bad, pmin, pmax, now, src.corrected); err != nil {
			return err
		}
		lists := []int64{id}
		if replaces != 0 {
			if _, err := c.retire(ctx, tx, replaces, ListReplaced, 0, now); err != nil {
				return err
			}
			lists = append(lists, replaces)
			// retire staged a re-match of the old list alone; the new
			// list's job below covers both, so drop the duplicate.
			if err := jobs.DropQueued(ctx, tx, JobKindCOAMatch, fmt.Sprintf(`{"lists":[%d]}`, replaces)); err != nil {
				return err
			}
		}
		var err error
		matchJob, err = jobs.Stage(ctx, tx, jobs.New{Kind: JobKindCOAMatch, Payload: matchPayload{Lists: lists}, CreatedBy: createdBy}, now)
		return err
	})
	if err != nil {
		var ie *address.ImportError
		if errors.As(err, &ie) {
			c.failList(ctx, id, ie.Message)
			return sum, fmt.Errorf("coa: COA list %d refused: %s: %w", id, ie.Message, jobsSkipRetry)
		}
		return sum, fmt.Errorf("coa: load COA list %d: %w", id, err)
	}
	if allBad != "" {
		return sum, fmt.Errorf("coa: COA list %d refused: %s: %w", id, allBad, jobsSkipRetry)
	}
	// The match job plans its joins on coa_records' statistics: without
	// this, a list of a million rows loaded since autovacuum last ran is
	// planned as if the table were still its old size (measured in
	// docs/BENCHMARKS.md). A failure costs only speed.
	if _, err := c.pool.Exec(ctx, `ANALYZE coa_records`); err != nil {
		slog.Warn("coa: statistics after loading a list", "list", id, "err", err)
	}
	sum.MatchJob = matchJob
	c.enqueue(ctx, matchJob)
	return sum, nil
}

func (c *Service) failList(ctx context.Context, id int64, msg string) {
	_, _ = c.pool.Exec(ctx, `UPDATE coa_lists SET status = 'failed', message = $2 WHERE id = $1`, id, msg)
}

// coaSource feeds COPY from the cleansed chunks.
type coaSource struct {
	in        <-chan *coaChunk
	cur       *coaChunk
	i         int
	row       []any
	loaded    int64
	bad       int64
	errs      []LineError
	notes     []LineError
	corrected int64
	maxErrs   int
	min, max  time.Time
	progress  func(done, estTotal int64, msg string)
	estimate  func(done int64) int64
}

func (s *coaSource) Next() bool {
	for {
		if s.cur != nil && s.i < len(s.cur.out) {
			s.row = s.cur.out[s.i]
			s.i++
			return true
		}
		ch, ok := <-s.in
		if !ok {
			return false
		}
		s.cur, s.i = ch, 0
		s.loaded += int64(len(ch.out))
		s.bad += int64(len(ch.errs))
		for _, e := range ch.errs {
			if len(s.errs) < s.maxErrs {
				s.errs = append(s.errs, e)
			}
		}
		s.corrected += int64(len(ch.notes))
		for _, e := range ch.notes {
			if len(s.notes) < s.maxErrs {
				s.notes = append(s.notes, e)
			}
		}
		if !ch.min.IsZero() && (s.min.IsZero() || ch.min.Before(s.min)) {
			s.min = ch.min
		}
		if ch.max.After(s.max) {
			s.max = ch.max
		}
		if s.progress != nil {
			n := s.loaded + s.bad
			s.progress(n, s.estimate(n), fmt.Sprintf("%d rows read, %d bad", n, s.bad))
		}
	}
}

func (s *coaSource) Values() ([]any, error) { return s.row, nil }
func (s *coaSource) Err() error             { return nil }

func (c *Service) standardizeChunk(list int64, ch *coaChunk) {
	ch.out = make([][]any, 0, len(ch.rows))
	for _, r := range ch.rows {
		if r.reason != "" {
			ch.errs = append(ch.errs, LineError{Line: r.line, Reason: r.reason})
			continue
		}
		out, eff, note, reason := c.standardizeRow(list, r.line, r.vals)
		if reason != "" {
			ch.errs = append(ch.errs, LineError{Line: r.line, Reason: reason})
			continue
		}
		if note != "" {
			ch.notes = append(ch.notes, LineError{Line: r.line, Reason: note, Kind: LineCorrected})
		}
		if ch.min.IsZero() || eff.Before(ch.min) {
			ch.min = eff
		}
		if eff.After(ch.max) {
			ch.max = eff
		}
		ch.out = append(ch.out, out)
	}
	ch.rows = nil
}

// standardizeRow validates one row and returns its coa_records values, a
// note on what it corrected (or ""), or the reason it is refused.
func (c *Service) standardizeRow(list, line int64, v []string) (out []any, eff time.Time, note, reason string) {
	refuse := func(format string, a ...any) ([]any, time.Time, string, string) {
		return nil, time.Time{}, "", fmt.Sprintf(format, a...)
	}
	mt := parseMoveType(v[colMoveType])
	if mt == "" {
		return refuse("move_type %q is not individual, family or business", v[colMoveType])
	}
	switch {
	case mt == MoveBusiness && v[colFirm] == "":
		return refuse("a business move needs the firm name")
	case mt == MoveIndividual && (v[colFirst] == "" || v[colLast] == ""):
		return refuse("an individual move needs first_name and last_name")
	case mt == MoveFamily && v[colLast] == "":
		return refuse("a family move needs last_name")
	}
	eff, ok := parseMoveDate(v[colDate])
	if !ok {
		return refuse("move_effective_date %q is not a date (YYYY-MM-DD, YYYY-MM, MM/DD/YYYY or a spreadsheet date)", v[colDate])
	}
	mlna, ok1 := parseFlag(v[colMLNA])
	boxClosed, ok2 := parseFlag(v[colBoxClosed])
	if !ok1 || !ok2 {
		return refuse("moved_left_no_address and po_box_closed must be yes/no, true/false, 1/0 or empty")
	}
	var notes []string
	oldIn := address.Fields{Line1: v[colOldLine1], Line2: v[colOldLine2], City: v[colOldCity], State: v[colOldState], ZIP: v[colOldZIP]}
	// The whole old address in old_line1 is read from there (its key below
	// needs a delivery line and a ZIP).
	if oldIn.Line1 == "" || (!oldIn.OneCell() && oldIn.ZIP == "" && (oldIn.City == "" || oldIn.State == "")) {
		return refuse("the old address needs old_line1 and old_zip (or old_city and old_state)")
	}
	oldIn, fix := c.c.RestoreFieldsZIP(oldIn, "old_zip")
	if fix != "" {
		notes = append(notes, fix)
	}
	oldC := c.c.CheckFields(oldIn)
	oldKey := oldC.Result.Key()
	if oldKey == "" {
		return refuse("the old address has no delivery line or ZIP after standardization%s", why(oldC))
	}
	var newF address.Fields
	var newZIP4, newKey string
	newIn := address.Fields{Line1: v[colNewLine1], Line2: v[colNewLine2], City: v[colNewCity], State: v[colNewState], ZIP: v[colNewZIP]}
	hasNew := newIn.Line1 != "" || newIn.Line2 != "" || newIn.City != "" || newIn.ZIP != ""
	switch {
	case hasNew && mlna:
		return refuse("the row says moved_left_no_address but also gives a new address; give one or the other")
	case hasNew && boxClosed:
		return refuse("the row says po_box_closed but also gives a new address; give one or the other")
	case hasNew:
		if newIn.Line1 == "" {
			return refuse("the new address needs new_line1")
		}
		if newIn, fix = c.c.RestoreFieldsZIP(newIn, "new_zip"); fix != "" {
			notes = append(notes, fix)
		}
		newC := c.c.CheckFields(newIn)
		newF, newZIP4, newKey = newC.Suggested, newC.Result.ZIP4, newC.Result.Key()
		if newKey == "" {
			return refuse("the new address has no delivery line or ZIP after standardization%s", why(newC))
		}
	case !mlna && !boxClosed:
		return refuse("no new address: give new_line1 and new_zip, or set moved_left_no_address or po_box_closed")
	}
	k := c.personKeys(v[colFirst], v[colMiddle], v[colLast], v[colFirm])
	if mt == MoveBusiness && k.Firm == "" {
		return refuse("the firm name has no letters or digits")
	}
	if k.First == nil {
		k.First = []string{}
	}
	old := oldC.Suggested
	return []any{list, line, mt, v[colFirst], v[colMiddle], v[colLast], v[colFirm],
		k.First, k.Middle, k.Last, k.Firm,
		old.Line1, old.Line2, old.City, old.State, old.ZIP, oldKey,
		newF.Line1, newF.Line2, newF.City, newF.State, newF.ZIP, newZIP4, newKey,
		eff, mlna, boxClosed}, eff, strings.Join(notes, "; "), ""
}

func parseMoveType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "individual", "i":
		return MoveIndividual
	case "family", "f":
		return MoveFamily
	case "business", "b":
		return MoveBusiness
	}
	return ""
}

// moveDateLayouts are the date forms spreadsheets commonly write: ISO
// dates, with the time Excel adds when a date cell is saved as text, and US
// month/day/year forms. Day/month/year is not accepted: 03/04/2026 would be
// read both ways, and a US list writes month first.
var moveDateLayouts = []string{"2006-01-02", "2006-01", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.000", "2006/01/02", "2006/1/2", "1/2/2006", "01/02/2006", "1/2/2006 15:04",
	"1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1-2-2006", "01-02-2006", "20060102", "200601"}

// excelEpoch is day 0 of Excel's serial dates (1900 system, after its
// leap-year bug: serial 60 is the non-existent 1900-02-29).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseMoveDate reads a move date in any of moveDateLayouts, or a serial
// date number as Excel stores it (days since 1899-12-30, a 5-digit number,
// with or without a fraction for the time of day). YYYY-MM is the first of
// the month.
func parseMoveDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range moveDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			y, m, d := t.Date()
			t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			return t, y >= 1900 && y < 2200
		}
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(whole) == 5 && allDigits(whole) && allDigits(frac) {
		n, _ := strconv.Atoi(whole)
		return excelEpoch.AddDate(0, 0, n), true
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseFlag(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "n", "no", "false", "f":
		return false, true
	case "1", "y", "yes", "true", "t", "x":
		return true, true
	}
	return false, false
}

// why is the cleanser's reasons for an address without a match key, as the
// end of a refusal (": ZIP 6901 has 4 digits: a ZIP Code has 5").
func why(fc address.FieldCheck) string {
	if len(fc.Result.Reasons) == 0 {
		return ""
	}
	return " (" + strings.Join(fc.Result.Reasons, "; ") + ")"
}
