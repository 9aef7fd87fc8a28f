package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/internal/csvsafe"
	"indicia/internal/xlsxstream"
)

// tableSource calls emit for every row of a download, in order.
type tableSource func(ctx context.Context, emit func([]string) error) error

// downloadTable is one download: its columns, which of them are amounts or
// counts we wrote ourselves (left numeric; every other cell is neutralized
// against formulas), and its rows.
type downloadTable struct {
	header  []string
	numeric map[int]bool
	src     tableSource
	// copyCSV, when set, writes the CSV rows (no header) itself, already
	// guarded against formulas, in place of src.
	copyCSV func(ctx context.Context, w io.Writer) error
}

func numericCols(cols ...int) map[int]bool {
	m := map[int]bool{}
	for _, c := range cols {
		m[c] = true
	}
	return m
}

// downloadTimeout bounds one download's reads: a million-row register
// streams in well under it.
const downloadTimeout = 30 * time.Minute

// streamTable sends a download whose cells are all text.
func streamTable(c fiber.Ctx, format, base string, header []string, src tableSource) error {
	return sendTable(c, format, base, downloadTable{header: header, src: src})
}

// sendTable sends a CSV or XLSX download row by row, both straight to the
// connection (XLSX through internal/xlsxstream), so neither is built whole
// in memory. The source runs
// after the handler returns, so it must not touch the request context.
func sendTable(c fiber.Ctx, format, base string, t downloadTable) error {
	safe := func(r []string) []string {
		for i, v := range r {
			if !t.numeric[i] {
				r[i] = csvsafe.Cell(v)
			}
		}
		return r
	}
	switch format {
	case "", "csv":
		attach(c, base+".csv", csvType)
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
			defer cancel()
			cw := csv.NewWriter(w)
			cw.Write(t.header)
			var err error
			if t.copyCSV != nil {
				cw.Flush()
				err = t.copyCSV(ctx, w)
			} else {
				err = t.src(ctx, func(r []string) error { return cw.Write(safe(r)) })
				cw.Flush()
			}
			if err != nil {
				slog.Error("handlers: csv download", "file", base, "err", err)
			}
		})
	case "xlsx":
		attach(c, base+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
			defer cancel()
			if err := writeXLSX(ctx, w, t, safe); err != nil {
				slog.Error("handlers: xlsx download", "file", base, "err", err)
			}
		})
	}
	return apperr.Invalid("format", "Choose csv or xlsx.")
}

// writeXLSX writes amounts and counts as numbers, so a spreadsheet adds them
// up without conversion. The sheet is written as it is read (no temporary
// file); a download PostgreSQL writes as CSV itself (the register) is read
// from that CSV, already guarded against formulas, without the rows ever
// becoming Go values.
func writeXLSX(ctx context.Context, w *bufio.Writer, t downloadTable, safe func([]string) []string) error {
	x, err := xlsxstream.New(w, "Sheet1")
	if err != nil {
		return err
	}
	numeric := func(i int) bool { return t.numeric[i] }
	if err := x.Row(t.header, nil); err != nil {
		return err
	}
	if t.copyCSV != nil {
		err = xlsxFromCSV(ctx, x, t, numeric)
	} else {
		err = t.src(ctx, func(r []string) error { return x.Row(safe(r), numeric) })
	}
	if err != nil {
		return err
	}
	if err := x.Close(); err != nil {
		return err
	}
	return w.Flush()
}

// xlsxFromCSV runs the table's CSV writer into a pipe and turns each record
// into a row. A failed sheet write closes the pipe, which ends the CSV
// writer (and its COPY) too; it is waited for either way.
func xlsxFromCSV(ctx context.Context, x *xlsxstream.Writer, t downloadTable, numeric func(int) bool) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := t.copyCSV(ctx, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	r := csv.NewReader(pr)
	r.ReuseRecord = true
	r.FieldsPerRecord = len(t.header)
	var err error
	for {
		var rec []string
		if rec, err = r.Read(); err != nil {
			break
		}
		if err = x.Row(rec, numeric); err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	pr.CloseWithError(errors.New("handlers: xlsx download stopped"))
	if cerr := <-done; err == nil {
		err = cerr
	}
	return err
}
