package handlers

import (
	"log/slog"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// bulkMax is the most labels one bulk action takes: a merged file of more
// is unwieldy to print, and the page must answer within its deadline.
const bulkMax = 500

// bulkSelection reads which labels a bulk action is for: the ticked ones,
// or with "all" every label that matches the filters the form carries.
// Labels come in the list's order.
func (h *Handler) bulkSelection(c fiber.Ctx, actor accounts.User, ch labelChoices) ([]metering.ListedLabel, error) {
	f, err := parseLabelFilter(formGetter(c), ch)
	if err != nil {
		return nil, err
	}
	if c.FormValue("all") == "" {
		ids := formMulti(c, "id")
		if len(ids) == 0 {
			return nil, apperr.Invalid("id", "Select at least one label, or tick \"every label that matches the filters\".")
		}
		if len(ids) > bulkMax {
			return nil, apperr.Invalid("id", "Select at most 500 labels at once.")
		}
		f.IDs = ids
	}
	var out []metering.ListedLabel
	cursor := ""
	for {
		lp, err := h.d.Metering.ListLabels(c.Context(), actor, f, cursor, metering.MaxLabelPage)
		if err != nil {
			return nil, err
		}
		out = append(out, lp.Labels...)
		if len(out) > bulkMax {
			return nil, apperr.Invalid("all", "More than 500 labels match these filters: narrow them (a shorter date range, one meter) and try again.")
		}
		if lp.Next == "" {
			break
		}
		cursor = lp.Next
	}
	if len(out) == 0 {
		return nil, apperr.Invalid("id", "None of the selected labels is in this account's list any more.")
	}
	return out, nil
}

// LabelsBulk is POST /labels/bulk: reprint the selected labels as one file,
// or void them. A bad selection is shown on the list, at its field.
func (h *Handler) LabelsBulk(c fiber.Ctx) error {
	actor := *request.Actor(c)
	ch, err := h.labelChoicesFor(c.Context(), actor)
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	if action != "reprint" && action != "void" {
		return h.bulkRefused(c, ch, apperr.Invalid("action", "Choose to reprint or to void the selected labels."))
	}
	if action == "void" && !actor.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("Voiding labels needs the \"Buy postage\" permission.")
	}
	format, layout := "", ""
	if action == "reprint" {
		switch c.FormValue("format") {
		case "pdf-4x6", "":
			format, layout = "pdf", "4x6"
		case "pdf-letter":
			format, layout = "pdf", "letter"
		case "pdf-envelope":
			format, layout = "pdf", "envelope"
		case "zpl":
			format = "zpl"
		default:
			return h.bulkRefused(c, ch, apperr.Invalid("format", "Choose the format 4x6 PDF, letter PDF, envelope PDF or ZPL."))
		}
	}
	ls, err := h.bulkSelection(c, actor, ch)
	if err != nil {
		return h.bulkRefused(c, ch, err)
	}
	if action == "reprint" {
		return h.bulkReprint(c, ls, format, layout)
	}
	return h.bulkVoid(c, actor, ch, ls)
}

// bulkReprint sends the labels as one file; voided labels are left out,
// as in a purchase's files.
func (h *Handler) bulkReprint(c fiber.Ctx, ls []metering.ListedLabel, format, layout string) error {
	printable := make([]metering.Label, 0, len(ls))
	for _, l := range ls {
		if l.Status != "voided" {
			printable = append(printable, l.Label)
		}
	}
	if len(printable) == 0 {
		return &apperr.Error{Kind: apperr.KindConflict, Code: "label_voided", Field: "id",
			Message: "Every selected label was voided; there is nothing to print. Do not mail copies printed earlier."}
	}
	c.Set("X-Labels-Printed", strconv.Itoa(len(printable)))
	return h.sendLabels(c, printable, format, layout, "labels-"+strconv.Itoa(len(printable)))
}

// bulkVoid voids each label through the one void path: each is its own
// signed credit (or card refund), so one that cannot be voided leaves the
// others voided and is listed with the reason.
func (h *Handler) bulkVoid(c fiber.Ctx, actor accounts.User, ch labelChoices, ls []metering.ListedLabel) error {
	res := &views.BulkResultVM{}
	for _, l := range ls {
		line := views.BulkLineVM{ID: l.PublicID}
		v, err := h.d.Metering.Void(c.Context(), actor, l.PublicID)
		switch {
		case err == nil:
			line.OK = true
			line.Outcome = "voided, " + views.Money(v.Refunded) + " back on meter " + v.Label.Serial
			if v.ToCard {
				line.Outcome = "voided, " + views.Money(v.Refunded) + " refunded to your card"
			}
			res.Voided++
		default:
			res.Failed++
			if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
				line.Outcome = "not voided: " + e.Message
			} else {
				slog.Error("bulk void", "label", l.PublicID, "err", err)
				line.Outcome = "not voided: it could not be voided just now; try again later"
			}
		}
		res.Lines = append(res.Lines, line)
	}
	return h.renderHistory(c, ch, formGetter(c), fiber.StatusOK, nil, res)
}

// bulkRefused shows the list again with the message at the bad field.
func (h *Handler) bulkRefused(c fiber.Ctx, ch labelChoices, err error) error {
	return h.renderHistory(c, ch, formGetter(c), fiber.StatusUnprocessableEntity, err, nil)
}

// formGetter reads single form fields.
func formGetter(c fiber.Ctx) func(string) string {
	return func(n string) string { return c.FormValue(n) }
}
