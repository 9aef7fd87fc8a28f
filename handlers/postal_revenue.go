package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/reports"
	"indicia/views"
	"indicia/web/request"
)

// revenueFilter reads the revenue page's period and narrowing.
func revenueFilter(c fiber.Ctx) (views.Form, reports.Filter, error) {
	f := emptyForm()
	for _, n := range []string{"from", "to", "origin_zip", "meter"} {
		f.Values[n] = c.Query(n)
	}
	filter, err := reports.ParseFilter(*request.Actor(c), f.V, time.Now())
	formError(&f, err)
	return f, filter, err
}

// PostalRevenue shows postal staff the postage by origin post office and
// meter over a period, with downloads.
func (h *Handler) PostalRevenue(c fiber.Ctx) error {
	form, filter, err := revenueFilter(c)
	vm := views.PostalRevenueVM{Form: form, Query: reportQuery(form)}
	if err != nil {
		vm.Invalid = true
		return render(c, fiber.StatusUnprocessableEntity, views.PostalRevenue(h.Page(c, "Revenue", "revenue"), vm))
	}
	rows, err := h.d.Reports.Revenue(c.Context(), *request.Actor(c), filter)
	if err != nil {
		return err
	}
	var total reports.RevenueRow
	for _, r := range rows {
		vm.Rows = append(vm.Rows, revenueRowVM(r))
		total.Pieces += r.Pieces
		total.Postage += r.Postage
		total.VoidedPieces += r.VoidedPieces
		total.VoidedPostage += r.VoidedPostage
	}
	vm.Total = revenueRowVM(total)
	return render(c, fiber.StatusOK, views.PostalRevenue(h.Page(c, "Revenue", "revenue"), vm))
}

func revenueRowVM(r reports.RevenueRow) views.RevenueRowVM {
	return views.RevenueRowVM{OriginZIP: r.OriginZIP, Meter: r.MeterSerial, Pieces: strconv.FormatInt(r.Pieces, 10), Postage: views.Money(r.Postage),
		Voided: views.Money(r.VoidedPostage), Net: views.Money(r.Net())}
}

// PostalRevenueDownload sends the revenue report as CSV or XLSX.
func (h *Handler) PostalRevenueDownload(c fiber.Ctx) error {
	_, filter, err := revenueFilter(c)
	if err != nil {
		return h.PostalRevenue(c)
	}
	u := *request.Actor(c)
	// Checked now: the rows are read after the handler returns.
	rows, err := h.d.Reports.Revenue(c.Context(), u, filter)
	if err != nil {
		return err
	}
	t := downloadTable{header: reports.RevenueHeader, numeric: numericCols(2, 3, 4, 5, 6), src: func(ctx context.Context, emit func([]string) error) error {
		for _, r := range rows {
			if err := emit(r.Cells()); err != nil {
				return err
			}
		}
		return nil
	}}
	return sendTable(c, c.Params("format"), reportFileName("revenue", filter), t)
}
