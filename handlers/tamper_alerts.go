package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// TamperAlerts lists tamper alerts for vendor admins.
func (h *Handler) TamperAlerts(c fiber.Ctx) error {
	return h.renderTamperAlerts(c, fiber.StatusOK, "", "", "")
}

// renderTamperAlerts renders the alerts; failedID's resolve form keeps note
// and shows msg.
func (h *Handler) renderTamperAlerts(c fiber.Ctx, status int, failedID, note, msg string) error {
	as, err := h.d.Metering.Alerts(c.Context(), *request.Actor(c), 200)
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
		if r.ID == failedID && r.Open {
			r.Note, r.Error = note, msg
		}
		rows = append(rows, r)
	}
	return render(c, status, views.TamperAlerts(h.Page(c, "Tamper alerts", "alerts"), rows))
}

// ResolveAlert closes an alert and releases the meter, which the box must
// verify again; otherwise the alert stays open and the page says why.
func (h *Handler) ResolveAlert(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such alert.")
	}
	note := strings.TrimSpace(c.FormValue("resolution"))
	if _, err := h.d.Metering.ResolveAlert(c.Context(), *request.Actor(c), id, note); err != nil {
		if f, ok := apperr.AsFields(err); ok && f["resolution"] != "" {
			return h.renderTamperAlerts(c, fiber.StatusUnprocessableEntity, c.Params("id"), note, f["resolution"])
		}
		return err
	}
	return h.redirectWith(c, "/admin/alerts", "Alert resolved; the meter's record verifies again and the meter is released.")
}
