package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/xuri/excelize/v2"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/internal/csvsafe"
	"indicia/reports"
	"indicia/web/request"
)

// reportTable is one report as a download: its columns, which of them are
// amounts or counts we wrote ourselves (left numeric; every other cell is
// neutralized against formulas), and its rows.
type reportTable struct {
	header  []string
	numeric map[int]bool
	src     tableSource
}

func numericCols(cols ...int) map[int]bool {
	m := map[int]bool{}
	for _, c := range cols {
		m[c] = true
	}
	return m
}

// reportSource is the download of report kind for the actor and filter.
// It checks the actor first: the rows are read after the handler returns,
// too late to answer with a status.
func (h *Handler) reportSource(u accounts.User, kind string, f reports.Filter, g reports.Group) (reportTable, error) {
	if !reports.CanRead(u) {
		return reportTable{}, apperr.Forbidden("You do not have the \"" + accounts.PermExportReports.Label() + "\" permission.")
	}
	r := h.d.Reports
	switch kind {
	case "register":
		return reportTable{reports.RegisterHeader, numericCols(10, 11), func(ctx context.Context, emit func([]string) error) error {
			return r.StreamRegister(ctx, u, f, func(x reports.RegisterRow) error { return emit(x.Cells()) })
		}}, nil
	case "summary":
		return reportTable{reports.SummaryHeader(g), numericCols(1, 2, 3, 4, 5), func(ctx context.Context, emit func([]string) error) error {
			s, err := r.Summary(ctx, u, f, g)
			if err != nil {
				return err
			}
			for _, x := range append(s.Rows, s.Total) {
				if err := emit(x.Cells()); err != nil {
					return err
				}
			}
			return nil
		}}, nil
	case "funding":
		return reportTable{reports.FundingHeader, numericCols(4, 5, 6), func(ctx context.Context, emit func([]string) error) error {
			return r.StreamFunding(ctx, u, f, func(x reports.FundingRow) error { return emit(x.Cells()) })
		}}, nil
	case "refunds":
		return reportTable{reports.RefundsHeader, numericCols(5, 7), func(ctx context.Context, emit func([]string) error) error {
			return r.StreamRefunds(ctx, u, f, func(x reports.RefundRow) error { return emit(x.Cells()) })
		}}, nil
	}
	return reportTable{}, apperr.NotFound("No such report: choose register, summary, funding or refunds.")
}

// sendReport streams a report as CSV or XLSX, row by row as PostgreSQL
// returns them: neither is built whole in memory.
func sendReport(c fiber.Ctx, format, base string, t reportTable) error {
	safe := func(r []string) []string {
		for i, v := range r {
			if !t.numeric[i] {
				r[i] = csvsafe.Cell(v)
			}
		}
		return r
	}
	switch format {
	case "csv":
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Attachment(base + ".csv")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			cw := csv.NewWriter(w)
			cw.Write(t.header)
			err := t.src(ctx, func(r []string) error { return cw.Write(safe(r)) })
			cw.Flush()
			if err != nil {
				slog.Error("handlers: report csv", "report", base, "err", err)
			}
		})
	case "xlsx":
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Attachment(base + ".xlsx")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			if err := writeReportXLSX(ctx, w, t, safe); err != nil {
				slog.Error("handlers: report xlsx", "report", base, "err", err)
			}
		})
	}
	return apperr.Invalid("format", "Choose csv or xlsx.")
}

// writeReportXLSX writes amounts and counts as numbers, so a spreadsheet
// adds them up without conversion.
func writeReportXLSX(ctx context.Context, w *bufio.Writer, t reportTable, safe func([]string) []string) error {
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
	_, err = f.WriteTo(w)
	return err
}

// ReportDownload sends one report of the reports page as CSV or XLSX, with
// the page's filter. A bad filter shows the page with the messages.
func (h *Handler) ReportDownload(c fiber.Ctx) error {
	u := *request.Actor(c)
	_, filter, group, err := reportFilter(c, u)
	if err != nil {
		return h.Reports(c)
	}
	kind := c.Params("kind")
	t, err := h.reportSource(u, kind, filter, group)
	if err != nil {
		return err
	}
	return sendReport(c, c.Params("format"), reportFileName(kind, filter), t)
}

// reportFileName names a download for its report and period.
func reportFileName(kind string, f reports.Filter) string {
	return kind + "-" + f.From.Format("2006-01-02") + "-to-" + f.To.AddDate(0, 0, -1).Format("2006-01-02")
}
