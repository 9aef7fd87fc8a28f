package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/xuri/excelize/v2"

	"indicia/apperr"
	"indicia/internal/csvsafe"
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

// sendTable sends a CSV or XLSX download row by row: CSV goes straight to
// the connection; XLSX goes through excelize's StreamWriter, which spills to
// a temporary file, so neither is built whole in memory. The source runs
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
// up without conversion.
func writeXLSX(ctx context.Context, w *bufio.Writer, t downloadTable, safe func([]string) []string) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := 1
	cells := make([]any, 0, len(t.header))
	emit := func(r []string, header bool) error {
		cells = cells[:0]
		for i, v := range r {
			if !header && t.numeric[i] {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					cells = append(cells, n)
					continue
				}
			}
			cells = append(cells, v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	if err := emit(t.header, true); err != nil {
		return err
	}
	if err := t.src(ctx, func(r []string) error { return emit(safe(r), false) }); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return err
	}
	return w.Flush()
}
