package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// paymentAlertRows builds the payment alerts of the settlement page, open ones
// first; form, if id is not zero, is that alert's resolve form as submitted.
func (h *Handler) paymentAlertRows(c fiber.Ctx, u accounts.User, id int64, form views.Form) ([]views.PaymentAlertRow, int, error) {
	alerts, err := h.d.Payments.Alerts(c.Context(), u, 50)
	if err != nil {
		return nil, 0, err
	}
	open, err := h.d.Payments.OpenAlerts(c.Context())
	if err != nil {
		return nil, 0, err
	}
	rows := make([]views.PaymentAlertRow, 0, len(alerts))
	for _, a := range alerts {
		r := views.PaymentAlertRow{ID: strconv.FormatInt(a.ID, 10), When: a.CreatedAt.UTC().Format("2006-01-02 15:04"), Kind: a.Kind,
			Meter: "—", Detail: a.Detail, Open: a.Open(), Form: emptyForm()}
		if a.MeterID != 0 {
			r.Meter = strconv.FormatInt(a.MeterID, 10)
		}
		if a.ResolvedAt != nil {
			r.Resolved, r.ResolvedBy, r.Resolution = a.ResolvedAt.UTC().Format("2006-01-02 15:04"), a.ResolvedBy, a.Resolution
			if r.ResolvedBy == "" {
				r.ResolvedBy = "system"
			}
		}
		if a.ID == id {
			r.Form = form
		}
		rows = append(rows, r)
	}
	return rows, open, nil
}

// ResolvePaymentAlert marks a payment alert as dealt with (vendor admins) and
// goes back to the settlement page; without a resolution the page comes back
// with the message next to the alert's field.
func (h *Handler) ResolvePaymentAlert(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such payment alert.")
	}
	f := form(c, "resolution", "day")
	day, derr := settlementDay(f.V("day"))
	if derr != nil {
		day, _ = settlementDay("")
	}
	if err := h.d.Payments.ResolveAlert(c.Context(), *request.Actor(c), id, f.V("resolution")); err != nil {
		if formError(&f, err) {
			return h.renderSettlement(c, fiber.StatusUnprocessableEntity, day, id, f)
		}
		return err
	}
	return h.redirectWith(c, "/postal/settlement?day="+day.Format(time.DateOnly), "Payment alert resolved.")
}
