package handlers

import (
	"context"
	"io"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/reports"
	"indicia/web/request"
)

// reportSource is the download of report kind for the actor and filter.
// It checks the actor first: the rows are read after the handler returns,
// too late to answer with a status.
func (h *Handler) reportSource(u accounts.User, kind string, f reports.Filter, g reports.Group) (downloadTable, error) {
	if !reports.CanRead(u) {
		return downloadTable{}, apperr.Forbidden("You do not have the \"" + accounts.PermExportReports.Label() + "\" permission.")
	}
	r := h.d.Reports
	switch kind {
	case "register":
		return downloadTable{header: reports.RegisterHeader, numeric: numericCols(10, 11, 12), src: func(ctx context.Context, emit func([]string) error) error {
			return r.StreamRegister(ctx, u, f, func(x reports.RegisterRow) error { return emit(x.Cells()) })
		}, copyCSV: func(ctx context.Context, w io.Writer) error { return r.CopyRegisterCSV(ctx, u, f, w) }}, nil
	case "summary":
		return downloadTable{header: reports.SummaryHeader(g), numeric: numericCols(1, 2, 3, 4, 5), src: func(ctx context.Context, emit func([]string) error) error {
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
		return downloadTable{header: reports.FundingHeader, numeric: numericCols(4, 5, 6), src: func(ctx context.Context, emit func([]string) error) error {
			return r.StreamFunding(ctx, u, f, func(x reports.FundingRow) error { return emit(x.Cells()) })
		}}, nil
	case "refunds":
		return downloadTable{header: reports.RefundsHeader, numeric: numericCols(5, 7), src: func(ctx context.Context, emit func([]string) error) error {
			return r.StreamRefunds(ctx, u, f, func(x reports.RefundRow) error { return emit(x.Cells()) })
		}}, nil
	}
	return downloadTable{}, apperr.NotFound("No such report: choose register, summary, funding or refunds.")
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
	return sendTable(c, c.Params("format"), reportFileName(kind, filter), t)
}

// reportFileName names a download for its report and period.
func reportFileName(kind string, f reports.Filter) string {
	return kind + "-" + f.From.Format("2006-01-02") + "-to-" + f.To.AddDate(0, 0, -1).Format("2006-01-02")
}
