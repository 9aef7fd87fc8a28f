package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// fraudRows builds the fraud signals of the postal page, open ones first;
// form, if id is not zero, is that signal's resolve form as submitted.
func (h *Handler) fraudRows(c fiber.Ctx, u accounts.User, id int64, form views.Form) ([]views.FraudRow, int, error) {
	signals, err := h.d.Metering.FraudSignals(c.Context(), u, 100)
	if err != nil {
		return nil, 0, err
	}
	open, err := h.d.Metering.OpenFraudSignals(c.Context(), u)
	if err != nil {
		return nil, 0, err
	}
	return fraudRowsOf(signals, id, form), open, nil
}

// fraudRowsOf shapes fraud signals for a page; form, if id is not zero, is
// that signal's resolve form as submitted.
func fraudRowsOf(signals []metering.FraudSignal, id int64, form views.Form) []views.FraudRow {
	rows := make([]views.FraudRow, 0, len(signals))
	for _, f := range signals {
		r := views.FraudRow{ID: strconv.FormatInt(f.ID, 10), When: f.CreatedAt.UTC().Format("2006-01-02 15:04"), Kind: f.Kind, Serial: f.Serial,
			Detail: f.Detail, Open: f.Open(), Form: emptyForm()}
		// A signal about a meter's traffic names no one piece.
		if f.Piece != 0 {
			r.Piece = strconv.FormatInt(f.Piece, 10)
		}
		if f.ResolvedAt != nil {
			r.Resolved, r.ResolvedBy, r.Resolution = f.ResolvedAt.UTC().Format("2006-01-02 15:04"), f.ResolvedBy, f.Resolution
			if r.ResolvedBy == "" {
				r.ResolvedBy = "system"
			}
		}
		if f.ID == id {
			r.Form = form
		}
		rows = append(rows, r)
	}
	return rows
}

// ResolveFraudSignal marks a fraud signal as dealt with (postal staff and
// vendor admins) and goes back to the postal page for the same period;
// without a usable resolution the page comes back with the message next to
// the signal's field.
func (h *Handler) ResolveFraudSignal(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such fraud signal.")
	}
	f := form(c, "resolution", "days")
	if err := h.d.Metering.ResolveFraudSignal(c.Context(), *request.Actor(c), id, f.V("resolution")); err != nil {
		if formError(&f, err) {
			return h.renderPostal(c, fiber.StatusUnprocessableEntity, f.V("days"), id, f)
		}
		return err
	}
	back := "/postal"
	// Only a period that is a number goes back into the address.
	if _, err := strconv.Atoi(f.V("days")); err == nil {
		back += "?days=" + url.QueryEscape(f.V("days"))
	}
	return h.redirectWith(c, back, "Fraud signal resolved.")
}
