package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/views"
	"indicia/web/request"
)

// historyPageSize is how many labels one page of the history shows.
const historyPageSize = 50

// bulkFormats are the files a bulk reprint can make: every multi-label
// format the purchase page offers.
var bulkFormats = []views.Option{{Value: "pdf-4x6", Label: "4x6 label PDF"}, {Value: "pdf-letter", Label: "Letter sheet PDF (2 labels per page)"},
	{Value: "pdf-envelope", Label: "#10 envelope PDF"}, {Value: "zpl", Label: "ZPL (thermal printer)"}}

// filterQuery is the filters as given, without empty ones: the page links
// and the bulk form carry them on.
func filterQuery(get func(string) string) url.Values {
	q := url.Values{}
	for _, n := range labelFilterParams {
		if v := get(n); v != "" {
			q.Set(n, v)
		}
	}
	return q
}

// historyVM builds the page around the filters as given and the choices.
func historyVM(get func(string) string, ch labelChoices) views.LabelHistoryVM {
	vm := views.LabelHistoryVM{Form: views.Form{Values: map[string]string{}, Errors: map[string]string{}}, Formats: bulkFormats, BulkMax: bulkMax}
	q := filterQuery(get)
	for _, n := range labelFilterParams {
		vm.Form.Values[n] = q.Get(n)
		if n != "sort" && q.Get(n) != "" {
			vm.Filtered = true
		}
		if q.Get(n) != "" {
			vm.Hidden = append(vm.Hidden, views.Option{Value: n, Label: q.Get(n)})
		}
	}
	for _, m := range ch.Meters {
		vm.Meters = append(vm.Meters, views.Option{Value: m.Record.Serial, Label: m.Record.Serial})
	}
	for _, u := range ch.Users {
		label := u.Name
		if label == "" {
			label = u.Email
		}
		vm.Users = append(vm.Users, views.Option{Value: strconv.FormatInt(u.ID, 10), Label: label})
	}
	for _, c := range ch.CostCodes {
		label := c.Name
		if c.Archived {
			label += " (archived)"
		}
		vm.CostCodes = append(vm.CostCodes, views.Option{Value: strconv.FormatInt(c.ID, 10), Label: label})
	}
	for _, c := range rating.Classes() {
		vm.Classes = append(vm.Classes, views.Option{Value: c, Label: rating.ClassName(c)})
	}
	vm.Statuses = []views.Option{{Value: metering.ListIssued, Label: "Issued"}, {Value: metering.ListUsed, Label: "Used (scanned)"},
		{Value: metering.ListVoided, Label: "Voided"}, {Value: metering.ListRefunded, Label: "Refunded (unused)"}}
	vm.Sorts = []views.Option{{Value: metering.SortDateDesc, Label: "Newest first"}, {Value: metering.SortDateAsc, Label: "Oldest first"},
		{Value: metering.SortPostageDesc, Label: "Highest postage first"}, {Value: metering.SortPostageAsc, Label: "Lowest postage first"}}
	return vm
}

// fieldError puts an invalid-input error at its field; it reports false for
// any other error.
func fieldError(f *views.Form, err error) bool {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid || e.Field == "" {
		return false
	}
	f.Errors[e.Field] = e.Message
	return true
}

// historyRows shapes listed labels for the page.
func historyRows(ls []metering.ListedLabel, ch labelChoices) []views.LabelRowVM {
	rows := make([]views.LabelRowVM, 0, len(ls))
	for _, l := range ls {
		row := labelRow(l.Label, l.State)
		row.CostCode = l.CostCode
		row.User = ch.userName(l.UserID)
		row.Created = l.CreatedAt.UTC().Format("2006-01-02 15:04")
		rows = append(rows, row)
	}
	return rows
}

// LabelHistory is /labels: every label of the account, filtered and sorted
// by the query, one keyset page at a time. A bad filter is a 422 with the
// message at its field.
func (h *Handler) LabelHistory(c fiber.Ctx) error {
	ch, err := h.labelChoicesFor(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	return h.renderHistory(c, ch, func(n string) string { return c.Query(n) }, fiber.StatusOK, nil, nil)
}

// renderHistory shows one page of the history under the filters get reads
// (the query, or a bulk form's fields). refused is an error to show instead
// of acting; bulk, the outcome of a bulk void.
func (h *Handler) renderHistory(c fiber.Ctx, ch labelChoices, get func(string) string, status int, refused error, bulk *views.BulkResultVM) error {
	actor := *request.Actor(c)
	vm := historyVM(get, ch)
	vm.Bulk = bulk
	page := h.Page(c, "Labels", "labels")
	cursor := get("cursor")
	f, err := parseLabelFilter(get, ch)
	if err == nil {
		var lp metering.LabelPage
		if lp, err = h.d.Metering.ListLabels(c.Context(), actor, f, cursor, historyPageSize); err == nil {
			vm.Rows = historyRows(lp.Labels, ch)
			q := filterQuery(get)
			if cursor != "" {
				vm.First = "/labels?" + q.Encode()
			}
			if lp.Next != "" {
				q.Set("cursor", lp.Next)
				vm.Next = "/labels?" + q.Encode()
			}
		}
	}
	if err == nil && refused != nil {
		err = refused
	}
	if err != nil {
		if !fieldError(&vm.Form, err) {
			return err
		}
		status = fiber.StatusUnprocessableEntity
		page.Error = "Check the filters: a value below cannot be used."
		if e, _ := apperr.As(err); e != nil && !isFilterField(e.Field) {
			page.Error = e.Message
		}
	}
	return render(c, status, views.LabelHistory(page, vm))
}

// isFilterField reports whether the list's filter form has this field.
func isFilterField(name string) bool {
	for _, n := range labelFilterParams {
		if n == name {
			return true
		}
	}
	return name == "cursor"
}
