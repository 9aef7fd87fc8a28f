package handlers

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
)

const cleanseRowsPerPage = 100

// statusOrder is the display order of result statuses.
var statusOrder = []address.Status{address.StatusValid, address.StatusCorrected, address.StatusAmbiguous, address.StatusInvalid, addressbook.StatusUnreadable}

// statusWords is a result status as the pages name it.
func statusWords(s address.Status) string {
	if s == addressbook.StatusUnreadable {
		return "Could not be read"
	}
	return address.StatusLabel(s)
}

func batchID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such list.")
	}
	return id, nil
}

func outputLine(r addressbook.BatchRow) string {
	if r.DeliveryLine == "" {
		return r.LastLine
	}
	if r.LastLine == "" {
		return r.DeliveryLine
	}
	return r.DeliveryLine + ", " + r.LastLine
}

// CleanseResult shows a batch's counts per status and its rows before and after.
func (h *Handler) CleanseResult(c fiber.Ctx) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	actor := *request.Actor(c)
	b, err := h.d.Batches.Get(c.Context(), actor, id)
	if err != nil {
		return err
	}
	sid := strconv.FormatInt(id, 10)
	r := views.CleanseResult{ID: sid, Filename: b.Filename, JobURL: "/jobs/" + strconv.FormatInt(b.JobID, 10), Finished: b.FinishedAt != nil, Total: b.TotalRows}
	if r.Finished {
		filter := address.Status(c.Query("status"))
		var total int64 = b.TotalRows
		known := false
		for _, st := range statusOrder {
			if n, ok := b.Counts[st]; ok {
				r.Counts = append(r.Counts, views.CleanseCount{Status: string(st), Label: statusWords(st), Value: strconv.FormatInt(n, 10)})
			}
			known = known || st == filter
		}
		if !known {
			filter = ""
		}
		if filter != "" {
			total = b.Counts[filter]
		}
		r.Filter, r.FilterLabel = string(filter), statusWords(filter)
		if _, ok := b.Counts[address.StatusValid]; ok {
			r.Checked = address.CheckedFor(address.StatusValid, "")
		}
		r.Page = pageParam(c)
		r.Last = int((total + cleanseRowsPerPage - 1) / cleanseRowsPerPage)
		rows, err := h.d.Batches.Rows(c.Context(), actor, id, filter, (r.Page-1)*cleanseRowsPerPage, cleanseRowsPerPage)
		if err != nil {
			return err
		}
		for _, x := range rows {
			r.Rows = append(r.Rows, views.CleanseRowVM{Line: strconv.Itoa(x.Line), Input: x.Input, Status: statusWords(x.Status),
				Checked: address.CheckedFor(x.Status, x.DPV), Output: outputLine(x),
				ZIP4: x.ZIP4, DPV: x.DPV, Reasons: x.Reasons})
		}
		params := url.Values{}
		if filter != "" {
			params.Set("status", string(filter))
		}
		if r.Page > 1 {
			r.PrevURL = pageURL("/cleanse/"+sid, params, r.Page-1)
		}
		if r.Page < r.Last {
			r.NextURL = pageURL("/cleanse/"+sid, params, r.Page+1)
		}
	}
	return render(c, fiber.StatusOK, views.CleanseResultPage(h.Page(c, "Cleansed list", "cleanse"), r))
}

// DownloadCleanse streams a finished batch as CSV or XLSX.
func (h *Handler) DownloadCleanse(c fiber.Ctx) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	actor := *request.Actor(c)
	b, err := h.d.Batches.Get(c.Context(), actor, id)
	if err != nil {
		return err
	}
	if b.FinishedAt == nil {
		return apperr.Conflict("", "This list is still being cleansed.")
	}
	base := strings.TrimSuffix(strings.TrimSuffix(b.Filename, ".csv"), ".xlsx")
	if base == "" {
		base = "list"
	}
	base += "-cleansed"
	batches := h.d.Batches
	header := []string{"line", "input", "status", "delivery_line", "last_line", "zip", "zip4", "dpv", "reasons"}
	return streamTable(c, c.Query("format"), base, header, func(ctx context.Context, emit func([]string) error) error {
		rec := make([]string, len(header))
		return batches.Each(ctx, actor, id, func(r addressbook.BatchRow) error {
			rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7], rec[8] = strconv.Itoa(r.Line), r.Input, string(r.Status),
				r.DeliveryLine, r.LastLine, r.ZIP, r.ZIP4, r.DPV, r.Reasons
			return emit(rec)
		})
	})
}
