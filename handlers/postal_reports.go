package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// PostalReports shows postal staff the mail volume per origin post office,
// a 7-day forecast and the fraud signals, open ones first.
func (h *Handler) PostalReports(c fiber.Ctx) error {
	return h.renderPostal(c, fiber.StatusOK, c.Query("days"), 0, emptyForm())
}

// renderPostal renders the postal page for the period d (days, empty for the
// default); fraudForm, if fraudID is not zero, is the resolve form of that
// fraud signal, with its messages.
func (h *Handler) renderPostal(c fiber.Ctx, status int, d string, fraudID int64, fraudForm views.Form) error {
	days, daysText, daysErr := 30, "30", ""
	if d != "" {
		daysText = d
		n, err := strconv.Atoi(strings.TrimSpace(d))
		if err != nil {
			daysErr = "Enter the period as a number of days."
		}
		days = n
	}
	u := *request.Actor(c)
	var vols []metering.OriginVolume
	if daysErr == "" {
		var err error
		vols, err = h.d.Metering.VolumesByOrigin(c.Context(), u, days)
		// The period's range is the domain's rule; its message goes next to
		// the field like any other, not on an error page.
		f := emptyForm()
		if formError(&f, err) && f.E("days") != "" {
			daysErr = f.E("days")
		} else if err != nil {
			return err
		}
	}
	fr, openFraud, err := h.fraudRows(c, u, fraudID, fraudForm)
	if err != nil {
		return err
	}
	var vr []views.VolumeRow
	for _, v := range vols {
		vr = append(vr, views.VolumeRow{OriginZIP: v.OriginZIP, Pieces: strconv.FormatInt(v.Pieces, 10), Postage: views.Money(v.Postage),
			Voided: strconv.FormatInt(v.Voided, 10), Forecast: strconv.FormatFloat(v.Forecast, 'f', -1, 64)})
	}
	if daysErr != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return render(c, status, views.PostalReports(h.Page(c, "Postal reports", "postal"), daysText, daysErr, vr, fr, openFraud))
}
