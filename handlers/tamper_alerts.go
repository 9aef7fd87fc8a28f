package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
)

// TamperAlerts lists tamper alerts for vendor admins.
func (h *Handler) TamperAlerts(c fiber.Ctx) error {
	as, err := h.d.Metering.Alerts(c.Context(), *Actor(c), 200)
	if err != nil {
		return err
	}
	rows := make([]views.AlertRow, 0, len(as))
	for _, a := range as {
		r := views.AlertRow{ID: strconv.FormatInt(a.ID, 10), MeterID: strconv.FormatInt(a.MeterID, 10), Serial: a.Serial, Reason: a.Reason,
			Detail: a.Detail, Created: a.CreatedAt.UTC().Format("2006-01-02 15:04:05"), Open: a.ResolvedAt == nil, Resolution: a.Resolution}
		if a.ResolvedAt != nil {
			r.Resolved = a.ResolvedAt.UTC().Format("2006-01-02 15:04")
		}
		rows = append(rows, r)
	}
	return render(c, fiber.StatusOK, views.TamperAlerts(h.Page(c, "Tamper alerts", "alerts"), rows))
}

// ResolveAlert closes an alert; the meter is released only if its record verifies again.
func (h *Handler) ResolveAlert(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such alert.")
	}
	released, err := h.d.Metering.ResolveAlert(c.Context(), *Actor(c), id, c.FormValue("resolution"))
	if err != nil {
		return err
	}
	msg := "Alert resolved. The meter's record still fails verification, so the meter stays held."
	if released {
		msg = "Alert resolved; the meter's record verifies again and the meter is released."
	}
	return h.redirectWith(c, "/admin/alerts", msg)
}
